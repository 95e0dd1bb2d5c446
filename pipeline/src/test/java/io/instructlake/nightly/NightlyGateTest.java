package io.instructlake.nightly;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.delta.tables.DeltaTable;
import io.instructlake.lake.Lake;
import io.instructlake.lake.LakeTable;
import io.instructlake.lake.RunSummary;
import io.instructlake.testkit.SparkTestBase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/**
 * A batch that breaks the quality gates is rolled back: every table holds what it held before the
 * run (Delta RESTORE to the version before), gold is not written at all, the files stay new, the
 * run is {@code rolled_back} naming the failed checks, and the report shows them.
 */
class NightlyGateTest extends SparkTestBase {
  @Test
  void aBatchThatBreaksTheGatesIsRolledBackAndReported() throws Exception {
    Path batches = newDir("batches");
    NightlyFixtures.writeBatches(batches, 1, 150);
    Path in = newDir("in");
    NightlyFixtures.copyBatch(batches, 1, in);
    Lake lake = newLake("gated");
    String[] sets = {"ingest.max-bad-share=0.9", "gates.drop-share.max-total=0.3"};
    RunSummary first = NightlyFixtures.nightly(lake, in, sets);
    assertEquals(RunSummary.OK, first.status(), first.message());

    Map<LakeTable, Long> before = lake.versions();
    Set<String> none = Set.of();
    Map<String, List<String>> contentBefore = LakeDigest.of(lake, none);
    long runsBefore = lake.read(LakeTable.RUNS).count();

    // 300 "poetry" records (a category history never had) and 200 with empty responses (40%
    // of the batch quarantined, above the declared 30%).
    NightlyFixtures.writeBadBatch(in.resolve("batch-bad"), 300, 200);
    RunSummary bad = NightlyFixtures.nightly(lake, in, sets);

    assertEquals(RunSummary.ROLLED_BACK, bad.status(), bad.message());
    assertTrue(bad.message().contains("drift.kl.category"), bad.message());
    assertTrue(bad.message().contains("drop-share.total"), bad.message());

    // Contents equal those before; every written table's last commit is a RESTORE to its version
    // before the run; gold (checked before its write) was never touched.
    assertEquals(contentBefore, LakeDigest.of(lake, none));
    for (LakeTable t : LakeDigest.DATA_TABLES) {
      long now = lake.version(t);
      if (now == before.get(t)) {
        continue;
      }
      Row last = DeltaTable.forPath(spark, lake.path(t)).history(1).first();
      assertEquals("RESTORE", last.getAs("operation"), t + " last commit");
      Map<String, String> params =
          scala.jdk.javaapi.CollectionConverters.asJava(
              last.<scala.collection.Map<String, String>>getAs("operationParameters"));
      assertEquals(Long.toString(before.get(t)), params.get("version"), t + " restored to");
    }
    assertEquals(before.get(LakeTable.GOLD_TRAIN), lake.version(LakeTable.GOLD_TRAIN));
    assertEquals(before.get(LakeTable.GOLD_EVAL), lake.version(LakeTable.GOLD_EVAL));
    assertTrue(InflightMarker.read(lake).isEmpty());

    // The runs table says rolled_back with the failed checks.
    List<Row> runRow =
        lake.read(LakeTable.RUNS)
            .where(org.apache.spark.sql.functions.col("run_id").equalTo(bad.runId()))
            .select("status", "message")
            .collectAsList();
    assertEquals(runsBefore + 1, lake.read(LakeTable.RUNS).count());
    assertEquals("rolled_back", runRow.get(0).getString(0));
    assertTrue(runRow.get(0).getString(1).contains("drift.kl.category"));

    // The report (JSON and HTML) names the failed checks with their values and thresholds.
    Path dir = Path.of(lake.root(), "reports", "nightly", bad.runId());
    JsonNode report = new ObjectMapper().readTree(dir.resolve("report.json").toFile());
    assertEquals("rolled_back", report.path("status").asText());
    Map<String, JsonNode> checks = new HashMap<>();
    for (JsonNode c : report.path("gates").path("checks")) {
      checks.put(c.path("name").asText(), c);
    }
    // KL(candidate || previous) of the category mix: "poetry" is new, so the candidate puts
    // most of its mass where the previous gold had (smoothed) none.
    JsonNode kl = checks.get("drift.kl.category");
    assertEquals("FAILED", kl.path("status").asText(), kl.toString());
    assertTrue(kl.path("value").asDouble() > 0.5, kl.toString());
    assertTrue(checks.get("drift.js.category").path("value").asDouble() > 0, "JS is reported");
    JsonNode drop = checks.get("drop-share.total");
    assertEquals("FAILED", drop.path("status").asText(), drop.toString());
    // 200 of the 500 units were quarantined at ingest (empty responses); clean and dedupe may
    // drop a few more.
    assertTrue(drop.path("value").asDouble() >= 0.4 - 1e-9, drop.toString());
    String html = Files.readString(dir.resolve("report.html"));
    assertTrue(html.contains("drift.kl.category") && html.contains("drop-share.total"));

    // The first run's report exists too (every run writes one).
    assertTrue(
        Files.exists(Path.of(lake.root(), "reports", "nightly", first.runId(), "report.json")));
  }
}
