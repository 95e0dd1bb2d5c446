package io.instructlake.clean;

import io.instructlake.config.ConfigError;
import io.instructlake.config.ConfigReader;
import io.instructlake.config.PipelineConfig;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The typed, validated {@code clean} section (defaults and documentation in {@code
 * instructlake/clean.conf}). A value object: equal options build equal pipelines, so executors
 * cache one {@link CleanPipeline} per distinct options value.
 */
public record CleanOptions(
    boolean quarantineKeepRaw,
    int quarantineRawChars,
    Normalize normalize,
    Pii pii,
    Length length,
    Language language,
    Quality quality,
    Structure structure,
    Regex regex)
    implements Serializable {

  /** {@code clean.normalize}. */
  public record Normalize(
      boolean html,
      boolean nfkc,
      boolean keepCjkPunctuation,
      boolean controlChars,
      boolean whitespace,
      int maxRepeatedPunctuation,
      String repeatablePunctuation)
      implements Serializable {}

  /** {@code clean.pii}. */
  public record Pii(boolean enabled, int maxHits) implements Serializable {}

  /** Bounds for one script class (zh or other). */
  public record Bounds(
      int promptMinChars,
      int promptMaxChars,
      int responseMinChars,
      int responseMaxChars,
      int promptMinTokens,
      int promptMaxTokens,
      int responseMinTokens,
      int responseMaxTokens)
      implements Serializable {}

  /** {@code clean.length}. */
  public record Length(String tokenizer, double cjkShare, Bounds zh, Bounds other)
      implements Serializable {}

  /** {@code clean.language}. */
  public record Language(
      boolean enabled,
      List<String> detect,
      List<String> allow,
      double minConfidence,
      boolean keepUndetermined,
      int minLetters,
      double cjkFastPathShare,
      double zhMinCjkShare,
      int maxChars,
      boolean lowAccuracy)
      implements Serializable {}

  /** {@code clean.quality}. */
  public record Quality(
      boolean enabled,
      int minWords,
      int minZhChars,
      double maxSymbolWordRatio,
      double maxBulletLineShare,
      double maxEllipsisLineShare,
      double maxDuplicateLineShare,
      double maxDuplicateLineCharShare,
      List<Integer> topNgramSizes,
      List<Double> topNgramMaxShare,
      List<Integer> dupNgramSizes,
      List<Double> dupNgramMaxShare,
      List<Integer> zhTopNgramSizes,
      List<Double> zhTopNgramMaxShare,
      List<Integer> zhDupNgramSizes,
      List<Double> zhDupNgramMaxShare,
      List<String> stopWords,
      int minStopWords,
      List<String> zhStopWords,
      int zhMinStopWords,
      double minMeanWordLength,
      double maxMeanWordLength,
      boolean skipCode)
      implements Serializable {}

  /** {@code clean.structure}. */
  public record Structure(
      boolean emptyTurn,
      boolean responseEqualsPrompt,
      List<String> templateSlots,
      List<String> refusals)
      implements Serializable {}

  /** {@code clean.regex}. */
  public record Regex(List<String> drop, List<String> keep) implements Serializable {}

  /** The defaults of {@code reference.conf}. */
  public static CleanOptions defaults() {
    return from(PipelineConfig.defaults());
  }

  public static CleanOptions from(PipelineConfig config) {
    return from(config.section("clean"));
  }

  /** {@code clean.length.tokenizer}: a built-in name, or {@code hf:} and an existing file. */
  private static String tokenizer(ConfigReader l) {
    String v = l.string("tokenizer").strip();
    if (v.startsWith(LengthFilter.HF_PREFIX)) {
      String file = v.substring(LengthFilter.HF_PREFIX.length());
      if (file.isEmpty() || !Files.isRegularFile(Path.of(file))) {
        throw ConfigError.badValue(
            l.key("tokenizer"),
            v,
            "hf: followed by the path of an existing tokenizer.json (readable at that path on"
                + " every executor)");
      }
      return v;
    }
    return l.oneOf("tokenizer", "mixed", "whitespace", "hanlp");
  }

  /** Reads and validates every key; a bad value fails with a {@link ConfigError} naming it. */
  public static CleanOptions from(ConfigReader c) {
    ConfigReader n = c.section("normalize");
    Normalize normalize =
        new Normalize(
            n.bool("html"),
            n.bool("nfkc"),
            n.bool("keep-cjk-punctuation"),
            n.bool("control-chars"),
            n.bool("whitespace"),
            n.intValue("max-repeated-punctuation", 0, 1000),
            n.string("repeatable-punctuation"));
    ConfigReader p = c.section("pii");
    Pii pii = new Pii(p.bool("enabled"), p.intValue("max-hits", -1, Integer.MAX_VALUE));
    ConfigReader l = c.section("length");
    Length length =
        new Length(
            tokenizer(l),
            l.fraction("cjk-share"),
            bounds(l.section("zh")),
            bounds(l.section("other")));
    ConfigReader g = c.section("language");
    List<String> detect = isoCodes(g, "detect");
    List<String> allow = isoCodes(g, "allow");
    if (g.bool("enabled") && detect.size() < 2) {
      throw ConfigError.badValue(
          g.key("detect"), detect, "at least two languages (the detector compares them)");
    }
    for (String a : allow) {
      if (!detect.contains(a)) {
        throw ConfigError.badValue(
            g.key("allow"), allow, "languages that are also in " + g.key("detect") + " " + detect);
      }
    }
    Language language =
        new Language(
            g.bool("enabled"),
            detect,
            allow,
            g.fraction("min-confidence"),
            g.bool("keep-undetermined"),
            g.intValue("min-letters", 0, 100_000),
            g.fraction("cjk-fast-path-share"),
            g.fraction("zh-min-cjk-share"),
            g.intValue("max-chars", 10, 1_000_000),
            g.bool("low-accuracy"));
    ConfigReader q = c.section("quality");
    List<Integer> top = sizes(q, "top-ngram-sizes");
    List<Integer> dup = sizes(q, "dup-ngram-sizes");
    List<Integer> zhTop = sizes(q, "zh-top-ngram-sizes");
    List<Integer> zhDup = sizes(q, "zh-dup-ngram-sizes");
    Quality quality =
        new Quality(
            q.bool("enabled"),
            q.intValue("min-words", 0, 1_000_000),
            q.intValue("min-zh-chars", 0, 1_000_000),
            q.doubleValue("max-symbol-word-ratio", 0, 1000),
            q.fraction("max-bullet-line-share"),
            q.fraction("max-ellipsis-line-share"),
            q.fraction("max-duplicate-line-share"),
            q.fraction("max-duplicate-line-char-share"),
            top,
            shares(q, "top-ngram-max-share", top.size(), "top-ngram-sizes"),
            dup,
            shares(q, "dup-ngram-max-share", dup.size(), "dup-ngram-sizes"),
            zhTop,
            shares(q, "zh-top-ngram-max-share", zhTop.size(), "zh-top-ngram-sizes"),
            zhDup,
            shares(q, "zh-dup-ngram-max-share", zhDup.size(), "zh-dup-ngram-sizes"),
            List.copyOf(q.stringList("stop-words")),
            q.intValue("min-stop-words", 0, 1000),
            List.copyOf(q.stringList("zh-stop-words")),
            q.intValue("zh-min-stop-words", 0, 1000),
            q.doubleValue("min-mean-word-length", 0, 1000),
            q.doubleValue("max-mean-word-length", 0, 1000),
            q.bool("skip-code"));
    if (quality.minMeanWordLength() > quality.maxMeanWordLength()) {
      throw ConfigError.badValue(
          q.key("min-mean-word-length"),
          quality.minMeanWordLength(),
          "at most " + q.key("max-mean-word-length") + " (" + quality.maxMeanWordLength() + ")");
    }
    ConfigReader s = c.section("structure");
    Structure structure =
        new Structure(
            s.bool("empty-turn"),
            s.bool("response-equals-prompt"),
            patterns(s, "template-slots"),
            patterns(s, "refusals"));
    ConfigReader r = c.section("regex");
    Regex regex = new Regex(patterns(r, "drop"), patterns(r, "keep"));
    return new CleanOptions(
        c.bool("quarantine-keep-raw"),
        c.intValue("quarantine-raw-chars", 0, 10_000_000),
        normalize,
        pii,
        length,
        language,
        quality,
        structure,
        regex);
  }

  /** The normalizer these options describe. */
  public TextNormalizer normalizer() {
    return TextNormalizer.builder()
        .optHtml(normalize.html())
        .optNfkc(normalize.nfkc())
        .optKeepCjkPunctuation(normalize.keepCjkPunctuation())
        .optControlChars(normalize.controlChars())
        .optWhitespace(normalize.whitespace())
        .optMaxRepeatedPunctuation(normalize.maxRepeatedPunctuation())
        .optRepeatablePunctuation(normalize.repeatablePunctuation())
        .build();
  }

  private static Bounds bounds(ConfigReader b) {
    Bounds x =
        new Bounds(
            b.intValue("prompt-min-chars", 0, Integer.MAX_VALUE),
            b.intValue("prompt-max-chars", 1, Integer.MAX_VALUE),
            b.intValue("response-min-chars", 0, Integer.MAX_VALUE),
            b.intValue("response-max-chars", 1, Integer.MAX_VALUE),
            b.intValue("prompt-min-tokens", 0, Integer.MAX_VALUE),
            b.intValue("prompt-max-tokens", 1, Integer.MAX_VALUE),
            b.intValue("response-min-tokens", 0, Integer.MAX_VALUE),
            b.intValue("response-max-tokens", 1, Integer.MAX_VALUE));
    checkOrder(b, "prompt-min-chars", x.promptMinChars(), "prompt-max-chars", x.promptMaxChars());
    checkOrder(
        b, "response-min-chars", x.responseMinChars(), "response-max-chars", x.responseMaxChars());
    checkOrder(
        b, "prompt-min-tokens", x.promptMinTokens(), "prompt-max-tokens", x.promptMaxTokens());
    checkOrder(
        b,
        "response-min-tokens",
        x.responseMinTokens(),
        "response-max-tokens",
        x.responseMaxTokens());
    return x;
  }

  private static void checkOrder(ConfigReader b, String minKey, int min, String maxKey, int max) {
    if (min > max) {
      throw ConfigError.badValue(b.key(minKey), min, "at most " + b.key(maxKey) + " (" + max + ")");
    }
  }

  private static List<String> isoCodes(ConfigReader g, String key) {
    List<String> out = new ArrayList<>();
    for (String code : g.stringList(key)) {
      String c = code.trim().toLowerCase(java.util.Locale.ROOT);
      if (LanguageIdentifier.languageOf(c) == null) {
        throw ConfigError.badValue(
            g.key(key), code, "ISO 639-1 codes that lingua knows, e.g. [en, zh, ja]");
      }
      out.add(c);
    }
    return List.copyOf(out);
  }

  private static List<Integer> sizes(ConfigReader q, String key) {
    List<Integer> out = new ArrayList<>();
    try {
      for (int v : q.raw().getIntList(key)) {
        if (v < 1 || v > 50) {
          throw ConfigError.badValue(q.key(key), v, "n-gram sizes between 1 and 50");
        }
        out.add(v);
      }
    } catch (com.typesafe.config.ConfigException e) {
      throw ConfigError.badValue(q.key(key), "?", "a list of integers such as [2, 3, 4]");
    }
    return List.copyOf(out);
  }

  private static List<Double> shares(ConfigReader q, String key, int size, String sizesKey) {
    List<Double> out = new ArrayList<>();
    try {
      for (double v : q.raw().getDoubleList(key)) {
        if (!(v >= 0 && v <= 1)) {
          throw ConfigError.badValue(q.key(key), v, "shares between 0 and 1");
        }
        out.add(v);
      }
    } catch (com.typesafe.config.ConfigException e) {
      throw ConfigError.badValue(q.key(key), "?", "a list of numbers such as [0.2, 0.18]");
    }
    if (out.size() != size) {
      throw ConfigError.badValue(
          q.key(key), out, "one share per entry of " + q.key(sizesKey) + " (" + size + ")");
    }
    return List.copyOf(out);
  }

  private static List<String> patterns(ConfigReader r, String key) {
    List<String> list = r.stringList(key);
    for (String p : list) {
      try {
        Pattern.compile(p);
      } catch (PatternSyntaxException e) {
        throw ConfigError.badValue(
            r.key(key), p, "valid Java regular expressions (" + e.getDescription() + ")");
      }
    }
    return List.copyOf(list);
  }
}
