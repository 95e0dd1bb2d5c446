package io.instructlake.dedupe;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The exact-duplicate key of a record: hex SHA-256 (first 32 hex characters, 128 bits) of the
 * canonical normalized content. The canonical form is the normalized system prompt, then for every
 * message its role and normalized content, then (when {@code dedupe.normalize.include-tools} is on)
 * the normalized tools text, each part preceded by a separator byte that cannot occur in normalized
 * text's ordinary characters ({@code U+0000..U+0003}), so {@code ("ab","c")} and {@code ("a","bc")}
 * differ.
 */
public final class DedupeKey implements Serializable {
  private static final long serialVersionUID = 1L;

  private final ContentNormalizer normalizer;
  private final boolean includeTools;

  public DedupeKey(ContentNormalizer normalizer, boolean includeTools) {
    if (normalizer == null) {
      throw new IllegalArgumentException("normalizer is null");
    }
    this.normalizer = normalizer;
    this.includeTools = includeTools;
  }

  public ContentNormalizer normalizer() {
    return normalizer;
  }

  /**
   * The key of one record.
   *
   * @param roles message roles, same length as {@code contents}
   */
  public String key(String system, List<String> roles, List<String> contents, String tools) {
    if (roles.size() != contents.size()) {
      throw new IllegalArgumentException(
          "roles (" + roles.size() + ") and contents (" + contents.size() + ") differ in length");
    }
    StringBuilder sb = new StringBuilder();
    sb.append('\u0000').append(normalizer.normalize(system));
    for (int i = 0; i < roles.size(); i++) {
      sb.append('\u0001').append(roles.get(i) == null ? "" : roles.get(i));
      sb.append('\u0002').append(normalizer.normalize(contents.get(i)));
    }
    if (includeTools) {
      sb.append('\u0003').append(normalizer.normalize(tools));
    }
    return sha256Hex32(sb.toString());
  }

  /** First 32 hex characters of SHA-256 over the UTF-8 bytes. */
  static String sha256Hex32(String s) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      byte[] d = md.digest(s.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JRE", e);
    }
  }

  /** Settings that change keys, stored with the persisted Bloom filter. */
  public String describe() {
    return normalizer.describe() + ",tools=" + includeTools;
  }
}
