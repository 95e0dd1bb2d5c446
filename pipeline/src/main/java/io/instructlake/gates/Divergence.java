package io.instructlake.gates;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Divergences between two distributions given as count maps (value to count), taken over the union
 * of their keys (a key missing from one map counts 0 there). Plain Java, no Spark.
 *
 * <p>Written here rather than taken from a library: Spark MLlib and Commons Math have no KL, JS or
 * PSI over categorical count maps, and the formulas are a few lines.
 *
 * <p>Smoothing: KL and PSI are infinite when one side has an empty bin, so both normalize the
 * counts to probabilities and then apply additive smoothing {@code p'_i = (p_i + eps) / (1 + k
 * eps)} over the {@code k} keys of the union. Jensen-Shannon needs no smoothing ({@code 0 log 0 =
 * 0}) and is computed unsmoothed, base 2, so it lies in [0, 1].
 *
 * <p>When either map has no positive count the divergence is undefined and {@link Double#NaN} is
 * returned; the gates report such a check as skipped.
 */
public final class Divergence {
  private Divergence() {}

  /**
   * Kullback-Leibler divergence {@code KL(p || q) = sum p_i ln(p_i / q_i)} in nats, after smoothing
   * both sides with {@code epsilon}.
   *
   * @param epsilon additive smoothing, >= 0 (0 gives infinity when q has an empty bin p uses)
   */
  public static double kl(Map<String, Long> p, Map<String, Long> q, double epsilon) {
    double[][] pq = probabilities(p, q, epsilon);
    if (pq == null) {
      return Double.NaN;
    }
    double sum = 0;
    for (int i = 0; i < pq[0].length; i++) {
      double a = pq[0][i];
      double b = pq[1][i];
      if (a > 0) {
        sum += a * Math.log(a / b);
      }
    }
    return Math.max(0.0, sum);
  }

  /**
   * Jensen-Shannon divergence, base 2: {@code JS = (KL2(p || m) + KL2(q || m)) / 2} with {@code m =
   * (p + q) / 2}; 0 for identical distributions, 1 for disjoint supports.
   */
  public static double jensenShannon(Map<String, Long> p, Map<String, Long> q) {
    double[][] pq = probabilities(p, q, 0.0);
    if (pq == null) {
      return Double.NaN;
    }
    double js = 0;
    for (int i = 0; i < pq[0].length; i++) {
      double a = pq[0][i];
      double b = pq[1][i];
      double m = (a + b) / 2;
      if (a > 0) {
        js += 0.5 * a * log2(a / m);
      }
      if (b > 0) {
        js += 0.5 * b * log2(b / m);
      }
    }
    return Math.min(1.0, Math.max(0.0, js));
  }

  /**
   * Population stability index {@code PSI = sum (p_i - q_i) ln(p_i / q_i)} after smoothing with
   * {@code epsilon}; p is the new (actual) distribution, q the reference (expected). Symmetric.
   */
  public static double psi(Map<String, Long> p, Map<String, Long> q, double epsilon) {
    double[][] pq = probabilities(p, q, epsilon);
    if (pq == null) {
      return Double.NaN;
    }
    double sum = 0;
    for (int i = 0; i < pq[0].length; i++) {
      double a = pq[0][i];
      double b = pq[1][i];
      if (a != b) {
        sum += (a - b) * Math.log(a / b);
      }
    }
    return Math.max(0.0, sum);
  }

  /**
   * Rows 0 and 1: smoothed probabilities of p and q over the sorted union of keys; null if empty.
   */
  static double[][] probabilities(Map<String, Long> p, Map<String, Long> q, double epsilon) {
    if (!(epsilon >= 0) || Double.isInfinite(epsilon)) {
      throw new IllegalArgumentException("epsilon must be a finite number >= 0, got " + epsilon);
    }
    double tp = total(p);
    double tq = total(q);
    if (tp <= 0 || tq <= 0) {
      return null;
    }
    List<String> keys = new ArrayList<>(new TreeSet<>(p.keySet()));
    for (String k : q.keySet()) {
      if (!p.containsKey(k)) {
        keys.add(k);
      }
    }
    int n = keys.size();
    double[][] out = new double[2][n];
    for (int i = 0; i < n; i++) {
      out[0][i] = (count(p, keys.get(i)) / tp + epsilon) / (1 + n * epsilon);
      out[1][i] = (count(q, keys.get(i)) / tq + epsilon) / (1 + n * epsilon);
    }
    return out;
  }

  private static double total(Map<String, Long> m) {
    double t = 0;
    for (Map.Entry<String, Long> e : m.entrySet()) {
      if (e.getValue() != null && e.getValue() < 0) {
        throw new IllegalArgumentException(
            "counts must be >= 0, got " + e.getKey() + "=" + e.getValue());
      }
      t += count(m, e.getKey());
    }
    return t;
  }

  private static double count(Map<String, Long> m, String k) {
    Long v = m.get(k);
    return v == null ? 0.0 : v;
  }

  private static double log2(double x) {
    return Math.log(x) / Math.log(2);
  }
}
