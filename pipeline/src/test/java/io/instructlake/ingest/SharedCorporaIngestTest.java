package io.instructlake.ingest;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.instructlake.config.PipelineConfig;
import io.instructlake.lake.Lake;
import io.instructlake.lake.LakeTable;
import io.instructlake.lake.Run;
import io.instructlake.testkit.SharedCorpora;
import io.instructlake.testkit.SparkTestBase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/**
 * Ingests all of ../shared/corpora (real alpaca, sharegpt, seed-task and C4 files). Every record
 * must land in bronze or quarantine; the expected count per file is computed here with Jackson, not
 * by the code under test.
 */
class SharedCorporaIngestTest extends SparkTestBase {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Records a file holds, counted independently of ingest. */
  private static long expectedRecords(Path f) throws Exception {
    String name = f.getFileName().toString();
    if (name.endsWith(".json")) {
      return JSON.readTree(f.toFile()).size();
    }
    long n = 0;
    for (String line : Files.readAllLines(f)) {
      if (line.isBlank()) {
        continue;
      }
      JsonNode node = JSON.readTree(line);
      n += node.has("instances") ? node.get("instances").size() : 1;
    }
    return n;
  }

  @Test
  void everyRecordOfTheSharedCorporaLandsInBronzeOrQuarantine() throws Exception {
    Path corpora = SharedCorpora.require();
    Map<String, Long> expected = new TreeMap<>();
    try (Stream<Path> s = Files.list(corpora)) {
      for (Path f : s.sorted().toList()) {
        String n = f.getFileName().toString();
        if ((n.endsWith(".json") || n.endsWith(".jsonl")) && !n.equals("dataset_info.json")) {
          expected.put(n, expectedRecords(f));
        }
      }
    }
    assertEquals(8, expected.size(), "the shared corpora README lists 8 data files: " + expected);

    Lake lake = newLake("shared");
    PipelineConfig config =
        PipelineConfig.builder()
            .optEnvironment(Map.of())
            .optSet("input.path", corpora.toString())
            .optSet("lake.root", lake.root())
            .build();
    Run run = Run.start(lake, "ingest", config, corpora.toString());
    new IngestJob().step(config).execute(run);
    run.succeed();

    Map<String, Long> landed = new TreeMap<>();
    for (LakeTable t : List.of(LakeTable.BRONZE_RECORDS, LakeTable.QUARANTINE)) {
      for (Row r : lake.read(t).groupBy("source_file").count().collectAsList()) {
        String file = r.getString(0).substring(r.getString(0).lastIndexOf('/') + 1);
        landed.merge(file, r.getLong(1), Long::sum);
      }
    }
    assertEquals(expected, landed);

    // The registry's mapping applies: c4_demo is pre-training text (columns prompt -> text),
    // glaive keeps its tools and function calls.
    assertEquals(
        expected.get("c4_demo.jsonl"),
        lake.read(LakeTable.BRONZE_RECORDS)
            .where(
                col("source_file")
                    .endsWith("c4_demo.jsonl")
                    .and(col("source_format").equalTo("text")))
            .count());
    long withTools =
        lake.read(LakeTable.BRONZE_RECORDS)
            .where(
                col("source_file")
                    .endsWith("glaive_toolcall_en_demo.json")
                    .and(col("tools").isNotNull()))
            .count();
    assertTrue(withTools > 0, "glaive records keep their tools");
    // Every quarantined record says why.
    assertEquals(
        0L,
        lake.read(LakeTable.QUARANTINE)
            .where(col("reason").isNull().or(col("detail").isNull()))
            .count());
  }
}
