package io.instructlake.nightly;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instructlake.lake.Lake;
import io.instructlake.lake.LakeTable;
import io.instructlake.lake.RecordSchema;
import io.instructlake.lake.RunSummary;
import io.instructlake.testkit.SparkTestBase;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The nightly job in-process: three runs over three batches equal one run over their union; a rerun
 * on the same input changes no table; a copied file is recognised by its checksum.
 */
class NightlyJobTest extends SparkTestBase {
  static Path batches;

  @BeforeAll
  static void generate() throws IOException {
    batches = newDir("batches");
    NightlyFixtures.writeBatches(batches, 3, 100);
  }

  @Test
  void threeRunsEqualOneRunOverTheUnionAndARerunChangesNothing() throws IOException {
    Path in = newDir("series-in");
    Lake series = newLake("series");
    List<RunSummary> runs = new ArrayList<>();
    for (int b = 1; b <= 3; b++) {
      NightlyFixtures.copyBatch(batches, b, in);
      RunSummary s = NightlyFixtures.nightly(series, in);
      assertEquals(RunSummary.OK, s.status(), "run " + b + ": " + s.message());
      runs.add(s);
    }
    Lake union = newLake("union");
    RunSummary u = NightlyFixtures.nightly(union, in);
    assertEquals(RunSummary.OK, u.status(), u.message());

    // Every file is ingested once; the copied file of batch 2 is known by its checksum.
    long files = NightlyFixtures.corpusFiles(in);
    assertEquals(files, series.read(LakeTable.INGESTED_FILES).count());
    List<Row> dupFiles =
        series
            .read(LakeTable.INGESTED_FILES)
            .where(col(IngestedFiles.STATUS).equalTo(IngestedFiles.DUPLICATE_CONTENT))
            .select(IngestedFiles.PATH, IngestedFiles.DUPLICATE_OF)
            .collectAsList();
    assertEquals(1, dupFiles.size(), dupFiles.toString());
    assertTrue(dupFiles.get(0).getString(0).endsWith(NightlyFixtures.COPIED_FILE));
    assertTrue(dupFiles.get(0).getString(1).endsWith(NightlyFixtures.COPY_SOURCE));
    assertEquals(
        0L,
        series
            .read(LakeTable.BRONZE_RECORDS)
            .where(col(RecordSchema.SOURCE_FILE).endsWith(NightlyFixtures.COPIED_FILE))
            .count(),
        "a file with already ingested content is not read again");

    // Every repeated line whose original reached silver in run 1 was dropped in run 2 as an
    // exact duplicate of that original (history), never kept twice.
    Set<String> silverIds = new HashSet<>();
    for (Row r :
        series.read(LakeTable.SILVER_RECORDS).select(RecordSchema.RECORD_ID).collectAsList()) {
      silverIds.add(r.getString(0));
    }
    int checkedRepeats = 0;
    for (int line = 1; line <= NightlyFixtures.EXACT_REPEATS; line++) {
      String original = NightlyFixtures.bronzeId(series, "overlap-1.jsonl", line);
      if (!silverIds.contains(original)) {
        continue;
      }
      checkedRepeats++;
      List<Row> q =
          series
              .read(LakeTable.QUARANTINE)
              .where(
                  col("source_file")
                      .endsWith("/overlap-2.jsonl")
                      .and(col("source_line").equalTo(line + 1)))
              .select("reason", "duplicate_of")
              .collectAsList();
      assertEquals(1, q.size(), "overlap-2 line " + (line + 1) + ": " + q);
      assertEquals("duplicate_exact", q.get(0).getString(0));
      assertEquals(original, q.get(0).getString(1));
    }
    assertTrue(
        checkedRepeats >= NightlyFixtures.EXACT_REPEATS - 2, "repeats checked: " + checkedRepeats);

    // A near duplicate arriving later is added to its history survivor's lineage.
    String nearId = NightlyFixtures.bronzeId(series, "overlap-2.jsonl", 1);
    String survivorId =
        NightlyFixtures.bronzeId(series, "overlap-1.jsonl", NightlyFixtures.NEAR_LINE);
    List<Row> survivor =
        series
            .read(LakeTable.SILVER_RECORDS)
            .where(col(RecordSchema.RECORD_ID).equalTo(survivorId))
            .select("lineage")
            .collectAsList();
    assertEquals(1, survivor.size());
    assertTrue(survivor.get(0).getList(0).contains(nearId), survivor.toString());

    // Union equivalence: same rows in every data table (run ids, times and the human-readable
    // quarantine detail, which says "history record" in a series, excluded).
    Set<String> excluded = new HashSet<>(NightlyJob.RUN_SPECIFIC_COLUMNS);
    excluded.add("detail");
    Map<String, List<String>> a = LakeDigest.of(series, excluded);
    Map<String, List<String>> b = LakeDigest.of(union, excluded);
    for (String t : a.keySet()) {
      assertEquals(b.get(t).size(), a.get(t).size(), "row count of " + t);
      assertEquals(b.get(t), a.get(t), "rows of " + t);
    }

    // A rerun on the same input writes nothing, not even a runs row.
    Map<LakeTable, Long> before = series.versions();
    RunSummary again = NightlyFixtures.nightly(series, in);
    assertEquals(RunSummary.OK, again.status());
    assertEquals(true, again.details().get("nightly.nothing_new"));
    assertEquals(before, series.versions());
  }
}
