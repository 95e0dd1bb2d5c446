package io.instructlake.split;

import io.instructlake.config.ConfigError;
import io.instructlake.config.ConfigReader;
import java.util.List;

/**
 * The {@code split} configuration section (documented in {@code instructlake/split.conf}).
 *
 * @param by {@code hash} (of the group key: cluster id, parent id or record id) or {@code column}
 * @param column the column hashed (or matched against the value lists) when {@code by = column}
 * @param trainFraction share of train; the three fractions sum to 1
 * @param evalFraction share of eval
 * @param testFraction share of test (0 for no test split)
 * @param seed salt of the hash: changing it reshuffles every record
 * @param evalValues with {@code by = column}: values that always go to eval
 * @param testValues with {@code by = column}: values that always go to test
 */
public record SplitOptions(
    String by,
    String column,
    double trainFraction,
    double evalFraction,
    double testFraction,
    String seed,
    List<String> evalValues,
    List<String> testValues) {

  /** Reads and validates the section. */
  public static SplitOptions from(ConfigReader r) {
    SplitOptions o =
        new SplitOptions(
            r.oneOf("by", "hash", "column"),
            r.string("column"),
            r.fraction("train-fraction"),
            r.fraction("eval-fraction"),
            r.fraction("test-fraction"),
            r.string("seed"),
            List.copyOf(r.stringList("eval-values")),
            List.copyOf(r.stringList("test-values")));
    double sum = o.trainFraction + o.evalFraction + o.testFraction;
    if (Math.abs(sum - 1.0) > 1e-9) {
      throw ConfigError.badValue(
          r.key("train-fraction"),
          o.trainFraction + " + " + o.evalFraction + " + " + o.testFraction + " = " + sum,
          "train-fraction + eval-fraction + test-fraction = 1");
    }
    if ("column".equals(o.by) && o.column.isBlank()) {
      throw ConfigError.badValue(r.key("column"), "\"\"", "a column name when split.by = column");
    }
    return o;
  }

  /** Defaults for tests and the demo: 90/10 train/eval by hash. */
  public static SplitOptions hash(double train, double eval, double test, String seed) {
    return new SplitOptions("hash", "", train, eval, test, seed, List.of(), List.of());
  }
}
