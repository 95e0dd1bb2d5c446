package io.instructlake.dedupe;

import java.io.Serializable;
import java.util.SplittableRandom;

/**
 * MinHash signatures and LSH band keys over 64-bit shingle hashes.
 *
 * <p>Written here rather than taken from MLlib's {@code MinHashLSH}: MLlib's model needs the
 * shingles as a {@code Vector} of bounded dimension (a HashingTF step that folds shingles into 2^k
 * buckets, adding collisions), rejects empty vectors, and exposes each hash table as a single
 * min-hash (OR-amplification only), so the b-bands-of-r-rows AND/OR construction has to be built on
 * top anyway. Each of the {@code k} permutations is a seeded multiply-add on the (already
 * avalanche-mixed) 64-bit shingle hash, keeping the top 32 bits: {@code h_i(x) = (a_i x + b_i) >>>
 * 32} with odd {@code a_i} (multiply-shift universal hashing).
 */
public final class MinHasher implements Serializable {
  private static final long serialVersionUID = 1L;

  private final int permutations;
  private final int bands;
  private final int rows;
  private final long seed;
  private final long[] a;
  private final long[] b;

  /**
   * @param permutations signature length k
   * @param bands b; {@code bands * rows <= permutations}
   * @param rows r, rows per band
   * @param seed seed of the permutations
   */
  public MinHasher(int permutations, int bands, int rows, long seed) {
    if (permutations < 1 || bands < 1 || rows < 1 || (long) bands * rows > permutations) {
      throw new IllegalArgumentException(
          "need bands * rows <= permutations, all >= 1; got k="
              + permutations
              + ", b="
              + bands
              + ", r="
              + rows);
    }
    this.permutations = permutations;
    this.bands = bands;
    this.rows = rows;
    this.seed = seed;
    SplittableRandom rnd = new SplittableRandom(seed);
    this.a = new long[permutations];
    this.b = new long[permutations];
    for (int i = 0; i < permutations; i++) {
      a[i] = rnd.nextLong() | 1L;
      b[i] = rnd.nextLong();
    }
  }

  public int bands() {
    return bands;
  }

  public int rows() {
    return rows;
  }

  /** The k-value signature; all {@code Integer.MAX_VALUE}-like sentinels for an empty set. */
  public long[] signature(long[] shingles) {
    long[] sig = new long[permutations];
    java.util.Arrays.fill(sig, Long.MAX_VALUE);
    for (long x : shingles) {
      for (int i = 0; i < permutations; i++) {
        long h = (a[i] * x + b[i]) >>> 32;
        if (h < sig[i]) {
          sig[i] = h;
        }
      }
    }
    return sig;
  }

  /**
   * The b band keys: band j hashes signature rows {@code [j*r, (j+1)*r)} with the band index, so
   * equal keys mean (with probability 1 - 2^-64) equal bands. Empty shingle sets have no bands
   * (they are never candidates; an empty record is kept).
   */
  public long[] bandKeys(long[] shingles) {
    if (shingles.length == 0) {
      return new long[0];
    }
    long[] sig = signature(shingles);
    long[] keys = new long[bands];
    for (int j = 0; j < bands; j++) {
      long h = Shingler.mix64(0x632BE59BD9B4E019L + j);
      for (int i = j * rows; i < (j + 1) * rows; i++) {
        h = Shingler.mix64(h ^ sig[i]);
      }
      keys[j] = h;
    }
    return keys;
  }

  /** Settings that change band keys, stored with persisted signatures. */
  public String describe() {
    return "k=" + permutations + ",b=" + bands + ",r=" + rows + ",seed=" + seed;
  }
}
