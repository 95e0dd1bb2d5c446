package io.instructlake.clean;

import com.github.pemistahl.lingua.api.IsoCode639_1;
import com.github.pemistahl.lingua.api.Language;
import com.github.pemistahl.lingua.api.LanguageDetector;
import com.github.pemistahl.lingua.api.LanguageDetectorBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;

/**
 * Language identification with lingua, built only from the configured languages (each loaded
 * language model costs heap; all 75 cost about 2 GB), plus the CJK-share rules of Chinese cleaning
 * guides: text that is mostly Han characters is Chinese without asking the detector, and text the
 * detector calls Chinese must contain enough Han characters.
 *
 * <p>Not serializable: build it on the executor (see {@link CleanPipeline#forOptions}).
 */
public final class LanguageIdentifier {
  /** Language of undetermined text (too short, or no language reaches the minimum confidence). */
  public static final String UNDETERMINED = "und";

  /** Outcome: ISO 639-1 code or {@code und}, the top confidence, and the Han share of letters. */
  public record Result(String lang, double confidence, double cjkShare) {}

  private final CleanOptions.Language options;
  private final LanguageDetector detector;

  public LanguageIdentifier(CleanOptions.Language options) {
    this.options = options;
    List<Language> langs = new ArrayList<>();
    for (String code : options.detect()) {
      langs.add(languageOf(code));
    }
    LanguageDetectorBuilder b =
        LanguageDetectorBuilder.fromLanguages(langs.toArray(new Language[0]));
    if (options.lowAccuracy()) {
      b = b.withLowAccuracyMode();
    }
    this.detector = b.build();
  }

  /** The lingua language of an ISO 639-1 code, or null when lingua does not know it. */
  public static Language languageOf(String iso) {
    try {
      Language l = Language.getByIsoCode639_1(IsoCode639_1.valueOf(iso.toUpperCase(Locale.ROOT)));
      return l == Language.UNKNOWN ? null : l;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** Identifies the language of {@code text} (its first {@code max-chars} characters). */
  public Result identify(String text) {
    if (text == null) {
      return new Result(UNDETERMINED, 0.0, 0.0);
    }
    if (text.length() > options.maxChars()) {
      int end = options.maxChars();
      if (Character.isHighSurrogate(text.charAt(end - 1))) {
        end--;
      }
      text = text.substring(0, end);
    }
    int letters = 0;
    int han = 0;
    int kanaOrHangul = 0;
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      i += Character.charCount(cp);
      if (!Character.isLetter(cp)) {
        continue;
      }
      letters++;
      Character.UnicodeScript sc = Character.UnicodeScript.of(cp);
      if (sc == Character.UnicodeScript.HAN) {
        han++;
      } else if (sc == Character.UnicodeScript.HIRAGANA
          || sc == Character.UnicodeScript.KATAKANA
          || sc == Character.UnicodeScript.HANGUL) {
        kanaOrHangul++;
      }
    }
    double cjkShare = letters == 0 ? 0.0 : han / (double) letters;
    if (letters < options.minLetters()) {
      return new Result(UNDETERMINED, 0.0, cjkShare);
    }
    if (kanaOrHangul == 0 && cjkShare >= options.cjkFastPathShare()) {
      return new Result("zh", 1.0, cjkShare);
    }
    SortedMap<Language, Double> conf = detector.computeLanguageConfidenceValues(text);
    Language best = null;
    double bestValue = 0.0;
    for (Map.Entry<Language, Double> e : conf.entrySet()) {
      if (e.getValue() > bestValue) {
        best = e.getKey();
        bestValue = e.getValue();
      }
    }
    if (best == null || best == Language.UNKNOWN || bestValue < options.minConfidence()) {
      return new Result(UNDETERMINED, bestValue, cjkShare);
    }
    return new Result(best.getIsoCode639_1().name().toLowerCase(Locale.ROOT), bestValue, cjkShare);
  }

  /**
   * The language filter: null when kept, else {@code wrong_language} with the detected language,
   * its confidence and the CJK share.
   */
  public Drop check(Result r) {
    String lang = r.lang();
    if (UNDETERMINED.equals(lang)) {
      return options.keepUndetermined()
          ? null
          : new Drop(
              "wrong_language",
              String.format(
                  Locale.ROOT,
                  "language undetermined (confidence %.2f < min-confidence %.2f or too few letters)",
                  r.confidence(),
                  options.minConfidence()));
    }
    if (!options.allow().contains(lang)) {
      return new Drop(
          "wrong_language",
          String.format(
              Locale.ROOT,
              "language %s (confidence %.2f) not in allow %s",
              lang,
              r.confidence(),
              options.allow()));
    }
    if ("zh".equals(lang) && r.cjkShare() < options.zhMinCjkShare()) {
      return new Drop(
          "wrong_language",
          String.format(
              Locale.ROOT,
              "zh with CJK share %.3f < zh-min-cjk-share %.3f",
              r.cjkShare(),
              options.zhMinCjkShare()));
    }
    return null;
  }
}
