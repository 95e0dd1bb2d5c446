package io.instructlake.augment;

import com.hankcs.hanlp.HanLP;
import com.hankcs.hanlp.seg.Segment;
import com.hankcs.hanlp.seg.common.Term;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits a text into tokens whose concatenation is exactly the text: protected spans (one token
 * each), whitespace, words and other characters. English words come from a regex; Chinese words
 * from HanLP's segmenter, whose part-of-speech tags mark named entities (person {@code nr}, place
 * {@code ns}, organization {@code nt}, other proper noun {@code nz}) and numerals ({@code m}),
 * which are protected too. In English, a capitalized word that does not start a sentence is taken
 * as a named entity.
 */
public final class Tokens {
  /** Token kinds. */
  public enum Kind {
    WORD,
    SPACE,
    OTHER,
    PROTECTED
  }

  /**
   * One token.
   *
   * @param text its text
   * @param kind its kind
   * @param editable true for a word that augmentation may change (not protected, not an entity)
   */
  public record Token(String text, Kind kind, boolean editable) {}

  private static final Pattern EN =
      Pattern.compile("\\s+|\\p{L}+(?:['’]\\p{L}+)*|.", Pattern.DOTALL);

  private Tokens() {}

  /** True when a fifth or more of the letters are CJK ideographs. */
  public static boolean isChinese(String text) {
    int cjk = 0;
    int letters = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.UnicodeScript.of(c) == Character.UnicodeScript.HAN) {
        cjk++;
        letters++;
      } else if (Character.isLetter(c)) {
        letters++;
      }
    }
    return letters > 0 && cjk * 5 >= letters;
  }

  /** Tokenizes {@code text}; {@code chinese} selects HanLP segmentation. */
  public static List<Token> tokenize(String text, boolean chinese) {
    List<Token> out = new ArrayList<>();
    int pos = 0;
    for (int[] span : ProtectedSpans.find(text)) {
      if (span[0] > pos) {
        plain(text.substring(pos, span[0]), chinese, out);
      }
      out.add(new Token(text.substring(span[0], span[1]), Kind.PROTECTED, false));
      pos = span[1];
    }
    if (pos < text.length()) {
      plain(text.substring(pos), chinese, out);
    }
    return out;
  }

  /** Concatenates token texts. */
  public static String join(List<Token> tokens) {
    StringBuilder sb = new StringBuilder();
    for (Token t : tokens) {
      sb.append(t.text());
    }
    return sb.toString();
  }

  private static void plain(String s, boolean chinese, List<Token> out) {
    if (chinese) {
      segmentChinese(s, out);
      return;
    }
    Matcher m = EN.matcher(s);
    boolean sentenceStart = out.isEmpty() || endsSentence(out);
    while (m.find()) {
      String w = m.group();
      if (Character.isWhitespace(w.charAt(0))) {
        out.add(new Token(w, Kind.SPACE, false));
      } else if (Character.isLetter(w.charAt(0))) {
        boolean entity = Character.isUpperCase(w.charAt(0)) && !sentenceStart;
        out.add(new Token(w, Kind.WORD, !entity));
        sentenceStart = false;
      } else {
        out.add(new Token(w, Kind.OTHER, false));
        if (".!?:\n".indexOf(w.charAt(0)) >= 0) {
          sentenceStart = true;
        }
      }
    }
  }

  private static boolean endsSentence(List<Token> out) {
    for (int i = out.size() - 1; i >= 0; i--) {
      Token t = out.get(i);
      if (t.kind() == Kind.SPACE) {
        continue;
      }
      return t.kind() == Kind.OTHER && ".!?:".contains(t.text());
    }
    return true;
  }

  private static void segmentChinese(String s, List<Token> out) {
    for (Term t : Holder.SEGMENT.seg(s)) {
      String w = t.word;
      if (w.isBlank()) {
        out.add(new Token(w, Kind.SPACE, false));
        continue;
      }
      String tag = t.nature == null ? "" : t.nature.toString();
      boolean letter = Character.isLetter(w.charAt(0));
      if (!letter) {
        out.add(new Token(w, Kind.OTHER, false));
        continue;
      }
      boolean entity =
          tag.startsWith("nr")
              || tag.startsWith("ns")
              || tag.startsWith("nt")
              || tag.startsWith("nz")
              || tag.startsWith("m")
              || tag.startsWith("nx")
              || tag.equals("x");
      out.add(new Token(w, Kind.WORD, !entity));
    }
  }

  /** HanLP's standard segmenter with name/place/organization recognition, built once per JVM. */
  private static final class Holder {
    static final Segment SEGMENT =
        HanLP.newSegment()
            .enableNameRecognize(true)
            .enablePlaceRecognize(true)
            .enableOrganizationRecognize(true);
  }
}
