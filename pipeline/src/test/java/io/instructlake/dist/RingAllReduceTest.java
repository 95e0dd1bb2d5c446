package io.instructlake.dist;

import static io.instructlake.dist.RingHarness.closeAll;
import static io.instructlake.dist.RingHarness.expectedMean;
import static io.instructlake.dist.RingHarness.input;
import static io.instructlake.dist.RingHarness.parallel;
import static io.instructlake.dist.RingHarness.ring;
import static io.instructlake.dist.RingHarness.tolerance;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.instructlake.PipelineException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RingAllReduceTest {
  private static final double FP32_UNIT = Math.scalb(1.0, -23);
  private static final double BF16_UNIT = Math.scalb(1.0, -8);

  /** Sizes: empty, shorter than W, odd, one bucket plus one, many buckets. */
  private static final int[] SIZES = {0, 1, 2, 3, 17, 64, 65, 1001, 65_537};

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 4})
  void meanEqualsDoubleReferenceAndIsIdenticalOnEveryRank(int w) throws Exception {
    // 256-byte buckets (64 values) so that most sizes span several buckets with uneven chunks
    List<RingAllReduce> ranks = ring(w, b -> b.optBucketBytes(256));
    try {
      int call = 0;
      for (int n : SIZES) {
        for (int divisor : new int[] {1, 3}) {
          checkCall(ranks, 11, call++, n, divisor, WireFormat.FP32);
        }
      }
      for (RingAllReduce r : ranks) {
        assertEquals(call, r.calls());
      }
    } finally {
      closeAll(ranks);
    }
  }

  @Test
  void defaultBucketOnLargeOddBuffer() throws Exception {
    // 1.5 default buckets of 1 Mi values plus an odd tail
    List<RingAllReduce> ranks = ring(3, b -> {});
    try {
      checkCall(ranks, 5, 0, 1_572_865, 2, WireFormat.FP32);
    } finally {
      closeAll(ranks);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {2, 3, 4})
  void bf16WireWithinBf16Tolerance(int w) throws Exception {
    List<RingAllReduce> ranks = ring(w, b -> b.optBucketBytes(1024).optWireFormat(WireFormat.BF16));
    try {
      float[][] out = checkCall(ranks, 7, 0, 10_007, 1, WireFormat.BF16);
      for (float v : out[0]) {
        assertEquals(v, WireFormat.roundToBf16(v), "every result is a bf16 value");
      }
      checkCall(ranks, 7, 1, 5, 4, WireFormat.BF16);
    } finally {
      closeAll(ranks);
    }
  }

  @Test
  void manyStepsOnTheSameConnections() throws Exception {
    List<RingAllReduce> ranks = ring(4, b -> b.optBucketBytes(4096));
    try {
      for (int step = 0; step < 150; step++) {
        checkCall(ranks, 3, step, 4099 + (step % 5), 1 + step % 2, WireFormat.FP32);
      }
    } finally {
      closeAll(ranks);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 4})
  void directBufferInPlaceIsBitIdenticalToTheArrayPath(int w) throws Exception {
    for (WireFormat wire : WireFormat.values()) {
      if (wire == WireFormat.BF16 && w == 1) {
        continue; // W = 1 sends nothing: the wire format plays no part
      }
      List<RingAllReduce> ranks = ring(w, b -> b.optBucketBytes(256).optWireFormat(wire));
      try {
        int call = 0;
        for (int n : SIZES) {
          for (int divisor : new int[] {1, 3}) {
            float[][] viaArray = checkCall(ranks, 31, call, n, divisor, wire, false);
            float[][] inPlace = checkCall(ranks, 31, call, n, divisor, wire, true);
            for (int r = 0; r < w; r++) {
              assertArrayEquals(
                  viaArray[r], inPlace[r], wire + " W=" + w + " n=" + n + " rank " + r);
            }
            call++;
          }
        }
      } finally {
        closeAll(ranks);
      }
    }
  }

  /**
   * Timing never changes a bit: rings of W = 2..4 threads with random bucket sizes, lengths, wire
   * formats and both overloads, once undisturbed and once with random pauses and short socket reads
   * and writes on every rank, must give identical bits on every rank and between the two runs (and
   * each run is checked against the double-precision mean by {@code checkCall}).
   */
  @Test
  void randomPausesAndShortReadsAndWritesChangeNoBit() throws Exception {
    java.util.SplittableRandom rnd = new java.util.SplittableRandom(20261207);
    for (int iter = 0; iter < 24; iter++) {
      int w = 2 + rnd.nextInt(3);
      int bucket = 4 * (w + rnd.nextInt(700));
      WireFormat wire = rnd.nextInt(4) == 0 ? WireFormat.BF16 : WireFormat.FP32;
      boolean direct = rnd.nextBoolean();
      long jitterSeed = rnd.nextLong();
      List<RingAllReduce> calm = ring(w, b -> b.optBucketBytes(bucket).optWireFormat(wire));
      List<RingAllReduce> shaken =
          ring(
              w,
              b ->
                  b.optBucketBytes(bucket)
                      .optWireFormat(wire)
                      .optJitter(Jitter.seeded(jitterSeed, 0.3, 400).fork(b.hashCode())));
      try {
        for (int call = 0; call < 3; call++) {
          int n = rnd.nextInt(3000);
          int divisor = 1 + rnd.nextInt(3);
          float[][] a = checkCall(calm, iter, call, n, divisor, wire, direct);
          float[][] b = checkCall(shaken, iter, call, n, divisor, wire, direct);
          String what = "iter " + iter + " W=" + w + " bucket " + bucket + " n=" + n + " " + wire;
          for (int r = 0; r < w; r++) {
            assertArrayEquals(a[0], a[r], what + ": ranks differ (undisturbed)");
            assertArrayEquals(a[r], b[r], what + ": jitter changed rank " + r);
          }
        }
      } finally {
        closeAll(calm);
        closeAll(shaken);
      }
    }
  }

  @Test
  void aConnectionFromAnotherSessionIsRefusedAndTheRingStillForms() throws Exception {
    RingAllReduce.Endpoint e0 = RingAllReduce.bindLocal("127.0.0.1");
    RingAllReduce.Endpoint e1 = RingAllReduce.bindLocal("127.0.0.1");
    List<String> peers = List.of(e0.address(), e1.address());
    // A stranger (session 99) connects to rank 1 as its left neighbour before rank 0 does.
    RingAllReduce.Endpoint stray = RingAllReduce.bindLocal("127.0.0.1");
    Thread stranger =
        new Thread(
            () -> {
              try {
                RingAllReduce.builder()
                    .setRank(0)
                    .setWorldSize(2)
                    .setPeers(List.of(stray.address(), e1.address()))
                    .optEndpoint(stray)
                    .optSession(99)
                    .optTimeout(Duration.ofSeconds(2))
                    .build();
              } catch (RuntimeException expected) {
                // nobody of session 99 ever connects back to it
              }
            });
    stranger.start();
    Thread.sleep(300);
    List<RingAllReduce> ranks =
        parallel(
            2,
            r ->
                RingAllReduce.builder()
                    .setRank(r)
                    .setWorldSize(2)
                    .setPeers(peers)
                    .optEndpoint(r == 0 ? e0 : e1)
                    .optSession(7)
                    .build());
    try {
      checkCall(ranks, 5, 0, 1000, 1, WireFormat.FP32);
    } finally {
      closeAll(ranks);
      stranger.join();
    }
  }

  @Test
  void directPathRejectsHeapAndMisalignedBuffers() {
    try (RingAllReduce one = RingAllReduce.builder().setRank(0).setWorldSize(1).build()) {
      IllegalArgumentException heap =
          assertThrows(
              IllegalArgumentException.class, () -> one.allReduceMean(ByteBuffer.allocate(8), 1));
      assertTrue(heap.getMessage().contains("direct"), heap.getMessage());
      IllegalArgumentException odd =
          assertThrows(
              IllegalArgumentException.class,
              () -> one.allReduceMean(ByteBuffer.allocateDirect(8).position(2), 1));
      assertTrue(odd.getMessage().contains("multiples of 4"), odd.getMessage());
    }
  }

  @Test
  void worldSizeOneNeedsNoNetwork() {
    try (RingAllReduce one = RingAllReduce.builder().setRank(0).setWorldSize(1).build()) {
      float[] a = {3f, -6f, 1.5f};
      one.allReduceMean(a, 3);
      assertArrayEquals(new float[] {1f, -2f, 0.5f}, a);
      one.allReduceMean(new float[0], 1);
      assertEquals(2, one.calls());
    }
  }

  @Test
  void mismatchedLengthFailsNamingThePeer() throws Exception {
    List<RingAllReduce> ranks = ring(2, b -> b.optTimeout(Duration.ofSeconds(10)));
    try {
      List<String> messages =
          parallel(
              2,
              r -> {
                try {
                  ranks.get(r).allReduceMean(new float[10 + r], 1);
                  return "no error";
                } catch (PipelineException e) {
                  return e.getMessage();
                }
              });
      assertTrue(
          messages.get(0).contains("rank 1 (") && messages.get(0).contains("11 values"),
          messages.get(0));
      assertTrue(messages.get(1).contains("10 values"), messages.get(1));
    } finally {
      closeAll(ranks);
    }
  }

  @Test
  void stalledPeerTimesOutNamingIt() throws Exception {
    List<RingAllReduce> ranks = ring(2, b -> b.optTimeout(Duration.ofSeconds(1)));
    try {
      String peer1 = "rank 1 (" + addressOf(ranks, 1) + ")";
      long t0 = System.nanoTime();
      PipelineException e =
          assertThrows(PipelineException.class, () -> ranks.get(0).allReduceMean(new float[99], 1));
      double s = (System.nanoTime() - t0) / 1e9;
      assertTrue(s >= 0.9 && s < 5, "failed after " + s + " s");
      assertTrue(e.getMessage().contains("timed out"), e.getMessage());
      assertTrue(e.getMessage().contains("no data from " + peer1), e.getMessage());
      IllegalStateException again =
          assertThrows(
              IllegalStateException.class, () -> ranks.get(0).allReduceMean(new float[1], 1));
      assertTrue(again.getMessage().contains("cannot be reused"), again.getMessage());
    } finally {
      closeAll(ranks);
    }
  }

  @Test
  void peerDyingMidReduceFailsTheOthersFast() throws Exception {
    int w = 3;
    Duration timeout = Duration.ofSeconds(20);
    List<RingAllReduce> ranks = ring(w, b -> b.optTimeout(timeout).optBucketBytes(1 << 16));
    String peer1 = "rank 1 (" + addressOf(ranks, 1) + ")";
    String peer2 = "rank 2 (" + addressOf(ranks, 2) + ")";
    AtomicBoolean killed = new AtomicBoolean();
    long[] killedAt = new long[1];
    Thread killer =
        new Thread(
            () -> {
              try {
                Thread.sleep(300);
              } catch (InterruptedException e) {
                return;
              }
              killedAt[0] = System.nanoTime();
              killed.set(true);
              ranks.get(1).close(); // rank 1 "dies": its sockets close mid-transfer
            });
    killer.start();
    List<Object[]> outcomes =
        parallel(
            w,
            r -> {
              float[] a = input(1, 0, r, 1 << 20);
              for (int i = 0; i < 10_000; i++) {
                try {
                  ranks.get(r).allReduceMean(a, 1);
                } catch (RuntimeException e) {
                  return new Object[] {killed.get(), System.nanoTime(), e};
                }
              }
              return new Object[] {false, System.nanoTime(), null};
            });
    killer.join();
    try {
      for (int r : new int[] {0, 2}) {
        Object[] o = outcomes.get(r);
        if (o[2] == null) {
          fail("rank " + r + " never failed");
        }
        assertTrue((Boolean) o[0], "rank " + r + " failed before the kill: " + o[2]);
        RuntimeException e = (RuntimeException) o[2];
        assertTrue(e instanceof PipelineException, e.toString());
        double s = ((Long) o[1] - killedAt[0]) / 1e9;
        assertTrue(s < 5, "rank " + r + " failed " + s + " s after the kill");
        String m = e.getMessage();
        if (r == 2) {
          assertTrue(m.contains(peer1), m); // its left neighbour was the one that died
        } else {
          assertTrue(m.contains(peer1) || m.contains(peer2), m);
        }
        assertTrue(m.contains("All-reduce failed on rank " + r), m);
      }
    } finally {
      closeAll(ranks);
    }
  }

  @Test
  void builderRejectsBadValuesNamingThem() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> RingAllReduce.builder().setRank(3).setWorldSize(3).build());
    assertTrue(e.getMessage().contains("rank must be in [0, 2], got 3"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                RingAllReduce.builder()
                    .setRank(0)
                    .setWorldSize(2)
                    .setPeers(List.of("127.0.0.1:1"))
                    .build());
    assertTrue(e.getMessage().contains("one address per rank (2)"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                RingAllReduce.builder()
                    .setRank(0)
                    .setWorldSize(2)
                    .setPeers(List.of("127.0.0.1:1", "nohost"))
                    .build());
    assertTrue(e.getMessage().contains("host:port, got 'nohost'"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> RingAllReduce.builder().setRank(0).setWorldSize(2).optBucketBytes(6).build());
    assertTrue(e.getMessage().contains("got 6"), e.getMessage());
    try (RingAllReduce one = RingAllReduce.builder().setRank(0).setWorldSize(1).build()) {
      e = assertThrows(IllegalArgumentException.class, () -> one.allReduceMean(new float[1], 0));
      assertTrue(e.getMessage().contains("divisor must be at least 1, got 0"), e.getMessage());
    }
  }

  @Test
  void unreachablePeerFailsRendezvousWithinTimeout() throws Exception {
    RingAllReduce.Endpoint dead = RingAllReduce.bindLocal("127.0.0.1");
    String deadAddress = dead.address();
    dead.close(); // nothing listens there any more
    RingAllReduce.Endpoint mine = RingAllReduce.bindLocal("127.0.0.1");
    long t0 = System.nanoTime();
    PipelineException e =
        assertThrows(
            PipelineException.class,
            () ->
                RingAllReduce.builder()
                    .setRank(0)
                    .setWorldSize(2)
                    .setPeers(List.of(mine.address(), deadAddress))
                    .optEndpoint(mine)
                    .optTimeout(Duration.ofMillis(700))
                    .build());
    double s = (System.nanoTime() - t0) / 1e9;
    assertTrue(s < 4, "took " + s + " s");
    assertTrue(
        e.getMessage().contains("cannot connect to rank 1 (" + deadAddress + ")"), e.getMessage());
  }

  private static String addressOf(List<RingAllReduce> ranks, int r) {
    return ranks.get(r).peers().get(r);
  }

  /** One call on every rank; checks against the double reference and bit-identity across ranks. */
  private static float[][] checkCall(
      List<RingAllReduce> ranks, long seed, int call, int n, int divisor, WireFormat wire)
      throws Exception {
    return checkCall(ranks, seed, call, n, divisor, wire, false);
  }

  /**
   * As above; with {@code direct} each rank reduces in place in a direct buffer between guard
   * values (position 3 floats in, 2 floats before the limit) that must stay untouched.
   */
  private static float[][] checkCall(
      List<RingAllReduce> ranks,
      long seed,
      int call,
      int n,
      int divisor,
      WireFormat wire,
      boolean direct)
      throws Exception {
    int w = ranks.size();
    float[][] in = new float[w][];
    for (int r = 0; r < w; r++) {
      in[r] = input(seed, call, r, n);
    }
    List<float[]> out =
        parallel(
            w,
            r -> {
              if (!direct) {
                float[] a = in[r].clone();
                ranks.get(r).allReduceMean(a, divisor);
                return a;
              }
              ByteBuffer buf =
                  ByteBuffer.allocateDirect(4 * (n + 5)).order(ByteOrder.LITTLE_ENDIAN);
              FloatBuffer f = buf.asFloatBuffer();
              f.put(0, new float[] {-1f, -2f, -3f}).put(3, in[r]).put(n + 3, new float[] {7f, 8f});
              buf.position(12).limit(4 * (n + 3));
              ranks.get(r).allReduceMean(buf, divisor);
              assertEquals(12, buf.position(), "position unchanged");
              assertEquals(4 * (n + 3), buf.limit(), "limit unchanged");
              float[] guards = new float[5];
              f.get(0, guards, 0, 3).get(n + 3, guards, 3, 2);
              assertArrayEquals(new float[] {-1f, -2f, -3f, 7f, 8f}, guards, "guards untouched");
              float[] a = new float[n];
              f.get(3, a);
              return a;
            });
    double[] exp = n == 0 ? new double[0] : expectedMean(in, divisor);
    double[] tol =
        n == 0
            ? new double[0]
            : tolerance(in, divisor, wire == WireFormat.FP32 ? FP32_UNIT : BF16_UNIT);
    List<float[]> res = new ArrayList<>(out);
    for (int r = 0; r < w; r++) {
      float[] o = res.get(r);
      assertEquals(n, o.length);
      for (int i = 0; i < n; i++) {
        if (Math.abs(exp[i] - o[i]) > tol[i]) {
          fail(
              "W="
                  + w
                  + " n="
                  + n
                  + " rank "
                  + r
                  + " index "
                  + i
                  + ": "
                  + o[i]
                  + " vs reference "
                  + exp[i]
                  + " (tolerance "
                  + tol[i]
                  + ")");
        }
      }
      if (!Arrays.equals(res.get(0), o)) {
        fail("W=" + w + " n=" + n + ": rank " + r + " differs from rank 0");
      }
    }
    return res.toArray(new float[0][]);
  }
}
