package io.instructlake.ingest;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instructlake.PipelineException;
import io.instructlake.config.PipelineConfig;
import io.instructlake.lake.Lake;
import io.instructlake.lake.LakeTable;
import io.instructlake.lake.Run;
import io.instructlake.lake.RunSummary;
import io.instructlake.testkit.SparkTestBase;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every input format and every bad-input kind through the Spark ingest, with the expected counts
 * per file written down from the inputs this test builds.
 */
class IngestFormatsTest extends SparkTestBase {
  private static Path input;

  private static void write(Path p, String s) throws Exception {
    Files.createDirectories(p.getParent());
    Files.write(p, s.getBytes(StandardCharsets.UTF_8));
  }

  @BeforeAll
  static void buildInput() throws Exception {
    input = newDir("formats");
    write(
        input.resolve("alpaca.json"),
        "[\n{\"instruction\": \"i1\", \"input\": \"\", \"output\": \"o1\", \"category\": \"law\"},\n"
            + "{\"instruction\": \"i2\", \"input\": \"x\", \"output\": \"o2\"},\n"
            + "{\"instruction\": \"broken\", \"output\": },\n"
            + "{\"instruction\": 7, \"output\": \"o\"},\n"
            + "{\"instruction\": \"i3\", \"output\": \"o3\", \"label\": \"pos\"}\n]\n");
    String sharegpt =
        "{\"conversations\": [{\"from\": \"human\", \"value\": \"q\"}, {\"from\": \"function_call\", \"value\": \"{}\"},"
            + " {\"from\": \"observation\", \"value\": \"r\"}, {\"from\": \"gpt\", \"value\": \"a\"}], \"tools\": \"[]\"}\n"
            + "{\"conversations\": [{\"from\": \"human\", \"value\": \"q2\"}, {\"from\": \"gpt\", \"value\": \"a2\"}]}\n"
            + "{\"conversations\": [{\"from\": \"robot\", \"value\": \"q\"}, {\"from\": \"gpt\", \"value\": \"a\"}]}\n"
            + "{\"conversations\": [{\"from\": \"gpt\", \"value\": \"a\"}, {\"from\": \"human\", \"value\": \"q\"}]}\n";
    try (OutputStream o =
        new com.github.luben.zstd.ZstdOutputStream(
            Files.newOutputStream(
                input
                        .resolve("sg/sharegpt.jsonl.zst")
                        .toAbsolutePath()
                        .normalize()
                        .getParent()
                        .toFile()
                        .mkdirs()
                    ? input.resolve("sg/sharegpt.jsonl.zst")
                    : input.resolve("sg/sharegpt.jsonl.zst")))) {
      o.write(sharegpt.getBytes(StandardCharsets.UTF_8));
    }
    String messages =
        "{\"messages\": [{\"role\": \"system\", \"content\": \"s\"}, {\"role\": \"user\", \"content\": \"u\"},"
            + " {\"role\": \"assistant\", \"content\": \"a\"}]}\n"
            + "{\"messages\": [{\"role\": \"user\", \"content\": \"u2\"}, {\"role\": \"assistant\", \"content\": \"a2\"}]}\n";
    try (OutputStream o =
        new java.util.zip.GZIPOutputStream(
            Files.newOutputStream(input.resolve("messages.jsonl.gz")))) {
      o.write(messages.getBytes(StandardCharsets.UTF_8));
    }
    ByteArrayOutputStream pr = new ByteArrayOutputStream();
    pr.write(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
    pr.write(
        ("{\"prompt\": \"p1\", \"response\": \"r1\"}\r\n"
                + "{\"prompt\": \"p2\", \"response\": \"r2\", \"system\": \"s\"}\r\n"
                + "\r\n"
                + "{\"prompt\": \"p3\", \"response\": \"\"}\r\n"
                + "{\"prompt\": \"p4\"}\r\n"
                + "{\"prompt\": \"caf")
            .getBytes(StandardCharsets.UTF_8));
    pr.write(0xE9);
    pr.write("\", \"response\": \"x\"}\r\n".getBytes(StandardCharsets.UTF_8));
    Files.write(input.resolve("pr.jsonl"), pr.toByteArray());
    write(input.resolve("docs/docs.txt"), "doc one\ndoc two\ndoc three\n");
    write(
        input.resolve("big.jsonl"),
        "{\"prompt\": \""
            + "y".repeat(5000)
            + "\", \"response\": \"r\"}\n{\"prompt\": \"small\", \"response\": \"ok\"}\n");
    write(input.resolve("qa.json"), "[{\"question\": \"what?\", \"answer\": \"that\"}]");
    write(
        input.resolve("dataset_info.json"),
        "{\"qa\": {\"file_name\": \"qa.json\", \"columns\": {\"prompt\": \"question\", \"response\": \"answer\"}}}");
    write(input.resolve("README.md"), "not a corpus");
    StructType pq =
        new StructType()
            .add("instruction", DataTypes.StringType)
            .add("input", DataTypes.StringType)
            .add("output", DataTypes.StringType);
    spark
        .createDataFrame(
            List.of(
                RowFactory.create("pi1", "", "po1"),
                RowFactory.create("pi2", "in", "po2"),
                RowFactory.create("pi3", "", null)),
            pq)
        .coalesce(1)
        .write()
        .parquet(input.resolve("pq").toString());
  }

  private static PipelineConfig config(Lake lake, String... sets) {
    PipelineConfig.Builder b =
        PipelineConfig.builder()
            .optEnvironment(Map.of())
            .optSet("input.path", input.toString())
            .optSet("lake.root", lake.root())
            .optSet("ingest.max-record-bytes", "4k");
    for (String s : sets) {
      b.optSet(s);
    }
    return b.build();
  }

  private static Map<String, Long> countBy(org.apache.spark.sql.Dataset<Row> df, String c) {
    Map<String, Long> out = new TreeMap<>();
    for (Row r : df.groupBy(c).count().collectAsList()) {
      out.put(r.getString(0), r.getLong(1));
    }
    return out;
  }

  private static String fileOf(String path) {
    return path.substring(path.lastIndexOf('/') + 1);
  }

  @Test
  void everyFormatAndBadKindIsCountedPerFile() {
    Lake lake = newLake("formats");
    PipelineConfig config = config(lake);
    Run run = Run.start(lake, "ingest", config, input.toString());
    new IngestJob().step(config).execute(run);
    RunSummary s = run.succeed();

    Map<String, Long> kept = new TreeMap<>();
    for (Row r : lake.read(LakeTable.BRONZE_RECORDS).select("source_file").collectAsList()) {
      kept.merge(fileOf(r.getString(0)), 1L, Long::sum);
    }
    Map<String, Long> expectedKept = new TreeMap<>();
    expectedKept.put("alpaca.json", 3L);
    expectedKept.put("sharegpt.jsonl.zst", 2L);
    expectedKept.put("messages.jsonl.gz", 2L);
    expectedKept.put("pr.jsonl", 2L);
    expectedKept.put("docs.txt", 3L);
    expectedKept.put("big.jsonl", 1L);
    expectedKept.put("qa.json", 1L);
    // Spark names its parquet part file; one file holds the 2 good rows.
    long parquetKept =
        kept.entrySet().stream()
            .filter(e -> e.getKey().endsWith(".parquet"))
            .mapToLong(Map.Entry::getValue)
            .sum();
    kept.keySet().removeIf(k -> k.endsWith(".parquet"));
    assertEquals(expectedKept, kept);
    assertEquals(2L, parquetKept);

    Map<String, Long> reasons = countBy(lake.read(LakeTable.QUARANTINE), "reason");
    Map<String, Long> expectedReasons = new TreeMap<>();
    expectedReasons.put("malformed_json", 1L);
    expectedReasons.put("wrong_type", 1L);
    expectedReasons.put("unknown_role", 1L);
    expectedReasons.put("non_alternating_turns", 1L);
    expectedReasons.put("empty_field", 1L);
    expectedReasons.put("missing_field", 2L); // pr.jsonl p4 and the parquet row with null output
    expectedReasons.put("invalid_utf8", 1L);
    expectedReasons.put("too_large", 1L);
    assertEquals(expectedReasons, reasons);

    Map<String, Long> counts = s.stageCounts("ingest");
    assertEquals(16L, counts.get("kept"));
    assertEquals(25L, counts.get("in"));
    assertEquals(1L, counts.get("blank_lines"));
    // alpaca.json, sharegpt.jsonl.zst, messages.jsonl.gz, pr.jsonl, docs.txt, big.jsonl, qa.json
    // and one parquet part; README.md and dataset_info.json are not corpus files.
    assertEquals(8L, counts.get("files"));
    assertTrue(s.details().get("ingest.skipped_files").toString().contains("README.md"));

    // Line numbers, raw text and details survive into quarantine.
    Row broken =
        lake.read(LakeTable.QUARANTINE).where(col("reason").equalTo("malformed_json")).first();
    assertEquals(4L, broken.<Long>getAs("source_line"));
    assertEquals("{\"instruction\": \"broken\", \"output\": }", broken.getAs("raw"));
    Row utf8 = lake.read(LakeTable.QUARANTINE).where(col("reason").equalTo("invalid_utf8")).first();
    assertEquals(6L, utf8.<Long>getAs("source_line"));
    assertEquals("ingest", utf8.getAs("stage"));
    assertEquals(s.runId(), utf8.getAs("run_id"));

    // Content normalized as ingest promises: CRLF gone, BOM gone, roles mapped, tools kept.
    Row p1 = lake.read(LakeTable.BRONZE_RECORDS).where(col("prompt").equalTo("p1")).first();
    assertEquals("r1", p1.getAs("response"));
    assertEquals("prompt-response", p1.getAs("source_format"));
    assertEquals(1L, p1.<Long>getAs("source_line"));
    Row tool = lake.read(LakeTable.BRONZE_RECORDS).where(col("tools").equalTo("[]")).first();
    List<Row> msgs = tool.getList(tool.fieldIndex("messages"));
    assertEquals(
        List.of("user", "function_call", "observation", "assistant"),
        msgs.stream().map(m -> m.getString(0)).toList());
    Row sys = lake.read(LakeTable.BRONZE_RECORDS).where(col("prompt").equalTo("u")).first();
    assertEquals("s", sys.getAs("system"));
    Row law = lake.read(LakeTable.BRONZE_RECORDS).where(col("prompt").equalTo("i1")).first();
    assertEquals("law", law.getAs("category"));
    Row doc = lake.read(LakeTable.BRONZE_RECORDS).where(col("response").equalTo("doc two")).first();
    assertNull(doc.getAs("prompt"));
    assertEquals("text", doc.getAs("source_format"));
    Row pq = lake.read(LakeTable.BRONZE_RECORDS).where(col("prompt").equalTo("pi2\nin")).first();
    assertEquals("parquet", pq.getAs("source_format"));
  }

  @Test
  void tooManyBadRecordsFailsNamingTheShareAndTheKeyAndWritesNothing() {
    Lake lake = newLake("refused");
    PipelineConfig config = config(lake, "ingest.max-bad-share=0.2");
    Run run = Run.start(lake, "ingest", config, input.toString());
    PipelineException e =
        assertThrows(PipelineException.class, () -> new IngestJob().step(config).execute(run));
    assertTrue(e.getMessage().contains("36.0% of records are bad (9 of 25)"), e.getMessage());
    assertTrue(e.getMessage().contains("ingest.max-bad-share=0.2"), e.getMessage());
    RunSummary s = run.fail(e);
    assertEquals("failed", s.status());
    assertEquals(-1L, lake.version(LakeTable.BRONZE_RECORDS));
    assertEquals(-1L, lake.version(LakeTable.QUARANTINE));
    assertEquals("failed", lake.read(LakeTable.RUNS).first().getAs("status"));
  }

  @Test
  void quarantineDropsRawTextWhenConfigured() {
    Lake lake = newLake("noraw");
    PipelineConfig config = config(lake, "ingest.quarantine-keep-raw=false");
    Run run = Run.start(lake, "ingest", config, input.toString());
    new IngestJob().step(config).execute(run);
    run.succeed();
    assertEquals(9L, lake.read(LakeTable.QUARANTINE).count());
    assertEquals(0L, lake.read(LakeTable.QUARANTINE).where(col("raw").isNotNull()).count());
  }
}
