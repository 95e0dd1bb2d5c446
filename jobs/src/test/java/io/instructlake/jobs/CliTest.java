package io.instructlake.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.instructlake.corpus.Manifest;
import io.instructlake.lake.Lake;
import io.instructlake.lake.LakeTable;
import io.instructlake.testkit.SparkTestBase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** The CLI as users and schedulers call it: help, config errors, demo, summary, exit codes, sql. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CliTest extends SparkTestBase {
  private static final ObjectMapper JSON = new ObjectMapper();

  record Result(int code, String out, String err) {}

  static Result cli(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        Main.execute(
            args,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Result(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  @Order(1)
  void helpListsEveryCommandAndKey() {
    Result r = cli("--help");
    assertEquals(0, r.code(), r.err());
    for (String s :
        new String[] {
          "demo",
          "generate-corpus",
          "ingest",
          "sql",
          "logits",
          "ingest.max-bad-share",
          "lake.root",
          "Exit codes"
        }) {
      assertTrue(r.out().contains(s), "help lacks " + s + ":\n" + r.out());
    }
    Result sub = cli("ingest", "--help");
    assertEquals(0, sub.code());
    for (String s : new String[] {"--conf", "--set", "--input", "--lake", "--summary"}) {
      assertTrue(sub.out().contains(s), "ingest --help lacks " + s);
    }
    Result badIds = cli("logits", "--model", "target/none", "--ids", "1,x;2");
    assertEquals(2, badIds.code(), badIds.out() + badIds.err());
    assertTrue(badIds.err().contains("--ids: expected rows like 1,2,3;4,5,6"), badIds.err());
  }

  @Test
  @Order(2)
  void configErrorsFailAtStartWithTheKeyAndExitTwo() throws Exception {
    Path lake = newDir("cfg-lake");
    Result unknown =
        cli(
            "ingest",
            "--lake",
            lake.toString(),
            "--input",
            "x",
            "--set",
            "ingest.max-bad-shar=0.1");
    assertEquals(2, unknown.code());
    assertTrue(
        unknown.err().contains("Unknown configuration key 'ingest.max-bad-shar'"), unknown.err());
    assertTrue(unknown.err().contains("did you mean 'ingest.max-bad-share'"), unknown.err());
    Result bad =
        cli("ingest", "--lake", lake.toString(), "--input", "x", "--set", "ingest.max-bad-share=2");
    assertEquals(2, bad.code());
    assertTrue(bad.err().contains("'ingest.max-bad-share'"), bad.err());
    Result noInput = cli("ingest", "--lake", lake.toString());
    assertEquals(2, noInput.code());
    assertTrue(noInput.err().contains("input.path"), noInput.err());
    // A bad quality-gate threshold fails nightly at start, naming the key.
    Result gate =
        cli(
            "nightly",
            "--lake",
            lake.toString(),
            "--input",
            "x",
            "--set",
            "gates.row-count.min-ratio=7");
    assertEquals(2, gate.code(), gate.err());
    assertTrue(gate.err().contains("gates.row-count"), gate.err());
    // Nothing was started: no table exists.
    assertTrue(!Files.exists(lake.resolve("runs")));
  }

  @Test
  @Order(3)
  void demoRunsEndToEndAndWritesTheSummary() throws Exception {
    Path work = newDir("demo");
    Path lakeDir = work.resolve("lake");
    Path corpus = work.resolve("corpus");
    Path summary = work.resolve("summary.json");
    Result r =
        cli(
            "demo",
            "--lake",
            lakeDir.toString(),
            "--corpus-dir",
            corpus.toString(),
            "--set",
            "generate.records=1500",
            "--summary",
            summary.toString());
    assertEquals(0, r.code(), r.out() + r.err());
    Manifest m = Manifest.read(corpus.resolve("_manifest.json"));
    JsonNode s = JSON.readTree(summary.toFile());
    assertEquals("ok", s.get("status").asText());
    assertEquals("demo", s.get("command").asText());
    assertEquals(m.validRecords, s.get("tables").get("bronze.records").get("rows").asLong());
    JsonNode ingest = s.get("stages").get("ingest").get("counts");
    assertEquals(m.units, ingest.get("in").asLong());
    for (var e : m.malformed.entrySet()) {
      assertEquals(
          e.getValue().longValue(), ingest.get("dropped_" + e.getKey()).asLong(), e.getKey());
    }
    // Every later stage ran in the same run, and its drops are in quarantine too.
    for (String stage : new String[] {"clean", "dedupe", "publish", "train"}) {
      assertTrue(s.get("stages").has(stage), "demo lacks stage " + stage + ": " + s.get("stages"));
    }
    long exact =
        s.get("stages").get("dedupe").get("counts").path("dropped_duplicate_exact").asLong();
    assertTrue(
        exact > 0 && exact <= m.exactDuplicates,
        "exact duplicates dropped " + exact + " of " + m.exactDuplicates + " injected");
    long dropped = 0;
    for (var stage : s.get("stages")) {
      for (var it = stage.get("counts").fields(); it.hasNext(); ) {
        var c = it.next();
        dropped += c.getKey().startsWith("dropped_") ? c.getValue().asLong() : 0;
      }
    }
    assertEquals(dropped, s.get("tables").get("quarantine").get("rows").asLong());
    assertTrue(s.get("tables").get("gold.train").get("rows").asLong() > 0);
    assertTrue(s.get("tables").get("gold.eval").get("rows").asLong() > 0);
    assertTrue(s.get("duration_ms").asLong() > 0);
    assertTrue(r.out().contains("bronze.records"), r.out());

    // sql resolves table names against the lake and prints JSON lines.
    Result q = cli("sql", "--lake", lakeDir.toString(), "SELECT count(*) AS n FROM bronze.records");
    assertEquals(0, q.code(), q.err());
    assertEquals("{\"n\":" + m.validRecords + "}", q.out().trim());
    Result runs = cli("sql", "--lake", lakeDir.toString(), "SELECT status FROM runs");
    assertEquals("{\"status\":\"ok\"}", runs.out().trim());
  }

  @Test
  @Order(4)
  void aFailedRunExitsOneAndLeavesTablesAtTheirPreviousVersion() throws Exception {
    Path work = newDir("fail");
    Path lakeDir = work.resolve("lake");
    Path good = work.resolve("good.jsonl");
    Files.writeString(good, "{\"prompt\":\"p\",\"response\":\"r\"}\n");
    assertEquals(0, cli("ingest", "--lake", lakeDir.toString(), "--input", good.toString()).code());
    Lake lake = new Lake(spark, lakeDir.toString());
    long bronzeBefore = lake.version(LakeTable.BRONZE_RECORDS);
    long quarantineBefore = lake.version(LakeTable.QUARANTINE);

    Path bad = work.resolve("bad.jsonl");
    Files.writeString(bad, "{\"prompt\":\"q\",\"response\":\"s\"}\nnot json\n");
    Path summary = work.resolve("s.json");
    Result r =
        cli(
            "ingest",
            "--lake",
            lakeDir.toString(),
            "--input",
            bad.toString(),
            "--set",
            "ingest.max-bad-share=0.1",
            "--summary",
            summary.toString());
    assertEquals(1, r.code(), r.out());
    assertTrue(r.err().contains("50.0% of records are bad"), r.err());
    assertEquals(bronzeBefore, lake.version(LakeTable.BRONZE_RECORDS));
    assertEquals(quarantineBefore, lake.version(LakeTable.QUARANTINE));
    assertEquals(1L, lake.read(LakeTable.BRONZE_RECORDS).count());
    JsonNode s = JSON.readTree(summary.toFile());
    assertEquals("failed", s.get("status").asText());
    assertTrue(s.get("message").asText().contains("ingest.max-bad-share"));
  }
}
