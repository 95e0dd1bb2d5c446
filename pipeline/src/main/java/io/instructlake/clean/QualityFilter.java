package io.instructlake.clean;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Quality heuristics after Gopher (Rae et al. 2021, appendix A) and C4, with Chinese-aware
 * versions. No maintained Java implementation exists (the reference ones are Python: DataTrove,
 * Dolma), so the rules are written here with Gopher's definitions:
 *
 * <ul>
 *   <li>{@code symbol_ratio}: hash signs plus ellipses per word;
 *   <li>{@code bullet_lines} / {@code ellipsis_lines}: share of lines starting with a bullet /
 *       ending with an ellipsis;
 *   <li>{@code repeated_lines}: share of lines, and of characters, in lines seen before;
 *   <li>{@code top_ngram}: characters covered by the most frequent n-gram over all word characters;
 *   <li>{@code dup_ngram}: characters inside n-grams that occur more than once;
 *   <li>{@code stop_words}: too few stop words; {@code mean_word_length}: outside bounds.
 * </ul>
 *
 * <p>Chinese text (CJK share at least {@code length.cjk-share}) uses characters as words: n-grams
 * over characters with their own sizes and thresholds, Chinese stop words, and no mean word length
 * (a Chinese "word" of one character says nothing about quality). Rules only apply from {@code
 * min-words} words ({@code min-zh-chars} Han characters); short instruction answers are left to the
 * length bounds. Reason codes are {@code low_quality_<rule>}.
 */
public final class QualityFilter {
  private static final Pattern BULLET = Pattern.compile("^\\s*(?:[•●○◦▪▫‣∙·\\-*+])\\s");

  /** Code or worked math: fences, statements, calculator annotations, "####" answers. */
  private static final Pattern CODE =
      Pattern.compile(
          "```|;\\s*$|^\\s*(?:def|class|import|public|private|function|return)\\b|<<[^>]*>>"
              + "|^#### ",
          Pattern.MULTILINE);

  private static final Pattern EQUATION_LINE =
      Pattern.compile("^.*\\d\\s*[=+\\-*/×÷]\\s*\\d.*$", Pattern.MULTILINE);

  private final CleanOptions.Quality q;
  private final double cjkShare;
  private final Set<String> stopWords;

  public QualityFilter(CleanOptions.Quality options, double cjkShare) {
    this.q = options;
    this.cjkShare = cjkShare;
    Set<String> s = new HashSet<>();
    for (String w : options.stopWords()) {
      s.add(w.toLowerCase(Locale.ROOT));
    }
    this.stopWords = s;
  }

  /** Null when {@code text} passes every rule, else the first rule that fires. */
  public Drop check(String text) {
    if (!q.enabled() || text == null || text.isBlank()) {
      return null;
    }
    boolean zh = Scripts.cjkShare(text) >= cjkShare;
    List<String> words = zh ? charWords(text) : whitespaceWords(text);
    if (zh ? Scripts.hanCount(text) < q.minZhChars() : words.size() < q.minWords()) {
      return null;
    }
    if (q.skipCode() && looksLikeCodeOrMath(text)) {
      // Gopher's rules describe prose; code and worked solutions repeat tokens by nature.
      return null;
    }
    Drop d;
    if ((d = symbolRatio(text, words.size())) != null) {
      return d;
    }
    List<String> lines = nonEmptyLines(text);
    if ((d = lineShare(lines, true)) != null || (d = lineShare(lines, false)) != null) {
      return d;
    }
    if ((d = repeatedLines(lines)) != null) {
      return d;
    }
    List<Integer> topSizes = zh ? q.zhTopNgramSizes() : q.topNgramSizes();
    List<Double> topMax = zh ? q.zhTopNgramMaxShare() : q.topNgramMaxShare();
    for (int i = 0; i < topSizes.size(); i++) {
      double share = topNgramShare(words, topSizes.get(i));
      if (share > topMax.get(i)) {
        return drop(
            "top_ngram",
            "top %d-gram covers %.3f of characters > %.3f",
            topSizes.get(i),
            share,
            topMax.get(i));
      }
    }
    List<Integer> dupSizes = zh ? q.zhDupNgramSizes() : q.dupNgramSizes();
    List<Double> dupMax = zh ? q.zhDupNgramMaxShare() : q.dupNgramMaxShare();
    for (int i = 0; i < dupSizes.size(); i++) {
      double share = duplicateNgramShare(words, dupSizes.get(i));
      if (share > dupMax.get(i)) {
        return drop(
            "dup_ngram",
            "duplicated %d-grams cover %.3f of characters > %.3f",
            dupSizes.get(i),
            share,
            dupMax.get(i));
      }
    }
    if (zh) {
      int n = countZhStopWords(text);
      if (n < q.zhMinStopWords()) {
        return drop(
            "stop_words", "%d Chinese stop words < zh-min-stop-words %d", n, q.zhMinStopWords());
      }
    } else {
      int n = 0;
      double letters = 0;
      for (String w : words) {
        String lw = stripPunct(w).toLowerCase(Locale.ROOT);
        if (stopWords.contains(lw)) {
          n++;
        }
        letters += lw.codePointCount(0, lw.length());
      }
      if (n < q.minStopWords()) {
        return drop("stop_words", "%d stop words < min-stop-words %d", n, q.minStopWords());
      }
      double mean = letters / words.size();
      if (mean < q.minMeanWordLength() || mean > q.maxMeanWordLength()) {
        return drop(
            "mean_word_length",
            "mean word length %.2f outside [%.1f, %.1f]",
            mean,
            q.minMeanWordLength(),
            q.maxMeanWordLength());
      }
    }
    return null;
  }

