package io.instructlake.balance;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/** Pure computation of per-class target counts from class counts (no Spark). */
public final class BalancePlan {
  private BalancePlan() {}

  /** Target rows per class; classes are keys of {@code counts} (all counts positive). */
  public static Map<String, Long> targets(Map<String, Long> counts, BalanceOptions o) {
    Map<String, Long> out = new TreeMap<>();
    if (counts.isEmpty()) {
      return out;
    }
    boolean over = !"none".equals(o.oversample());
    if ("weights".equals(o.mode())) {
      double sumW = 0;
      long listedTotal = 0;
      for (Map.Entry<String, Double> e : o.targetWeights().entrySet()) {
        sumW += e.getValue();
        listedTotal += counts.getOrDefault(e.getKey(), 0L);
      }
      long total = o.targetTotal() > 0 ? o.targetTotal() : listedTotal;
      for (Map.Entry<String, Long> e : counts.entrySet()) {
        Double w = o.targetWeights().get(e.getKey());
        if (w == null) {
          out.put(e.getKey(), e.getValue());
          continue;
        }
        long t = Math.round(w / sumW * total);
        out.put(e.getKey(), over ? t : Math.min(t, e.getValue()));
      }
      return out;
    }
    double r = o.maxRatio();
    long max = counts.values().stream().mapToLong(Long::longValue).max().getAsLong();
    Map<String, Long> raised = new LinkedHashMap<>();
    for (Map.Entry<String, Long> e : counts.entrySet()) {
      long n = e.getValue();
      long t = n;
      if (over) {
        long need = (long) Math.ceil(max / r);
        long cap = (long) Math.floor(o.maxOversampleFactor() * n);
        t = Math.max(n, Math.min(need, cap));
      }
      raised.put(e.getKey(), t);
    }
    long min = raised.values().stream().mapToLong(Long::longValue).min().getAsLong();
    long ceiling = (long) Math.floor(r * min);
    for (Map.Entry<String, Long> e : raised.entrySet()) {
      out.put(e.getKey(), Math.min(e.getValue(), ceiling));
    }
    return out;
  }
}
