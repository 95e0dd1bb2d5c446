package io.instructlake.dedupe;

import java.io.Serializable;
import java.text.Normalizer;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Normalizes record text before it is hashed (exact key) or shingled (near duplicates). Steps, in
 * order, each switchable (config {@code dedupe.normalize.*}):
 *
 * <ol>
 *   <li>Unicode NFKC ({@code nfkc}, default on): full-width and compatibility forms fold to their
 *       canonical characters, so {@code "ＡＢＣ１"} equals {@code "ABC1"};
 *   <li>whitespace collapse ({@code collapse-whitespace}, default on): every run of Unicode
 *       whitespace becomes one space, leading and trailing whitespace is removed;
 *   <li>case folding ({@code case-fold}, default off): upper- then lower-casing in the root locale
 *       (a close approximation of Unicode full case folding: {@code "Straße"} and {@code "STRASSE"}
 *       fold alike).
 * </ol>
 *
 * <p>{@code null} normalizes to the empty string.
 */
public final class ContentNormalizer implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final Pattern WS = Pattern.compile("[\\s\\u00A0\\u2007\\u202F\\u3000]+");

  private final boolean nfkc;
  private final boolean collapseWhitespace;
  private final boolean caseFold;

  private ContentNormalizer(Builder b) {
    this.nfkc = b.nfkc;
    this.collapseWhitespace = b.collapseWhitespace;
    this.caseFold = b.caseFold;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The defaults: NFKC and whitespace collapse on, case folding off. */
  public static ContentNormalizer defaults() {
    return builder().build();
  }

  /** Normalizes one string. */
  public String normalize(String s) {
    if (s == null || s.isEmpty()) {
      return "";
    }
    String out = s;
    if (nfkc) {
      out = Normalizer.normalize(out, Normalizer.Form.NFKC);
    }
    if (collapseWhitespace) {
      out = WS.matcher(out).replaceAll(" ").strip();
    }
    if (caseFold) {
      out = out.toUpperCase(Locale.ROOT).toLowerCase(Locale.ROOT);
    }
    return out;
  }

  /**
   * The text that near-duplicate detection shingles: normalized system prompt and every message's
   * content, joined by single spaces (roles are not part of it; empty parts are skipped).
   */
  public String shingleText(String system, List<String> contents) {
    StringBuilder sb = new StringBuilder();
    String sys = normalize(system);
    if (!sys.isEmpty()) {
      sb.append(sys);
    }
    for (String c : contents) {
      String n = normalize(c);
      if (!n.isEmpty()) {
        if (sb.length() > 0) {
          sb.append(' ');
        }
        sb.append(n);
      }
    }
    return sb.toString();
  }

  /** A short description of the settings, stored with persisted state to detect changes. */
  public String describe() {
    return "nfkc=" + nfkc + ",ws=" + collapseWhitespace + ",fold=" + caseFold;
  }

  /** Builder; every option has a default. */
  public static final class Builder {
    private boolean nfkc = true;
    private boolean collapseWhitespace = true;
    private boolean caseFold = false;

    /** Apply Unicode NFKC; default true. */
    public Builder optNfkc(boolean v) {
      this.nfkc = v;
      return this;
    }

    /** Collapse whitespace runs to one space and trim; default true. */
    public Builder optCollapseWhitespace(boolean v) {
      this.collapseWhitespace = v;
      return this;
    }

    /** Fold case; default false. */
    public Builder optCaseFold(boolean v) {
      this.caseFold = v;
      return this;
    }

    public ContentNormalizer build() {
      return new ContentNormalizer(this);
    }
  }
}