  /**
   * Code fences, statements, calculator annotations, or at least a third of lines with arithmetic.
   */
  static boolean looksLikeCodeOrMath(String text) {
    if (CODE.matcher(text).find()) {
      return true;
    }
    int lines = 0;
    int math = 0;
    for (String l : text.split("\n")) {
      if (!l.isBlank()) {
        lines++;
        if (EQUATION_LINE.matcher(l).find()) {
          math++;
        }
      }
    }
    return lines > 0 && math * 3 >= lines;
  }

  private Drop symbolRatio(String text, int words) {
    int symbols = count(text, "#") + count(text, "...") + count(text, "…");
    double ratio = symbols / (double) Math.max(1, words);
    if (ratio > q.maxSymbolWordRatio()) {
      return drop(
          "symbol_ratio",
          "%d hash/ellipsis symbols per %d words = %.3f > %.3f",
          symbols,
          words,
          ratio,
          q.maxSymbolWordRatio());
    }
    return null;
  }

  private Drop lineShare(List<String> lines, boolean bullets) {
    if (lines.size() < 2) {
      return null;
    }
    int n = 0;
    for (String l : lines) {
      String t = l.strip();
      if (bullets ? BULLET.matcher(l).find() : (t.endsWith("...") || t.endsWith("…"))) {
        n++;
      }
    }
    double share = n / (double) lines.size();
    double max = bullets ? q.maxBulletLineShare() : q.maxEllipsisLineShare();
    if (share > max) {
      return drop(
          bullets ? "bullet_lines" : "ellipsis_lines",
          "%d of %d lines %s = %.3f > %.3f",
          n,
          lines.size(),
          bullets ? "start with a bullet" : "end with an ellipsis",
          share,
          max);
    }
    return null;
  }

  private Drop repeatedLines(List<String> lines) {
    Set<String> seen = new HashSet<>();
    int dup = 0;
    long dupChars = 0;
    long chars = 0;
    for (String l : lines) {
      String t = l.strip();
      chars += t.length();
      if (!seen.add(t)) {
        dup++;
        dupChars += t.length();
      }
    }
    if (lines.isEmpty()) {
      return null;
    }
    double share = dup / (double) lines.size();
    if (share > q.maxDuplicateLineShare()) {
      return drop(
          "repeated_lines",
          "%d of %d lines repeat an earlier line = %.3f > %.3f",
          dup,
          lines.size(),
          share,
          q.maxDuplicateLineShare());
    }
    double charShare = chars == 0 ? 0 : dupChars / (double) chars;
    if (charShare > q.maxDuplicateLineCharShare()) {
      return drop(
          "repeated_lines",
          "repeated lines hold %.3f of characters > %.3f",
          charShare,
          q.maxDuplicateLineCharShare());
    }
    return null;
  }

