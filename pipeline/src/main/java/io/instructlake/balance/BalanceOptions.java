package io.instructlake.balance;

import io.instructlake.config.ConfigError;
import io.instructlake.config.ConfigReader;
import java.io.Serializable;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code balance} configuration section (documented in {@code instructlake/balance.conf}).
 *
 * @param enabled whether {@code publish} balances the train split
 * @param column class column, e.g. {@code label} or {@code category}
 * @param mode {@code ratio} or {@code weights}
 * @param maxRatio largest-to-smallest class ratio to reach (ratio mode)
 * @param oversample {@code none}, {@code duplicate}, {@code augment} or {@code smote}
 * @param maxOversampleFactor a class grows at most this many times by oversampling
 * @param targetWeights class to weight (weights mode); unlisted classes keep their rows
 * @param targetTotal rows of the listed classes after balancing (0 = their current total)
 * @param seed seed of sampling and SMOTE
 * @param smoteK neighbours per point for SMOTE
 * @param smoteBucketLength LSH bucket length (BucketedRandomProjectionLSH)
 * @param smoteHashTables LSH hash tables
 * @param smoteMaxDistance largest neighbour distance considered
 * @param featuresColumn vector column used by SMOTE; computed from the prompt when absent
 * @param numFeatures hashed text features when computing the vector
 */
public record BalanceOptions(
    boolean enabled,
    String column,
    String mode,
    double maxRatio,
    String oversample,
    double maxOversampleFactor,
    Map<String, Double> targetWeights,
    long targetTotal,
    long seed,
    int smoteK,
    double smoteBucketLength,
    int smoteHashTables,
    double smoteMaxDistance,
    String featuresColumn,
    int numFeatures)
    implements Serializable {

  /** Reads and validates the section. */
  public static BalanceOptions from(ConfigReader r) {
    Map<String, Double> weights = new TreeMap<>();
    for (String entry : r.stringList("target-weights")) {
      int eq = entry.lastIndexOf('=');
      double w = -1;
      if (eq > 0) {
        try {
          w = Double.parseDouble(entry.substring(eq + 1).trim());
        } catch (NumberFormatException e) {
          w = -1;
        }
      }
      if (!(w >= 0) || Double.isInfinite(w)) {
        throw ConfigError.badValue(
            r.key("target-weights"), entry, "entries like \"finance=0.5\" (class=weight >= 0)");
      }
      weights.put(entry.substring(0, eq).trim(), w);
    }
    String mode = r.oneOf("mode", "ratio", "weights");
    if ("weights".equals(mode) && weights.values().stream().mapToDouble(d -> d).sum() <= 0) {
      throw ConfigError.badValue(
          r.key("target-weights"),
          weights,
          "at least one positive weight when balance.mode = weights");
    }
    ConfigReader s = r.section("smote");
    return new BalanceOptions(
        r.bool("enabled"),
        r.string("column"),
        mode,
        r.doubleValue("max-ratio", 1.0, Double.MAX_VALUE),
        r.oneOf("oversample", "none", "duplicate", "augment", "smote"),
        r.doubleValue("max-oversample-factor", 1.0, 1e6),
        Map.copyOf(weights),
        r.longValue("target-total", 0, Long.MAX_VALUE),
        r.longValue("seed", Long.MIN_VALUE, Long.MAX_VALUE),
        s.intValue("k", 1, 100),
        s.doubleValue("bucket-length", 1e-9, 1e9),
        s.intValue("hash-tables", 1, 100),
        s.doubleValue("max-distance", 0.0, Double.MAX_VALUE),
        s.string("features-column"),
        s.intValue("num-features", 2, 1 << 24));
  }
}
