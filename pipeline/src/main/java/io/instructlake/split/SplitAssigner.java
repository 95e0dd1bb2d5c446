package io.instructlake.split;

import io.instructlake.gold.GoldColumns;
import io.instructlake.gold.StableHash;
import java.io.Serializable;
import java.util.HashSet;
import java.util.Set;

/**
 * The pure split rule: a group key's side depends only on the key, the seed and the fractions, so
 * it is the same in every run, on every executor. Explicit column values (eval/test lists) win over
 * the hash.
 */
public final class SplitAssigner implements Serializable {
  private static final long serialVersionUID = 1L;

  private final double train;
  private final double eval;
  private final String seed;
  private final Set<String> evalValues;
  private final Set<String> testValues;

  public SplitAssigner(SplitOptions o) {
    this.train = o.trainFraction();
    this.eval = o.evalFraction();
    this.seed = o.seed();
    this.evalValues = new HashSet<>(o.evalValues());
    this.testValues = new HashSet<>(o.testValues());
  }

  /** {@code train}, {@code eval} or {@code test} for a group key (never null). */
  public String assign(String key) {
    String k = key == null ? "" : key;
    if (evalValues.contains(k)) {
      return GoldColumns.EVAL;
    }
    if (testValues.contains(k)) {
      return GoldColumns.TEST;
    }
    double u = StableHash.unit("split", seed, k);
    if (u < train) {
      return GoldColumns.TRAIN;
    }
    if (u < train + eval) {
      return GoldColumns.EVAL;
    }
    return GoldColumns.TEST;
  }
}
