package io.instructlake.dedupe;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Turns normalized text into a set of shingles, each hashed to 64 bits, returned as a sorted array
 * of distinct values (the form {@link Jaccard} and {@link MinHasher} take).
 *
 * <ul>
 *   <li>{@link Mode#CHAR}: character n-grams over code points with whitespace removed (Chinese and
 *       other CJK text, which has no whitespace tokenization);
 *   <li>{@link Mode#WORD}: word n-grams over tokens split on anything that is not a letter or
 *       digit;
 *   <li>{@link Mode#AUTO} (default): {@code CHAR} when CJK code points (Han, Hiragana, Katakana,
 *       Hangul) are at least {@code cjkShare} of the letters, else {@code WORD}.
 * </ul>
 *
 * <p>Short text is never discarded: text with fewer units than n yields one shingle (the whole
 * sequence), so short records are still compared. Only empty text yields the empty set.
 *
 * <p>Shingle hashes are 64-bit (FNV-1a with a SplitMix64 finalizer); two different shingles collide
 * with probability about 2^-64, so the Jaccard computed on hashes equals the Jaccard of the shingle
 * sets for any corpus this pipeline sees.
 */
public final class Shingler implements Serializable {
  private static final long serialVersionUID = 1L;

  /** How text is cut into units. */
  public enum Mode {
    AUTO,
    CHAR,
    WORD;

    /** Parses a config value (case-insensitive). */
    public static Mode parse(String s) {
      return Mode.valueOf(s.toUpperCase(Locale.ROOT));
    }
  }

  private final Mode mode;
  private final int charN;
  private final int wordN;
  private final double cjkShare;

  private Shingler(Builder b) {
    this.mode = b.mode;
    this.charN = b.charN;
    this.wordN = b.wordN;
    this.cjkShare = b.cjkShare;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The mode {@code AUTO} resolves to for this text (or the fixed mode). */
  public Mode modeFor(String text) {
    if (mode != Mode.AUTO) {
      return mode;
    }
    int letters = 0;
    int cjk = 0;
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      i += Character.charCount(cp);
      if (Character.isLetterOrDigit(cp)) {
        letters++;
        if (isCjk(cp)) {
          cjk++;
        }
      }
    }
    return letters > 0 && cjk >= cjkShare * letters ? Mode.CHAR : Mode.WORD;
  }

  static boolean isCjk(int cp) {
    Character.UnicodeScript s = Character.UnicodeScript.of(cp);
    return s == Character.UnicodeScript.HAN
        || s == Character.UnicodeScript.HIRAGANA
        || s == Character.UnicodeScript.KATAKANA
        || s == Character.UnicodeScript.HANGUL;
  }

  /** The shingle strings (for tests and debugging); {@link #shingles} hashes these. */
  public List<String> shingleStrings(String text) {
    List<String> units = units(text);
    List<String> out = new ArrayList<>();
    if (units.isEmpty()) {
      return out;
    }
    boolean chars = modeFor(text) == Mode.CHAR;
    int n = chars ? charN : wordN;
    String sep = chars ? "" : " ";
    if (units.size() <= n) {
      out.add(String.join(sep, units));
      return out;
    }
    for (int i = 0; i + n <= units.size(); i++) {
      out.add(String.join(sep, units.subList(i, i + n)));
    }
    return out;
  }

  /** Sorted distinct 64-bit hashes of the shingles; empty only for empty text. */
  public long[] shingles(String text) {
    List<String> units = units(text);
    if (units.isEmpty()) {
      return new long[0];
    }
    boolean chars = modeFor(text) == Mode.CHAR;
    int n = Math.min(chars ? charN : wordN, units.size());
    long[] unitHash = new long[units.size()];
    for (int i = 0; i < unitHash.length; i++) {
      unitHash[i] = fnv1a(units.get(i));
    }
    long[] out = new long[units.size() - n + 1];
    for (int i = 0; i < out.length; i++) {
      long h = 0x9E3779B97F4A7C15L;
      for (int j = 0; j < n; j++) {
        h = mix64(h * 31 + unitHash[i + j]);
      }
      out[i] = h;
    }
    Arrays.sort(out);
    int m = 0;
    for (int i = 0; i < out.length; i++) {
      if (i == 0 || out[i] != out[i - 1]) {
        out[m++] = out[i];
      }
    }
    return Arrays.copyOf(out, m);
  }

  private List<String> units(String text) {
    List<String> units = new ArrayList<>();
    if (text == null || text.isEmpty()) {
      return units;
    }
    if (modeFor(text) == Mode.CHAR) {
      for (int i = 0; i < text.length(); ) {
        int cp = text.codePointAt(i);
        i += Character.charCount(cp);
        if (!Character.isWhitespace(cp) && !Character.isSpaceChar(cp)) {
          units.add(new String(Character.toChars(cp)));
        }
      }
      return units;
    }
    int start = -1;
    for (int i = 0; i <= text.length(); ) {
      int cp = i < text.length() ? text.codePointAt(i) : ' ';
      boolean word = i < text.length() && Character.isLetterOrDigit(cp);
      if (word && start < 0) {
        start = i;
      } else if (!word && start >= 0) {
        units.add(text.substring(start, i));
        start = -1;
      }
      i += i < text.length() ? Character.charCount(cp) : 1;
    }
    return units;
  }

  static long fnv1a(String s) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < s.length(); i++) {
      h ^= s.charAt(i);
      h *= 0x100000001b3L;
    }
    return mix64(h);
  }

  /** SplitMix64 finalizer: a bijection on 64-bit values with good avalanche. */
  static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  /** Settings that change shingles, stored with persisted signatures. */
  public String describe() {
    return "mode=" + mode + ",char=" + charN + ",word=" + wordN + ",cjk=" + cjkShare;
  }

  /** Builder; every option has a default. */
  public static final class Builder {
    private Mode mode = Mode.AUTO;
    private int charN = 5;
    private int wordN = 3;
    private double cjkShare = 0.3;

    /** Unit mode; default {@link Mode#AUTO}. */
    public Builder optMode(Mode m) {
      this.mode = m;
      return this;
    }

    /** Characters per shingle in CHAR mode; default 5. */
    public Builder optCharNgram(int n) {
      this.charN = n;
      return this;
    }

    /** Words per shingle in WORD mode; default 3. */
    public Builder optWordNgram(int n) {
      this.wordN = n;
      return this;
    }

    /** Share of CJK letters from which AUTO uses CHAR mode; default 0.3. */
    public Builder optCjkShare(double share) {
      this.cjkShare = share;
      return this;
    }

    public Shingler build() {
      if (mode == null) {
        throw new IllegalArgumentException("mode is null");
      }
      if (charN < 1 || wordN < 1) {
        throw new IllegalArgumentException(
            "n-gram sizes must be >= 1, got char=" + charN + ", word=" + wordN);
      }
      if (!(cjkShare >= 0 && cjkShare <= 1)) {
        throw new IllegalArgumentException("cjkShare must be in [0, 1], got " + cjkShare);
      }
      return new Shingler(this);
    }
  }
}
