package io.instructlake.gates;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Evaluates the configured checks on profiles; pure Java, no Spark. The checks, in order:
 *
 * <ol>
 *   <li>{@code row-count.min-rows} (batch rows) and {@code row-count.ratio} (batch rows over the
 *       previous batch's rows; skipped on a first run);
 *   <li>{@code drop-share.total} and {@code drop-share.<reason>} (dropped over input rows; skipped
 *       when the batch profile carries no drop counts, see {@link Profile#withDrops});
 *   <li>{@code empty-rate.prompt|response}, {@code null-rate.prompt|response} on the batch;
 *   <li>{@code length.p50} (at least) and {@code length.p99} (at most) on the batch;
 *   <li>{@code drift.js.length}, {@code drift.psi.length}, {@code drift.js.category}, {@code
 *       drift.kl.category}, {@code drift.js.language}: the candidate gold against the previous gold
 *       (skipped when there is no previous gold);
 *   <li>{@code language-mix.max-share}, {@code language-mix.required.<value>} and the same for
 *       {@code category-mix}, on the candidate gold (what gets published).
 * </ol>
 *
 * <p>A disabled check group produces no checks; checks on an empty batch or with nothing to compare
 * against are {@link Check.Status#SKIPPED} with the reason in the detail, never failed.
 */
public final class QualityGates {
  private QualityGates() {}

  /**
   * Evaluates every enabled check.
   *
   * @param s the settings ({@code gates} section)
   * @param batch profile of this run's new records, with its drop counts
   * @param previousBatch profile of the previous run's batch, or null on a first run
   * @param candidateGold profile of the gold table about to be published, or null if none
   * @param previousGold profile of the currently published gold, or null on a first run
   */
  public static GateResult evaluate(
      GateSettings s,
      Profile batch,
      Profile previousBatch,
      Profile candidateGold,
      Profile previousGold) {
    Objects.requireNonNull(s, "settings");
    Objects.requireNonNull(batch, "batch profile");
    List<Check> out = new ArrayList<>();
    if (!s.enabled()) {
      out.add(Check.skipped("gates", "all checks", "", "gates are disabled (gates.enabled)"));
      return new GateResult(out);
    }
    if (s.rowCountEnabled()) {
      rowCount(s, batch, previousBatch, out);
    }
    if (s.dropShareEnabled()) {
      dropShare(s, batch, out);
    }
    boolean empty = batch.rows() == 0;
    if (s.emptyRateEnabled()) {
      rate(out, "empty-rate.prompt", empty, batch.emptyRatePrompt(), s.maxEmptyPrompt());
      rate(out, "empty-rate.response", empty, batch.emptyRateResponse(), s.maxEmptyResponse());
    }
    if (s.nullRateEnabled()) {
      rate(out, "null-rate.prompt", empty, batch.nullRatePrompt(), s.maxNullPrompt());
      rate(out, "null-rate.response", empty, batch.nullRateResponse(), s.maxNullResponse());
    }
    if (s.lengthEnabled()) {
      String metric = "text length (chars)";
      if (empty) {
        out.add(Check.skipped("length.p50", metric, ">= " + Check.format(s.minP50()), "no rows"));
        out.add(Check.skipped("length.p99", metric, "<= " + Check.format(s.maxP99()), "no rows"));
      } else {
        out.add(Check.atLeast("length.p50", metric, batch.lengthP50(), s.minP50(), "batch"));
        out.add(Check.atMost("length.p99", metric, batch.lengthP99(), s.maxP99(), "batch"));
      }
    }
    if (s.driftEnabled()) {
      drift(s, candidateGold, previousGold, out);
    }
    mix(out, "language-mix", s.languageMix(), candidateGold, true);
    mix(out, "category-mix", s.categoryMix(), candidateGold, false);
    return new GateResult(out);
  }

  private static void rowCount(GateSettings s, Profile batch, Profile prev, List<Check> out) {
    out.add(Check.atLeast("row-count.min-rows", "rows", batch.rows(), s.minRows(), "batch rows"));
    String band = "in [" + Check.format(s.minRatio()) + ", " + Check.format(s.maxRatio()) + "]";
    String metric = "batch rows / previous batch rows";
    if (prev == null) {
      out.add(Check.skipped("row-count.ratio", metric, band, "no previous batch (first run)"));
    } else if (prev.rows() == 0) {
      out.add(Check.skipped("row-count.ratio", metric, band, "previous batch had no rows"));
    } else {
      double ratio = (double) batch.rows() / prev.rows();
      out.add(
          Check.within(
              "row-count.ratio",
              metric,
              ratio,
              s.minRatio(),
              s.maxRatio(),
              batch.rows() + " rows vs " + prev.rows() + " in the previous batch"));
    }
  }

  private static void dropShare(GateSettings s, Profile batch, List<Check> out) {
    String metric = "share of input rows dropped";
    long in = batch.inputRows();
    if (in <= 0) {
      String why = in < 0 ? "no drop counts given for the batch" : "no input rows";
      out.add(
          Check.skipped("drop-share.total", metric, "<= " + Check.format(s.maxDropTotal()), why));
      return;
    }
    long dropped = batch.drops().values().stream().mapToLong(Long::longValue).sum();
    out.add(
        Check.atMost(
            "drop-share.total",
            metric,
            (double) dropped / in,
            s.maxDropTotal(),
            dropped + " of " + in + " input rows dropped"));
    TreeSet<String> reasons = new TreeSet<>(batch.drops().keySet());
    reasons.addAll(s.maxDropPerReason().keySet());
    for (String reason : reasons) {
      long n = batch.drops().getOrDefault(reason, 0L);
      double max = s.maxDropPerReason().getOrDefault(reason, s.maxDropTotal());
      out.add(
          Check.atMost(
              "drop-share." + reason,
              metric,
              (double) n / in,
              max,
              n + " of " + in + " input rows dropped as " + reason));
    }
  }

  private static void rate(List<Check> out, String name, boolean empty, double v, double max) {
    if (empty) {
      out.add(Check.skipped(name, "share of rows", "<= " + Check.format(max), "no rows"));
    } else {
      out.add(Check.atMost(name, "share of rows", v, max, "batch"));
    }
  }

  private static void drift(GateSettings s, Profile cand, Profile prev, List<Check> out) {
    String why =
        prev == null
            ? "no previous gold (first run)"
            : cand == null ? "no candidate gold profile" : null;
    if (why == null && (cand.rows() == 0 || prev.rows() == 0)) {
      why = cand.rows() == 0 ? "candidate gold has no rows" : "previous gold has no rows";
    }
    String lengthWhy = why;
    if (why == null && !Arrays.equals(cand.lengthBins(), prev.lengthBins())) {
      lengthWhy =
          "length bins differ from the previous gold's ("
              + Arrays.toString(prev.lengthBins())
              + "); rerun with the same gates.length-bins";
    }
    double eps = s.epsilon();
    driftCheck(
        out,
        "drift.js.length",
        "JS divergence of length histograms",
        s.jsMaxLength(),
        lengthWhy,
        () -> Divergence.jensenShannon(cand.lengthHistogram(), prev.lengthHistogram()));
    driftCheck(
        out,
        "drift.psi.length",
        "PSI of length histograms",
        s.psiMaxLength(),
        lengthWhy,
        () -> Divergence.psi(cand.lengthHistogram(), prev.lengthHistogram(), eps));
    driftCheck(
        out,
        "drift.js.category",
        "JS divergence of category mix",
        s.jsMaxCategory(),
        why,
        () -> Divergence.jensenShannon(cand.categories(), prev.categories()));
    driftCheck(
        out,
        "drift.kl.category",
        "KL(candidate || previous) of category mix",
        s.klMaxCategory(),
        why,
        () -> Divergence.kl(cand.categories(), prev.categories(), eps));
    driftCheck(
        out,
        "drift.js.language",
        "JS divergence of language mix",
        s.jsMaxLanguage(),
        why,
        () -> Divergence.jensenShannon(cand.languages(), prev.languages()));
  }

  private static void driftCheck(
      List<Check> out,
      String name,
      String metric,
      double max,
      String why,
      java.util.function.DoubleSupplier value) {
    String threshold = "<= " + Check.format(max);
    if (why != null) {
      out.add(Check.skipped(name, metric, threshold, why));
      return;
    }
    double v = value.getAsDouble();
    if (Double.isNaN(v)) {
      out.add(Check.skipped(name, metric, threshold, "a distribution is empty"));
    } else {
      out.add(Check.atMost(name, metric, v, max, "candidate gold vs previous gold"));
    }
  }

  private static void mix(
      List<Check> out, String group, GateSettings.Mix m, Profile gold, boolean language) {
    if (!m.enabled()) {
      return;
    }
    String what = language ? "language" : "category";
    String maxName = group + ".max-share";
    String metric = "largest share of one " + what + " in the candidate gold";
    if (gold == null || gold.rows() == 0) {
      String why = gold == null ? "no candidate gold profile" : "candidate gold has no rows";
      out.add(Check.skipped(maxName, metric, "<= " + Check.format(m.maxShare()), why));
      for (String v : m.required()) {
        out.add(Check.skipped(group + ".required." + v, "rows", ">= 1", why));
      }
      return;
    }
    Map<String, Long> counts = language ? gold.languages() : gold.categories();
    long total = counts.values().stream().mapToLong(Long::longValue).sum();
    String top = null;
    long topCount = -1;
    for (Map.Entry<String, Long> e : counts.entrySet()) {
      if (e.getValue() > topCount) {
        top = e.getKey();
        topCount = e.getValue();
      }
    }
    double share = total == 0 ? 0.0 : (double) topCount / total;
    out.add(
        Check.atMost(
            maxName,
            metric,
            share,
            m.maxShare(),
            top == null ? "no values" : "largest: " + top + " (" + topCount + " rows)"));
    for (String v : m.required()) {
      long n = counts.getOrDefault(v, 0L);
      out.add(
          Check.atLeast(
              group + ".required." + v,
              "rows",
              n,
              1,
              what + " " + v + " has " + n + " rows in the candidate gold"));
    }
  }
}
