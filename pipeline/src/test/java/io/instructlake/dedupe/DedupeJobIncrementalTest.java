package io.instructlake.dedupe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instructlake.config.PipelineConfig;
import io.instructlake.dedupe.TestRecords.Rec;
import io.instructlake.lake.Lake;
import io.instructlake.lake.LakeTable;
import io.instructlake.lake.Quarantine;
import io.instructlake.lake.Run;
import io.instructlake.lake.RunSummary;
import io.instructlake.testkit.SparkTestBase;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/**
 * The dedupe job over several ingest runs equals one run over their union, the persisted Bloom
 * filter follows the table (and is rebuilt larger when outgrown), and a rerun with no new ingest
 * runs changes nothing.
 */
class DedupeJobIncrementalTest extends SparkTestBase {
  private static final int BATCHES = 2;

  @Test
  void incrementalRunsEqualFullRecomputation() {
    List<List<Rec>> batches = batches(new Random(5));
    // A tiny initial capacity forces a rebuild once the table outgrows it.
    PipelineConfig config = PipelineConfig.defaults().with("dedupe.exact.bloom-expected-items", 40);

    Lake inc = newLake("incremental");
    for (List<Rec> b : batches) {
      inc.append(LakeTable.BRONZE_RECORDS, TestRecords.frame(spark, b), "ingest");
      RunSummary s = runJob(inc, config);
      assertEquals(RunSummary.OK, s.status(), s.message());
      long v = inc.version(LakeTable.SILVER_RECORDS);
      HistoryBloom bloom =
          HistoryBloom.load(inc, v, DedupeOptions.from(config.section("dedupe"))).orElseThrow();
      assertEquals(inc.read(LakeTable.SILVER_RECORDS).count(), bloom.items());
      assertTrue(bloom.capacity() >= bloom.items());
      assertEquals(silverKeys(inc), indexKeys(HistoryKeys.load(inc, v).orElseThrow()));
    }
    // A rerun with nothing new keeps nothing new and drops nothing.
    long before = inc.read(LakeTable.SILVER_RECORDS).count();
    runJob(inc, config);
    assertEquals(before, inc.read(LakeTable.SILVER_RECORDS).count());

    Lake full = newLake("full");
    List<Rec> union = new ArrayList<>();
    batches.forEach(union::addAll);
    full.append(LakeTable.BRONZE_RECORDS, TestRecords.frame(spark, union), "ingest");
    runJob(full, config);

    assertEquals(ids(full), ids(inc));
    assertEquals(drops(full), drops(inc));
    // Independent expectation for the exact part: one survivor per distinct normalized content.
    Set<String> contents = new HashSet<>();
    for (Rec r : union) {
      contents.add(r.user().strip().replaceAll("\\s+", " "));
    }
    long exactDrops = full.read(LakeTable.QUARANTINE).where("reason = 'duplicate_exact'").count();
    assertEquals(union.size() - contents.size(), exactDrops);
    assertTrue(full.read(LakeTable.QUARANTINE).where("reason = 'duplicate_near'").count() > 0);
    // Every bronze id is kept, in a kept row's lineage, or quarantined with its survivor.
    Set<String> accounted = new TreeSet<>();
    for (Row r : full.read(LakeTable.SILVER_RECORDS).select("lineage").collectAsList()) {
      accounted.addAll(r.getList(0));
    }
    for (Row r : full.read(LakeTable.QUARANTINE).select("record_id").collectAsList()) {
      accounted.add(r.getString(0));
    }
    assertEquals(union.size(), accounted.size());
  }

  /**
   * After silver is restored to an older version (what a rollback does), the index manifest no
   * longer covers the table's version: it is not trusted, and the next run rebuilds it from silver
   * and still finds the duplicates of the surviving history.
   */
  @Test
  void keyIndexIsRebuiltAfterSilverIsRestored() {
    List<List<Rec>> batches = batches(new Random(9));
    PipelineConfig config = PipelineConfig.defaults().with("dedupe.near.enabled", false);
    Lake lake = newLake("restored");
    lake.append(LakeTable.BRONZE_RECORDS, TestRecords.frame(spark, batches.get(0)), "ingest");
    assertEquals(RunSummary.OK, runJob(lake, config).status());
    long first = lake.version(LakeTable.SILVER_RECORDS);
    lake.append(LakeTable.BRONZE_RECORDS, TestRecords.frame(spark, batches.get(1)), "ingest");
    assertEquals(RunSummary.OK, runJob(lake, config).status());
    long second = lake.version(LakeTable.SILVER_RECORDS);
    assertTrue(HistoryKeys.load(lake, second).isPresent());

    io.delta.tables.DeltaTable.forPath(spark, lake.path(LakeTable.SILVER_RECORDS))
        .restoreToVersion(first);
    long restored = lake.version(LakeTable.SILVER_RECORDS);
    assertTrue(HistoryKeys.load(lake, restored).isEmpty(), "no manifest covers the restored table");

    // Re-ingest batch 0 under new ids: every record is an exact duplicate of restored history.
    List<Rec> again = new ArrayList<>();
    for (Rec r : batches.get(0)) {
      again.add(new Rec("again-" + r.id(), null, r.user(), "ok", 9_000_000L, "run-again"));
    }
    lake.append(LakeTable.BRONZE_RECORDS, TestRecords.frame(spark, again), "ingest");
    RunSummary s = runJob(lake, config);
    assertEquals(RunSummary.OK, s.status(), s.message());
    long now = lake.version(LakeTable.SILVER_RECORDS);
    assertEquals(silverKeys(lake), indexKeys(HistoryKeys.load(lake, now).orElseThrow()));
    long fromHistory =
        lake.read(LakeTable.QUARANTINE)
            .where("reason = 'duplicate_exact' and record_id like 'again-%'")
            .where("duplicate_of not like 'again-%'")
            .count();
    // Each re-ingested record is dropped with a restored history record as its survivor (copies
    // within the batch too: their batch survivor is itself a duplicate of history).
    assertEquals(batches.get(0).size(), fromHistory);
    assertEquals(0L, lake.read(LakeTable.SILVER_RECORDS).where("record_id like 'again-%'").count());
  }

