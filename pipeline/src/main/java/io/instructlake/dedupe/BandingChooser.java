package io.instructlake.dedupe;

/**
 * Chooses b bands of r rows for a Jaccard threshold t and k permutations by minimising {@code wFp *
 * FP(b, r) + wFn * FN(b, r)} over all {@code b * r <= k}, where the probability that a pair of
 * similarity s becomes a candidate is the S-curve {@code P(s) = 1 - (1 - s^r)^b}, {@code FP = ∫_0^t
 * P(s) ds} and {@code FN = ∫_t^1 (1 - P(s)) ds}. This is the criterion of datasketch's {@code
 * _optimal_param} and text-dedup; integrals use composite Simpson's rule with 2,000 intervals.
 *
 * <p>Equal weights put the S-curve's midpoint near t, so a pair exactly at the threshold is found
 * only about half the time. Because every candidate is verified exactly (a false positive costs one
 * Jaccard computation, never a dropped record), the pipeline also takes a {@code minRecall}: only
 * bandings with {@code P(t) >= minRecall} are considered (default 0.95 in {@code dedupe.conf}; 0
 * gives the plain criterion above).
 */
public final class BandingChooser {
  private static final int INTERVALS = 2000;
  private static final java.util.Map<String, Banding> CHOSEN =
      new java.util.concurrent.ConcurrentHashMap<>();

  private BandingChooser() {}

  /** A chosen banding. */
  public record Banding(int bands, int rows) {
    /** Probability that a pair with Jaccard {@code s} shares at least one band. */
    public double candidateProbability(double s) {
      return 1.0 - Math.pow(1.0 - Math.pow(s, rows), bands);
    }
  }

  /** With equal weights (0.5, 0.5). */
  public static Banding choose(double threshold, int permutations) {
    return choose(threshold, permutations, 0.5, 0.5);
  }

  /**
   * @param threshold Jaccard threshold in (0, 1)
   * @param permutations k >= 1
   * @param fpWeight weight of the false-positive area
   * @param fnWeight weight of the false-negative area
   */
  public static Banding choose(
      double threshold, int permutations, double fpWeight, double fnWeight) {
    return choose(threshold, permutations, fpWeight, fnWeight, 0.0);
  }

  /**
   * As {@link #choose(double, int, double, double)}, restricted to bandings whose candidate
   * probability at the threshold is at least {@code minRecall}; when none reaches it, the banding
   * with the highest {@code P(threshold)} is returned.
   */
  public static Banding choose(
      double threshold, int permutations, double fpWeight, double fnWeight, double minRecall) {
    if (!(minRecall >= 0 && minRecall < 1)) {
      throw new IllegalArgumentException("minRecall must be in [0, 1), got " + minRecall);
    }
    if (!(threshold > 0 && threshold < 1)) {
      throw new IllegalArgumentException("threshold must be in (0, 1), got " + threshold);
    }
    if (permutations < 1) {
      throw new IllegalArgumentException("permutations must be >= 1, got " + permutations);
    }
    if (!(fpWeight >= 0 && fnWeight >= 0 && fpWeight + fnWeight > 0)) {
      throw new IllegalArgumentException(
          "weights must be >= 0 and not both 0, got fp=" + fpWeight + ", fn=" + fnWeight);
    }
    String memo =
        threshold + "/" + permutations + "/" + fpWeight + "/" + fnWeight + "/" + minRecall;
    Banding known = CHOSEN.get(memo);
    if (known != null) {
      return known;
    }
    double best = Double.POSITIVE_INFINITY;
    Banding opt = null;
    Banding mostRecall = null;
    double bestRecall = -1;
    for (int b = 1; b <= permutations; b++) {
      for (int r = 1; r <= permutations / b; r++) {
        Banding cand = new Banding(b, r);
        double recall = cand.candidateProbability(threshold);
        if (recall > bestRecall) {
          bestRecall = recall;
          mostRecall = cand;
        }
        if (recall < minRecall) {
          continue;
        }
        double fp = simpson(cand::candidateProbability, 0.0, threshold);
        double fn = simpson(s -> 1.0 - cand.candidateProbability(s), threshold, 1.0);
        double err = fpWeight * fp + fnWeight * fn;
        if (err < best) {
          best = err;
          opt = cand;
        }
      }
    }
    Banding chosen = opt != null ? opt : mostRecall;
    CHOSEN.put(memo, chosen);
    return chosen;
  }

  static double simpson(java.util.function.DoubleUnaryOperator f, double lo, double hi) {
    double h = (hi - lo) / INTERVALS;
    double sum = f.applyAsDouble(lo) + f.applyAsDouble(hi);
    for (int i = 1; i < INTERVALS; i++) {
      sum += f.applyAsDouble(lo + i * h) * (i % 2 == 0 ? 2 : 4);
    }
    return sum * h / 3.0;
  }
}
