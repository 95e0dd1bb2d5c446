package io.instructlake.dist;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;

/**
 * Test hook: seeded random timing disturbances for the all-reduce transport and its callers, so a
 * test can show that results do not depend on timing. {@link #NONE} (the default everywhere) does
 * nothing. With a seed, {@link #pause()} sleeps up to {@code maxPauseMicros} with probability
 * {@code pauseShare}, and {@link #cap(ByteBuffer)} shrinks a buffer's limit so a socket call moves
 * only part of what remains (short reads and writes, which a loaded machine produces at random).
 *
 * <p>Not thread-safe: one instance per thread (a rank's transport runs on one thread).
 */
public final class Jitter {
  /** No disturbance. */
  public static final Jitter NONE = new Jitter(0, 0, 0, false);

  private final SplittableRandom random;
  private final double pauseShare;
  private final int maxPauseMicros;
  private final boolean shortIo;

  private Jitter(long seed, double pauseShare, int maxPauseMicros, boolean shortIo) {
    this.random = new SplittableRandom(seed);
    this.pauseShare = pauseShare;
    this.maxPauseMicros = maxPauseMicros;
    this.shortIo = shortIo;
  }

  /**
   * Disturbances from {@code seed}: pauses of up to {@code maxPauseMicros} microseconds on a share
   * {@code pauseShare} of the points, and short reads and writes.
   */
  public static Jitter seeded(long seed, double pauseShare, int maxPauseMicros) {
    if (pauseShare < 0 || pauseShare > 1) {
      throw new IllegalArgumentException("pauseShare must be in [0, 1], got " + pauseShare);
    }
    if (maxPauseMicros < 0) {
      throw new IllegalArgumentException("maxPauseMicros must be >= 0, got " + maxPauseMicros);
    }
    return new Jitter(seed, pauseShare, maxPauseMicros, true);
  }

  /** A new instance for another thread, seeded from this one and {@code salt}. */
  public Jitter fork(long salt) {
    if (this == NONE) {
      return NONE;
    }
    return new Jitter(random.nextLong() ^ salt, pauseShare, maxPauseMicros, shortIo);
  }

  /** Whether this instance disturbs anything. */
  public boolean active() {
    return this != NONE;
  }

  /** Maybe sleeps (or yields) for a random time. */
  public void pause() {
    if (this == NONE || random.nextDouble() >= pauseShare) {
      return;
    }
    int micros = maxPauseMicros == 0 ? 0 : random.nextInt(maxPauseMicros + 1);
    if (micros < 50) {
      Thread.yield();
      return;
    }
    try {
      Thread.sleep(micros / 1000, (micros % 1000) * 1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Lowers {@code b}'s limit so that between 1 and all of its remaining bytes are left, and returns
   * the old limit to restore with {@code b.limit(old)} after the socket call.
   */
  int cap(ByteBuffer b) {
    int old = b.limit();
    int rem = b.remaining();
    if (this != NONE && shortIo && rem > 1 && random.nextInt(3) == 0) {
      b.limit(b.position() + 1 + random.nextInt(rem));
    }
    return old;
  }
}