  /**
   * Gopher: characters of the most frequent n-gram (count x its characters) over word characters.
   * N-grams are keyed by a 64-bit hash of word ids (collisions are negligible at these sizes).
   */
  static double topNgramShare(List<String> words, int n) {
    if (words.size() < n) {
      return 0.0;
    }
    int[] ids = ids(words);
    long total = 0;
    for (String w : words) {
      total += w.length();
    }
    Map<Long, Integer> counts = new HashMap<>();
    int best = -1;
    int bestCount = 0;
    for (int i = 0; i + n <= words.size(); i++) {
      int c = counts.merge(gramKey(ids, i, n), 1, Integer::sum);
      if (c > bestCount) {
        bestCount = c;
        best = i;
      }
    }
    if (bestCount < 2) {
      return 0.0;
    }
    long gramChars = 0;
    for (int j = best; j < best + n; j++) {
      gramChars += words.get(j).length();
    }
    return total == 0 ? 0.0 : Math.min(1.0, bestCount * gramChars / (double) total);
  }

  /** Gopher: characters of words inside n-grams that occur more than once, each word once. */
  static double duplicateNgramShare(List<String> words, int n) {
    if (words.size() < n) {
      return 0.0;
    }
    int[] ids = ids(words);
    int grams = words.size() - n + 1;
    long[] keys = new long[grams];
    Map<Long, Integer> counts = new HashMap<>();
    for (int i = 0; i < grams; i++) {
      keys[i] = gramKey(ids, i, n);
      counts.merge(keys[i], 1, Integer::sum);
    }
    boolean[] covered = new boolean[words.size()];
    for (int i = 0; i < grams; i++) {
      if (counts.get(keys[i]) > 1) {
        for (int j = i; j < i + n; j++) {
          covered[j] = true;
        }
      }
    }
    long total = 0;
    long dup = 0;
    for (int i = 0; i < words.size(); i++) {
      total += words.get(i).length();
      if (covered[i]) {
        dup += words.get(i).length();
      }
    }
    return total == 0 ? 0.0 : dup / (double) total;
  }

  private static int[] ids(List<String> words) {
    Map<String, Integer> dict = new HashMap<>();
    int[] ids = new int[words.size()];
    for (int i = 0; i < ids.length; i++) {
      Integer id = dict.get(words.get(i));
      if (id == null) {
        id = dict.size();
        dict.put(words.get(i), id);
      }
      ids[i] = id;
    }
    return ids;
  }

  /** 64-bit mix of the n word ids starting at {@code i}. */
  private static long gramKey(int[] ids, int i, int n) {
    long h = n;
    for (int j = i; j < i + n; j++) {
      h = (h ^ ids[j]) * 0x9E3779B97F4A7C15L;
      h ^= h >>> 31;
    }
    return h;
  }

  /** Whitespace-separated words. */
  static List<String> whitespaceWords(String text) {
    List<String> out = new ArrayList<>();
    for (String w : text.strip().split("\\s+")) {
      if (!w.isEmpty()) {
        out.add(w);
      }
    }
    return out;
  }

  /** Chinese "words": each Han character, and each run of other letters or digits. */
  static List<String> charWords(String text) {
    List<String> out = new ArrayList<>();
    StringBuilder run = new StringBuilder();
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      i += Character.charCount(cp);
      if (Scripts.isHan(cp)) {
        flush(run, out);
        out.add(new String(Character.toChars(cp)));
      } else if (Character.isLetterOrDigit(cp)) {
        run.appendCodePoint(cp);
      } else {
        flush(run, out);
      }
    }
    flush(run, out);
    return out;
  }

  private static void flush(StringBuilder run, List<String> out) {
    if (run.length() > 0) {
      out.add(run.toString());
      run.setLength(0);
    }
  }

  private int countZhStopWords(String text) {
    int n = 0;
    for (String w : q.zhStopWords()) {
      n += count(text, w);
    }
    return n;
  }

  private static List<String> nonEmptyLines(String text) {
    List<String> out = new ArrayList<>();
    for (String l : text.split("\n")) {
      if (!l.isBlank()) {
        out.add(l);
      }
    }
    return out;
  }

  private static String stripPunct(String w) {
    int s = 0;
    int e = w.length();
    while (s < e && !Character.isLetterOrDigit(w.charAt(s))) {
      s++;
    }
    while (e > s && !Character.isLetterOrDigit(w.charAt(e - 1))) {
      e--;
    }
    return w.substring(s, e);
  }

  static int count(String text, String needle) {
    int n = 0;
    for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + needle.length())) {
      n++;
    }
    return n;
  }

  private static Drop drop(String rule, String fmt, Object... args) {
    return new Drop("low_quality_" + rule, rule + ": " + String.format(Locale.ROOT, fmt, args));
  }
}
