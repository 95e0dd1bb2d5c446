package io.instructlake.augment;

import io.instructlake.config.ConfigError;
import io.instructlake.config.ConfigReader;
import java.io.Serializable;
import java.util.List;

/**
 * The {@code augment} configuration section (documented in {@code instructlake/augment.conf}).
 *
 * @param enabled whether {@code publish} runs augmentation
 * @param methods methods applied in turn to a record's copies: synonym, eda, template,
 *     back-translation
 * @param copiesPerRecord augmented copies made per train record (at most)
 * @param synonymRate share of editable words replaced by a synonym (at least one)
 * @param edaRate share of editable words swapped, inserted or deleted (at least one)
 * @param edaOps EDA operations to choose from: swap, insert, delete
 * @param templatesEn paraphrase templates for English instructions; {@code {prompt}} is replaced
 * @param templatesZh paraphrase templates for Chinese instructions
 * @param minSimilarity an augmented text less similar to its parent than this is dropped
 * @param maxSimilarity an augmented text more similar to its parent than this is dropped
 * @param categoryColumn the column the per-category cap counts by
 * @param maxPerCategory most augmented rows kept per category (0 = no cap)
 * @param seed seed of every random choice
 * @param translation back-translation models ({@link BackTranslation.Options})
 */
public record AugmentOptions(
    boolean enabled,
    List<String> methods,
    int copiesPerRecord,
    double synonymRate,
    double edaRate,
    List<String> edaOps,
    List<String> templatesEn,
    List<String> templatesZh,
    double minSimilarity,
    double maxSimilarity,
    String categoryColumn,
    long maxPerCategory,
    long seed,
    BackTranslation.Options translation)
    implements Serializable {

  public static final String SYNONYM = "synonym";
  public static final String EDA = "eda";
  public static final String TEMPLATE = "template";
  public static final String BACK_TRANSLATION = "back-translation";
  static final List<String> METHODS = List.of(SYNONYM, EDA, TEMPLATE, BACK_TRANSLATION);
  static final List<String> OPS = List.of("swap", "insert", "delete");

  /** Reads and validates the section. */
  public static AugmentOptions from(ConfigReader r) {
    List<String> methods = List.copyOf(r.stringList("methods"));
    for (String m : methods) {
      if (!METHODS.contains(m)) {
        throw ConfigError.badValue(r.key("methods"), methods, "a list drawn from " + METHODS);
      }
    }
    List<String> ops = List.copyOf(r.stringList("eda-ops"));
    if (ops.isEmpty() || !OPS.containsAll(ops)) {
      throw ConfigError.badValue(r.key("eda-ops"), ops, "a non-empty list drawn from " + OPS);
    }
    List<String> en = List.copyOf(r.stringList("templates-en"));
    List<String> zh = List.copyOf(r.stringList("templates-zh"));
    for (String t : en) {
      if (!t.contains("{prompt}")) {
        throw ConfigError.badValue(r.key("templates-en"), t, "templates containing {prompt}");
      }
    }
    for (String t : zh) {
      if (!t.contains("{prompt}")) {
        throw ConfigError.badValue(r.key("templates-zh"), t, "templates containing {prompt}");
      }
    }
    double lo = r.fraction("min-similarity");
    double hi = r.fraction("max-similarity");
    if (lo > hi) {
      throw ConfigError.badValue(
          r.key("min-similarity"), lo, "at most max-similarity (" + hi + ")");
    }
    return new AugmentOptions(
        r.bool("enabled"),
        methods,
        r.intValue("copies-per-record", 0, 100),
        r.fraction("synonym-rate"),
        r.fraction("eda-rate"),
        ops,
        en,
        zh,
        lo,
        hi,
        r.string("category-column"),
        r.longValue("max-per-category", 0, Long.MAX_VALUE),
        r.longValue("seed", Long.MIN_VALUE, Long.MAX_VALUE),
        BackTranslation.Options.from(r.section("back-translation")));
  }
}
