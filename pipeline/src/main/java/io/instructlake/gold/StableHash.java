package io.instructlake.gold;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Hashes that never change between runs, JVMs or Spark versions (SHA-256 of UTF-8 text), used for
 * split assignment, sampling ranks, seeds of per-record random generators and new record ids.
 */
public final class StableHash {
  private StableHash() {}

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JRE", e);
    }
  }

  /** A 64-bit hash of {@code parts} joined with a separator that cannot occur in ids. */
  public static long hash64(String... parts) {
    byte[] d = sha256(String.join("\u0001", parts));
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (d[i] & 0xffL);
    }
    return v;
  }

  /** A uniform number in [0, 1) from the top 53 bits of {@link #hash64}. */
  public static double unit(String... parts) {
    return (hash64(parts) >>> 11) * 0x1.0p-53;
  }

  /** A 32-hex-character id (same shape as {@code record_id}) for a derived row. */
  public static String id(String... parts) {
    return HexFormat.of().formatHex(sha256(String.join("\u0001", parts))).substring(0, 32);
  }
}
