package io.instructlake.clean;

import java.io.Serializable;
import java.text.Normalizer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.text.StringEscapeUtils;

/**
 * Normalizes one text: HTML tags and entities, Unicode NFKC with full-width punctuation kept next
 * to Chinese, zero-width and control characters, whitespace, runs of repeated punctuation. Each
 * step can be switched off. The steps run to a fixpoint (at most {@value #MAX_PASSES} passes), so
 * {@code normalize(normalize(x)).equals(normalize(x))} also for inputs such as {@code &amp;lt;}
 * where one pass of entity decoding uncovers another.
 *
 * <p>Entity decoding uses Apache Commons Text ({@code StringEscapeUtils.unescapeHtml4}); NFKC is
 * the JDK's {@link Normalizer}. "Where safe" for full-width to half-width means: full-width
 * letters, digits and the ideographic space always become ASCII (NFKC); full-width punctuation such
 * as {@code ，：（} stays full-width when a neighbouring character is Chinese, since converting it
 * changes how Chinese text reads and tokenizes.
 */
public final class TextNormalizer implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Passes before giving up on a fixpoint; every real input settles in two. */
  static final int MAX_PASSES = 4;

  private static final Pattern TAG =
      Pattern.compile(
          "(?i)<!--[\\s\\S]*?-->|</?(?:a|abbr|b|big|blockquote|body|br|center|cite|code|del|div|em"
              + "|font|h[1-6]|head|hr|html|i|img|ins|li|mark|ol|p|pre|s|small|span|strike|strong|sub"
              + "|sup|table|tbody|td|tfoot|th|thead|title|tr|tt|u|ul)"
              + "(?:\\s+[a-zA-Z_:][-a-zA-Z0-9_:.]*(?:\\s*=\\s*(?:\"[^\"]*\"|'[^']*'|[^\\s\"'=<>`]+))?)*"
              + "\\s*/?>");
  private static final Pattern BLOCK_TAG =
      Pattern.compile("(?i)</?(?:br|p|div|li|tr|h[1-6]|blockquote|table|ul|ol|pre|hr)\\b");
  private static final Pattern ENTITY =
      Pattern.compile("&(?:[a-zA-Z][a-zA-Z0-9]{1,31}|#\\d{1,7}" + "|#[xX][0-9a-fA-F]{1,6});");
  private static final Pattern SPACES = Pattern.compile("(?<=\\S)[ \\t\\u00A0]{2,}");
  private static final Pattern TRAILING = Pattern.compile("[ \\t]+(?=\\n|$)");
  private static final Pattern BLANK_LINES = Pattern.compile("\\n{3,}");

  private final boolean html;
  private final boolean nfkc;
  private final boolean keepCjkPunctuation;
  private final boolean controlChars;
  private final boolean whitespace;
  private final int maxRepeatedPunctuation;
  private final String repeatablePunctuation;

  private TextNormalizer(Builder b) {
    this.html = b.html;
    this.nfkc = b.nfkc;
    this.keepCjkPunctuation = b.keepCjkPunctuation;
    this.controlChars = b.controlChars;
    this.whitespace = b.whitespace;
    this.maxRepeatedPunctuation = b.maxRepeatedPunctuation;
    this.repeatablePunctuation = b.repeatablePunctuation;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Normalizes {@code text}; null stays null. */
  public String normalize(String text) {
    if (text == null || text.isEmpty()) {
      return text;
    }
    String cur = text;
    for (int i = 0; i < MAX_PASSES; i++) {
      String next = pass(cur);
      if (next.equals(cur)) {
        return next;
      }
      cur = next;
    }
    return cur;
  }

  private String pass(String s) {
    if (html) {
      s = stripHtml(s);
    }
    if (controlChars) {
      s = removeInvisible(s);
    }
    if (nfkc) {
      s = nfkc(s);
    }
    if (maxRepeatedPunctuation > 0) {
      s = squeezePunctuation(s);
    }
    if (whitespace) {
      s = whitespace(s);
    }
    return s;
  }

  private static String stripHtml(String s) {
    if (s.indexOf('<') >= 0) {
      Matcher m = TAG.matcher(s);
      StringBuilder sb = new StringBuilder(s.length());
      int pos = 0;
      while (m.find()) {
        sb.append(s, pos, m.start());
        if (BLOCK_TAG.matcher(m.group()).lookingAt()) {
          sb.append('\n');
        }
        pos = m.end();
      }
      s = sb.append(s, pos, s.length()).toString();
    }
    if (s.indexOf('&') >= 0 && ENTITY.matcher(s).find()) {
      s = StringEscapeUtils.unescapeHtml4(s);
    }
    return s;
  }

  /** Drops zero-width characters, soft hyphens, BOMs and control characters except tab/newline. */
  private static String removeInvisible(String s) {
    StringBuilder sb = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean drop;
      if (c == '\r') {
        // CRLF -> LF; a lone CR becomes LF.
        drop = i + 1 < s.length() && s.charAt(i + 1) == '\n';
        if (!drop) {
          if (sb == null) {
            sb = new StringBuilder(s.length()).append(s, 0, i);
          }
          sb.append('\n');
          continue;
        }
      } else {
        drop =
            (c < 0x20 && c != '\n' && c != '\t')
                || (c >= 0x7F && c <= 0x9F)
                || c == '\u00AD'
                || (c >= '\u200B' && c <= '\u200F')
                || (c >= '\u202A' && c <= '\u202E')
                || (c >= '\u2060' && c <= '\u2064')
                || c == '\uFEFF';
      }
      if (drop) {
        if (sb == null) {
          sb = new StringBuilder(s.length()).append(s, 0, i);
        }
      } else if (sb != null) {
        sb.append(c);
      }
    }
    return sb == null ? s : sb.toString();
  }

  private String nfkc(String s) {
    if (!keepCjkPunctuation || !hasFullWidthPunctuation(s)) {
      return Normalizer.isNormalized(s, Normalizer.Form.NFKC)
          ? s
          : Normalizer.normalize(s, Normalizer.Form.NFKC);
    }
    // Normalize the runs between protected full-width punctuation marks.
    StringBuilder sb = new StringBuilder(s.length());
    int runStart = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (isFullWidthPunctuation(c) && nextToCjk(s, i)) {
        sb.append(Normalizer.normalize(s.substring(runStart, i), Normalizer.Form.NFKC)).append(c);
        runStart = i + 1;
      }
    }
    sb.append(Normalizer.normalize(s.substring(runStart), Normalizer.Form.NFKC));
    return sb.toString();
  }

  private static boolean hasFullWidthPunctuation(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (isFullWidthPunctuation(s.charAt(i))) {
        return true;
      }
    }
    return false;
  }

  /** Full-width ASCII punctuation (U+FF01..U+FF5E that is not a letter or digit). */
  static boolean isFullWidthPunctuation(char c) {
    return c >= '\uFF01' && c <= '\uFF5E' && !Character.isLetterOrDigit(c);
  }

  /**
   * Whether the nearest character on either side, skipping spaces and other full-width punctuation,
   * is a CJK ideograph or CJK punctuation.
   */
  private static boolean nextToCjk(String s, int i) {
    for (int j = i - 1; j >= 0; j--) {
      char c = s.charAt(j);
      if (c == ' ' || isFullWidthPunctuation(c)) {
        continue;
      }
      if (isCjk(c)) {
        return true;
      }
      break;
    }
    for (int j = i + 1; j < s.length(); j++) {
      char c = s.charAt(j);
      if (c == ' ' || isFullWidthPunctuation(c)) {
        continue;
      }
      return isCjk(c);
    }
    return false;
  }

  /** CJK ideographs (incl. extension A and compatibility), CJK punctuation, kana, Hangul. */
  public static boolean isCjk(int c) {
    Character.UnicodeScript sc = Character.UnicodeScript.of(c);
    return sc == Character.UnicodeScript.HAN
        || sc == Character.UnicodeScript.HIRAGANA
        || sc == Character.UnicodeScript.KATAKANA
        || sc == Character.UnicodeScript.HANGUL
        || (c >= 0x3000 && c <= 0x303F && c != 0x3000);
  }

  private String squeezePunctuation(String s) {
    StringBuilder sb = null;
    int run = 0;
    char prev = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      run = (c == prev) ? run + 1 : 1;
      prev = c;
      boolean drop = run > maxRepeatedPunctuation && repeatablePunctuation.indexOf(c) >= 0;
      if (drop) {
        if (sb == null) {
          sb = new StringBuilder(s.length()).append(s, 0, i);
        }
      } else if (sb != null) {
        sb.append(c);
      }
    }
    return sb == null ? s : sb.toString();
  }

  /**
   * Collapses runs of spaces inside a line (leading indentation is kept for code), removes trailing
   * spaces, keeps at most one blank line, trims the text.
   */
  private static String whitespace(String s) {
    s = SPACES.matcher(s).replaceAll(" ");
    s = TRAILING.matcher(s).replaceAll("");
    s = BLANK_LINES.matcher(s).replaceAll("\n\n");
    return s.strip();
  }

  /** Builder; every step is optional and on by default. */
  public static final class Builder {
    private boolean html = true;
    private boolean nfkc = true;
    private boolean keepCjkPunctuation = true;
    private boolean controlChars = true;
    private boolean whitespace = true;
    private int maxRepeatedPunctuation = 3;
    private String repeatablePunctuation = "!?！？。，,;；、~～";

    private Builder() {}

    /** Strip known HTML tags (block tags become newlines) and decode entities; default true. */
    public Builder optHtml(boolean on) {
      this.html = on;
      return this;
    }

    /** Unicode NFKC (full-width letters/digits to ASCII); default true. */
    public Builder optNfkc(boolean on) {
      this.nfkc = on;
      return this;
    }

    /** Keep full-width punctuation next to Chinese when applying NFKC; default true. */
    public Builder optKeepCjkPunctuation(boolean on) {
      this.keepCjkPunctuation = on;
      return this;
    }

    /** Remove control, zero-width and bidi characters, CRLF to LF; default true. */
    public Builder optControlChars(boolean on) {
      this.controlChars = on;
      return this;
    }

    /** Collapse spaces, drop trailing spaces and extra blank lines, trim; default true. */
    public Builder optWhitespace(boolean on) {
      this.whitespace = on;
      return this;
    }

    /** Longest run of one repeatable punctuation mark kept; 0 disables; default 3. */
    public Builder optMaxRepeatedPunctuation(int max) {
      this.maxRepeatedPunctuation = max;
      return this;
    }

    /** The punctuation marks whose runs are shortened; default {@code !?！？。，,;；、~～}. */
    public Builder optRepeatablePunctuation(String chars) {
      this.repeatablePunctuation = chars;
      return this;
    }

    public TextNormalizer build() {
      if (maxRepeatedPunctuation < 0) {
        throw new IllegalArgumentException(
            "maxRepeatedPunctuation must be >= 0 (0 disables), got " + maxRepeatedPunctuation);
      }
      if (repeatablePunctuation == null) {
        throw new IllegalArgumentException("repeatablePunctuation must not be null");
      }
      return new TextNormalizer(this);
    }
  }
}