  /** silver.records' (dedupe_key, record_id) pairs, the key split into halves with the JDK. */
  private static Set<String> silverKeys(Lake lake) {
    Set<String> out = new TreeSet<>();
    for (Row r :
        lake.read(LakeTable.SILVER_RECORDS)
            .select(DedupeStage.DEDUPE_KEY, "record_id")
            .collectAsList()) {
      String k = r.getString(0);
      out.add(
          Long.parseUnsignedLong(k.substring(0, 16), 16)
              + "/"
              + Long.parseUnsignedLong(k.substring(16), 16)
              + " "
              + r.getString(1));
    }
    return out;
  }

  /** The index's rows in {@link #silverKeys}' form (test ids are not hex: stored as strings). */
  private static Set<String> indexKeys(HistoryKeys keys) {
    Set<String> out = new TreeSet<>();
    for (Row r :
        keys.keys()
            .select(HistoryKeys.KEY_HI, HistoryKeys.KEY_LO, HistoryKeys.RID_HI, HistoryKeys.RID)
            .collectAsList()) {
      assertTrue(r.isNullAt(2), "test ids are not hex, so they are stored as strings");
      out.add(r.getLong(0) + "/" + r.getLong(1) + " " + r.getString(3));
    }
    return out;
  }

  private static RunSummary runJob(Lake lake, PipelineConfig config) {
    DedupeJob job = new DedupeJob();
    Run run = Run.start(lake, job.name(), config, null);
    try {
      job.step(config).execute(run);
      return run.succeed();
    } catch (RuntimeException e) {
      run.fail(e);
      throw e;
    }
  }

  private static Set<String> ids(Lake lake) {
    return DedupeStageTest.ids(lake.read(LakeTable.SILVER_RECORDS), "record_id");
  }

  private static Set<String> drops(Lake lake) {
    Set<String> out = new TreeSet<>();
    for (Row r :
        lake.read(LakeTable.QUARANTINE)
            .select(Quarantine.RECORD_ID, Quarantine.REASON, Quarantine.DUPLICATE_OF)
            .collectAsList()) {
      out.add(r.getString(0) + ":" + r.getString(1) + ">" + r.getString(2));
    }
    return out;
  }

  /**
   * Batches with later ingest times; each holds new documents, exact copies (whitespace changed) of
   * documents from this or earlier batches, and one-word variants (near duplicates).
   */
  static List<List<Rec>> batches(Random rnd) {
    List<List<Rec>> out = new ArrayList<>();
    List<String> docs = new ArrayList<>();
    int id = 0;
    for (int b = 0; b < BATCHES; b++) {
      List<Rec> batch = new ArrayList<>();
      long t = 1_000_000L * (b + 1);
      String run = "run" + b;
      for (int i = 0; i < 40; i++) {
        StringBuilder sb = new StringBuilder();
        for (int w = 0; w < 50; w++) {
          sb.append("w").append(rnd.nextInt(100000)).append(' ');
        }
        String doc = sb.toString().strip();
        docs.add(doc);
        batch.add(new Rec("x" + (id++), null, doc, "ok", t + i, run));
      }
      for (int i = 0; i < 15; i++) {
        String doc = docs.get(rnd.nextInt(docs.size()));
        batch.add(
            new Rec("x" + (id++), null, "  " + doc.replace(" ", "   "), "ok", t + 100 + i, run));
      }
      for (int i = 0; i < 10; i++) {
        String[] words = docs.get(rnd.nextInt(docs.size())).split(" ");
        words[rnd.nextInt(words.length)] = "changed" + i;
        batch.add(new Rec("x" + (id++), null, String.join(" ", words), "ok", t + 200 + i, run));
      }
      out.add(batch);
    }
    return out;
  }
}
