package io.instructlake.ingest;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instructlake.config.PipelineConfig;
import io.instructlake.corpus.CorpusGenerator;
import io.instructlake.corpus.Manifest;
import io.instructlake.lake.Lake;
import io.instructlake.lake.LakeTable;
import io.instructlake.lake.Run;
import io.instructlake.lake.RunSummary;
import io.instructlake.testkit.SparkTestBase;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/**
 * The generator knows what it injected; ingest of its corpus must account for every unit: valid
 * records in bronze, malformed units in quarantine with the injected reason, nothing else.
 */
class GeneratedCorpusIngestTest extends SparkTestBase {

  @Test
  void everyGeneratedUnitLandsInBronzeOrQuarantineWithItsReason() throws Exception {
    Path corpus = newDir("gen");
    Manifest m =
        CorpusGenerator.builder()
            .setOutputDir(corpus)
            .optRecords(3000)
            .optSeed(7)
            .optMalformedShare(0.03)
            .optRecordsPerFile(400)
            .build()
            .generate();
    Lake lake = newLake("gen");
    PipelineConfig config =
        PipelineConfig.builder()
            .optEnvironment(Map.of())
            .optSet("input.path", corpus.toString())
            .optSet("lake.root", lake.root())
            .build();
    Run run = Run.start(lake, "ingest", config, corpus.toString());
    new IngestJob().step(config).execute(run);
    RunSummary s = run.succeed();

    assertEquals(m.validRecords + m.malformedTotal(), m.units, "manifest is self-consistent");
    assertEquals(m.validRecords, lake.read(LakeTable.BRONZE_RECORDS).count());
    assertEquals(m.malformedTotal(), lake.read(LakeTable.QUARANTINE).count());
    Map<String, Long> byReason = new HashMap<>();
    for (Row r : lake.read(LakeTable.QUARANTINE).groupBy("reason").count().collectAsList()) {
      byReason.put(r.getString(0), r.getLong(1));
    }
    assertEquals(m.malformed, byReason);
    assertEquals(m.validRecords, s.stageCounts("ingest").get("kept"));
    assertEquals(m.blankLines, s.stageCounts("ingest").get("blank_lines"));
    for (Map.Entry<String, Long> e : m.malformed.entrySet()) {
      assertEquals(e.getValue(), s.stageCounts("ingest").get("dropped_" + e.getKey()), e.getKey());
    }
    // Categories are mapped from the input field.
    Map<String, Long> cats = new HashMap<>();
    for (Row r :
        lake.read(LakeTable.BRONZE_RECORDS)
            .where(col("category").isNotNull())
            .groupBy("category")
            .count()
            .collectAsList()) {
      cats.put(r.getString(0), r.getLong(1));
    }
    assertEquals(m.categories, cats);
    // Exact duplicates share a record id: distinct ids = valid - injected exact copies (no
    // accidental collisions among fresh records).
    long distinct = lake.read(LakeTable.BRONZE_RECORDS).select("record_id").distinct().count();
    assertEquals(m.validRecords - m.exactDuplicates, distinct);
    // The runs table holds this run.
    List<Row> runs = lake.read(LakeTable.RUNS).collectAsList();
    assertEquals(1, runs.size());
    assertEquals("ok", runs.get(0).getAs("status"));
    assertTrue(s.toJson().contains("\"bronze.records\""));
  }
}
