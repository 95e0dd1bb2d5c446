package io.instructlake.publish;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instructlake.augment.AugmentJob;
import io.instructlake.balance.BalanceJob;
import io.instructlake.config.PipelineConfig;
import io.instructlake.gold.GoldColumns;
import io.instructlake.gold.GoldFixtures;
import io.instructlake.gold.GoldTables;
import io.instructlake.gold.SilverSource;
import io.instructlake.lake.Lake;
import io.instructlake.lake.LakeTable;
import io.instructlake.lake.Run;
import io.instructlake.lake.RunSummary;
import io.instructlake.split.SplitJob;
import io.instructlake.testkit.SparkTestBase;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

class PublishJobTest extends SparkTestBase {
  static final PipelineConfig CONFIG =
      PipelineConfig.builder()
          .optEnvironment(Map.of())
          .optSet("split.train-fraction", "0.7")
          .optSet("split.eval-fraction", "0.3")
          .optSet("augment.copies-per-record", "2")
          .build();

  private static RunSummary publish(Lake lake) {
    Run run = Run.start(lake, "publish", CONFIG, null);
    new PublishJob().step(CONFIG).execute(run);
    return run.succeed();
  }

  private static Set<String> strings(Dataset<Row> d, String c) {
    return new HashSet<>(
        d.select(c).where(col(c).isNotNull()).as(Encoders.STRING()).collectAsList());
  }

  @Test
  void publishesVersionedGoldWithoutLeakageAndRebuildsByTimeTravel() {
    Lake lake = newLake("publish");
    lake.overwrite(LakeTable.SILVER_RECORDS, GoldFixtures.silver(spark, 80), "silver-run");
    RunSummary first = publish(lake);
    assertEquals(RunSummary.OK, first.status());
    assertEquals(0L, first.details().get("gold.silver_version"));
    assertEquals("silver.records", first.details().get("gold.silver_table"));
    Map<String, String> props = GoldTables.properties(spark, lake.path(LakeTable.GOLD_TRAIN));
    assertEquals("0", props.get(GoldColumns.PROP_SILVER_VERSION));
    assertEquals("silver.records", props.get(GoldColumns.PROP_SILVER_TABLE));
    assertEquals(first.runId(), props.get(GoldColumns.PROP_RUN_ID));
    assertEquals(
        "0",
        GoldTables.properties(spark, lake.path(LakeTable.GOLD_EVAL))
            .get(GoldColumns.PROP_SILVER_VERSION));

    Dataset<Row> train = lake.read(LakeTable.GOLD_TRAIN);
    Dataset<Row> eval = lake.read(LakeTable.GOLD_EVAL);
    // No eval record, nor anything made from one, in train.
    Set<String> evalIds = strings(eval, "record_id");
    assertFalse(evalIds.isEmpty());
    Set<String> trainIds = strings(train, "record_id");
    trainIds.addAll(strings(train, "parent_id"));
    trainIds.retainAll(evalIds);
    assertTrue(trainIds.isEmpty(), trainIds.toString());
    assertEquals(0, eval.where(col("parent_id").isNotNull()).count());
    assertTrue(train.where(col("aug_method").isNotNull()).count() > 0);
    PublishJob.Result published = first.result(PublishJob.Result.class).orElseThrow();
    assertTrue(published.balanceDistribution().containsKey("law"), published.toString());
    assertEquals(published.balanceDistribution(), first.details().get("gold.balance_distribution"));

    long trainV1 = published.trainVersion();
    List<String> trainHashes = GoldFixtures.rowHashes(train);
    List<String> evalHashes = GoldFixtures.rowHashes(eval);

    // New silver data: gold records version 1; rebuilding from silver version 0 gives run 1's rows.
    lake.append(
        LakeTable.SILVER_RECORDS,
        GoldFixtures.silver(spark, 100).where(col("source_line").gt(80)),
        "silver-run-2");
    RunSummary second = publish(lake);
    assertEquals(1L, second.details().get("gold.silver_version"));
    assertNotEquals(trainV1, (long) (Long) second.details().get("gold.train_version"));
    assertNotEquals(trainHashes, GoldFixtures.rowHashes(lake.read(LakeTable.GOLD_TRAIN)));
    Run rebuild = Run.start(lake, "publish", CONFIG, null);
    PublishJob job = new PublishJob();
    job.execute(rebuild, job.options(CONFIG), SilverSource.read(lake, LakeTable.SILVER_RECORDS, 0));
    rebuild.succeed();
    // A rerun on the same snapshot gives identical rows (sorted row hashes).
    assertEquals(trainHashes, GoldFixtures.rowHashes(lake.read(LakeTable.GOLD_TRAIN)));
    assertEquals(evalHashes, GoldFixtures.rowHashes(lake.read(LakeTable.GOLD_EVAL)));
    // And the version the first run wrote is still there by time travel.
    assertEquals(
        trainHashes, GoldFixtures.rowHashes(lake.readVersion(LakeTable.GOLD_TRAIN, trainV1)));
  }

  @Test
  void standaloneCommandsChainThroughSideTablesFromBronzeFallback() {
    Lake lake = newLake("chain");
    Dataset<Row> bronze = GoldFixtures.silver(spark, 40).drop("lang", "cluster_id");
    lake.overwrite(LakeTable.BRONZE_RECORDS, bronze, "ingest-run");
    Run run = Run.start(lake, "split", CONFIG, null);
    new SplitJob().step(CONFIG).execute(run);
    new AugmentJob().step(CONFIG).execute(run);
    new BalanceJob().step(CONFIG).execute(run);
    RunSummary s = run.succeed();
    assertEquals("bronze.records", s.details().get("split.silver_table"));
    String balanced = lake.sidePath(GoldTables.BALANCED);
    assertEquals(
        "bronze.records",
        GoldTables.properties(spark, balanced).get(GoldColumns.PROP_SILVER_TABLE));
    assertEquals(40L, s.stageCounts("split").get("in"));
    assertTrue(s.stageCounts("augment").get("kept") > 40, s.stageCounts("augment").toString());
    assertTrue(
        s.stageCounts("balance").containsKey("after_law"), s.stageCounts("balance").toString());
  }
}
