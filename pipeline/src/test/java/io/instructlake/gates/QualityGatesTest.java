package io.instructlake.gates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instructlake.gates.Check.Status;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QualityGatesTest {
  static final long[] BINS = {0, 32, 64, 128, 256, 512, 1024, 2048, 4096};
  private static final GateSettings DEFAULTS = GateSettings.defaults();

  /** A healthy profile: all rows in the [128,256) bin, half finance half law, English. */
  static Profile healthy(long rows) {
    long[] counts = new long[BINS.length];
    counts[3] = rows;
    return Profile.builder()
        .setRows(rows)
        .setLengthHistogram(BINS, counts)
        .optQuantiles(150, 200, 250)
        .optLanguages(Map.of("en", rows))
        .optCategories(Map.of("finance", rows / 2, "law", rows - rows / 2))
        .optDrops(Map.of("exact_duplicate", rows / 10), rows + rows / 10)
        .build();
  }

  @Test
  void identicalProfilesPassEveryCheck() {
    Profile p = healthy(100);
    GateResult r = QualityGates.evaluate(DEFAULTS, p, p, p, p);
    assertTrue(r.passed(), r.summary());
    for (Check c : r.checks()) {
      assertEquals(Status.PASSED, c.status(), c.toString());
    }
    assertEquals(0.0, r.check("drift.js.category").value(), 1e-12);
    assertEquals(0.0, r.check("drift.psi.length").value(), 1e-12);
    assertEquals(1.0, r.check("row-count.ratio").value(), 1e-12);
    // drop share = 10 / 110
    assertEquals(10.0 / 110, r.check("drop-share.total").value(), 1e-12);
    assertTrue(r.summary().startsWith("gates passed: "), r.summary());
  }

  @Test
  void halfTheResponsesEmptyFailsEmptyRate() {
    Profile good = healthy(100);
    long[] counts = new long[BINS.length];
    counts[3] = 100;
    Profile bad =
        Profile.builder()
            .setRows(100)
            .optEmpties(0, 50)
            .optNulls(0, 2)
            .setLengthHistogram(BINS, counts)
            .optQuantiles(150, 200, 250)
            .optLanguages(Map.of("en", 100L))
            .optCategories(Map.of("finance", 50L, "law", 50L))
            .build();
    GateResult r = QualityGates.evaluate(DEFAULTS, bad, good, good, good);
    assertFalse(r.passed());
    assertEquals(List.of("empty-rate.response"), r.failed().stream().map(Check::name).toList());
    assertEquals(0.5, r.check("empty-rate.response").value(), 1e-12);
    assertEquals("<= 0.05", r.check("empty-rate.response").threshold());
    assertEquals("gates failed: empty-rate.response=0.5 > 0.05", r.summary());
    // 2 nulls of 100 is under the 0.05 null-rate limit
    assertEquals(Status.PASSED, r.check("null-rate.response").status());
    // no drop counts passed for this batch
    assertEquals(Status.SKIPPED, r.check("drop-share.total").status());
  }

  @Test
  void categoryMixFarFromPreviousGoldFailsDrift() {
    Profile previous = healthy(100); // finance 50, law 50
    long[] counts = new long[BINS.length];
    counts[3] = 100;
    Profile candidate =
        Profile.builder()
            .setRows(100)
            .setLengthHistogram(BINS, counts)
            .optQuantiles(150, 200, 250)
            .optLanguages(Map.of("en", 100L))
            .optCategories(Map.of("finance", 95L, "law", 5L))
            .build();
    GateResult r = QualityGates.evaluate(DEFAULTS, healthy(100), healthy(100), candidate, previous);
    assertFalse(r.passed());
    // p = (0.95, 0.05), q = (0.5, 0.5), m = (0.725, 0.275):
    // JS = 0.5 [0.95 log2(0.95/0.725) + 0.05 log2(0.05/0.275)]
    //    + 0.5 [0.5 log2(0.5/0.725) + 0.5 log2(0.5/0.275)] = 0.205350
    double js =
        0.5 * (0.95 * log2(0.95 / 0.725) + 0.05 * log2(0.05 / 0.275))
            + 0.5 * (0.5 * log2(0.5 / 0.725) + 0.5 * log2(0.5 / 0.275));
    assertEquals(0.205350, js, 1e-6);
    Check c = r.check("drift.js.category");
    assertEquals(Status.FAILED, c.status());
    assertEquals(js, c.value(), 1e-9);
    // KL = 0.95 ln 1.9 + 0.05 ln 0.1 = 0.494632 < 0.5 (smoothing 1e-6 moves it by < 1e-5)
    assertEquals(0.494632, r.check("drift.kl.category").value(), 1e-4);
    assertEquals(Status.PASSED, r.check("drift.kl.category").status());
    assertTrue(r.summary().contains("drift.js.category=0.2053 > 0.1"), r.summary());
    assertEquals(Status.PASSED, r.check("drift.js.length").status());
  }

  @Test
  void firstRunSkipsComparisonsInsteadOfFailing() {
    Profile p = healthy(40);
    GateResult r = QualityGates.evaluate(DEFAULTS, p, null, p, null);
    assertTrue(r.passed(), r.summary());
    for (String name :
        List.of(
            "row-count.ratio",
            "drift.js.length",
            "drift.psi.length",
            "drift.js.category",
            "drift.kl.category",
            "drift.js.language")) {
      Check c = r.check(name);
      assertEquals(Status.SKIPPED, c.status(), name);
      assertTrue(c.detail().contains("first run"), c.detail());
    }
    assertEquals(Status.PASSED, r.check("row-count.min-rows").status());
    assertEquals(6, r.skipped().size());
  }

  @Test
  void rowCountSpikeAndDropShareFail() {
    Profile previous = healthy(10);
    Profile batch = healthy(100).withDrops(Map.of("exact_duplicate", 30L, "too_short", 70L), 200);
    GateSettings s =
        GateSettings.builder()
            .optDropShare(true, 0.6, Map.of("too_short", 0.2, "pii", 0.01))
            .build();
    GateResult r = QualityGates.evaluate(s, batch, previous, null, null);
    assertEquals(
        List.of("row-count.ratio", "drop-share.too_short"),
        r.failed().stream().map(Check::name).toList());
    assertEquals(10.0, r.check("row-count.ratio").value(), 1e-12);
    assertEquals(0.5, r.check("drop-share.total").value(), 1e-12); // 100 / 200 <= 0.6
    assertEquals(0.35, r.check("drop-share.too_short").value(), 1e-12);
    assertEquals(0.15, r.check("drop-share.exact_duplicate").value(), 1e-12);
    assertEquals(0.0, r.check("drop-share.pii").value(), 1e-12);
    assertTrue(r.summary().contains("row-count.ratio=10 outside [0.2, 5]"), r.summary());
    assertTrue(r.summary().contains("drop-share.too_short=0.35 > 0.2"), r.summary());
  }

  @Test
  void mixChecksOnCandidateGold() {
    GateSettings s =
        GateSettings.builder()
            .optCategoryMix(new GateSettings.Mix(true, 0.4, List.of("finance", "medical")))
            .build();
    Profile p = healthy(100);
    GateResult r = QualityGates.evaluate(s, p, p, p, p);
    assertEquals(
        List.of("category-mix.max-share", "category-mix.required.medical"),
        r.failed().stream().map(Check::name).toList());
    assertEquals(0.5, r.check("category-mix.max-share").value(), 1e-12);
    assertEquals(50.0, r.check("category-mix.required.finance").value(), 1e-12);
  }

  @Test
  void emptyBatchFailsMinRowsAndSkipsRates() {
    Profile empty =
        Profile.builder().setRows(0).setLengthHistogram(BINS, new long[BINS.length]).build();
    GateResult r = QualityGates.evaluate(DEFAULTS, empty, healthy(10), null, null);
    assertEquals(Status.FAILED, r.check("row-count.min-rows").status());
    assertEquals(Status.SKIPPED, r.check("empty-rate.response").status());
    assertEquals(Status.SKIPPED, r.check("length.p50").status());
  }

  @Test
  void disabledGatesGiveOneSkippedCheck() {
    GateSettings off = GateSettings.builder().optEnabled(false).build();
    GateResult r = QualityGates.evaluate(off, healthy(1), null, null, null);
    assertTrue(r.passed());
    assertEquals(1, r.checks().size());
    assertEquals(Status.SKIPPED, r.checks().get(0).status());
  }

  private static double log2(double x) {
    return Math.log(x) / Math.log(2);
  }
}
