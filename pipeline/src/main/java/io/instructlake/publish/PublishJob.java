package io.instructlake.publish;

import static org.apache.spark.sql.functions.col;

import io.instructlake.augment.AugmentOptions;
import io.instructlake.augment.Augmenter;
import io.instructlake.balance.BalanceOptions;
import io.instructlake.balance.Balancer;
import io.instructlake.config.PipelineConfig;
import io.instructlake.gold.GoldColumns;
import io.instructlake.gold.GoldTables;
import io.instructlake.gold.SilverSource;
import io.instructlake.gold.StageWrites;
import io.instructlake.lake.JobResult;
import io.instructlake.lake.LakeTable;
import io.instructlake.lake.Run;
import io.instructlake.lake.StageOutput;
import io.instructlake.split.SplitOptions;
import io.instructlake.split.Splitter;
import io.instructlake.stage.Job;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;

/**
 * {@code bin/pipeline publish}: the chain silver to gold. Reads one pinned silver snapshot ({@link
 * SilverSource}), splits it, augments the train split (when {@code augment.enabled}), balances it
 * (when {@code balance.enabled}), and writes new versions of {@code gold.train} and {@code
 * gold.eval} (overwrite, so each run is one new Delta version; the test split, when configured,
 * goes to {@code _state/gold/test}). Both gold tables get the Delta table properties {@code
 * instructlake.silver.table}, {@code instructlake.silver.version} and {@code instructlake.run.id},
 * and the run summary gets the same values plus the gold versions, so a training set is rebuilt
 * exactly by reading silver at that version (time travel) with the run's configuration.
 */
public final class PublishJob implements Job<PublishJob.Options> {
  /** The sections of the three steps publish chains. */
  public record Options(SplitOptions split, AugmentOptions augment, BalanceOptions balance) {}

  /**
   * What publish reports (key prefix {@code gold}).
   *
   * @param silverTable the silver table read
   * @param silverVersion its version read: time travel to it rebuilds this training set
   * @param trainVersion the new version of {@code gold.train}
   * @param evalVersion the new version of {@code gold.eval}
   * @param testPath the test split's side table; null when no test split is configured
   * @param backTranslation why back-translation did not run as configured; null when it did, was
   *     not asked for, or augment is off
   * @param balanceDistribution per class: {@code before}, {@code target}, {@code after}; null when
   *     balance is off
   */
  public record Result(
      String silverTable,
      long silverVersion,
      long trainVersion,
      long evalVersion,
      String testPath,
      String backTranslation,
      Map<String, Map<String, Long>> balanceDistribution)
      implements JobResult {
    @Override
    public String prefix() {
      return "gold";
    }
  }

  @Override
  public String name() {
    return "publish";
  }

  @Override
  public Options options(PipelineConfig config) {
    return new Options(
        SplitOptions.from(config.section("split")),
        AugmentOptions.from(config.section("augment")),
        BalanceOptions.from(config.section("balance")));
  }

  @Override
  public Result execute(Run run, Options options) {
    return execute(run, options, SilverSource.read(run.lake()));
  }

  /**
   * A check of the candidate gold rows, called after they are computed and before anything is
   * written to gold; it may throw (e.g. {@link io.instructlake.stage.RollBackException} when a
   * quality gate fails) so that nothing is published.
   */
  @FunctionalInterface
  public interface BeforeWrite {
    void check(Dataset<Row> train, Dataset<Row> eval);
  }

  /** Publishes from a given snapshot (e.g. an old silver version, to rebuild a training set). */
  public Result execute(Run run, Options options, SilverSource.Snapshot in) {
    return execute(run, options, in, (train, eval) -> {});
  }

  /** Publishes from a snapshot, letting {@code beforeWrite} veto the candidate gold rows. */
  public Result execute(
      Run run, Options options, SilverSource.Snapshot in, BeforeWrite beforeWrite) {
    SplitOptions splitOptions = options.split();
    AugmentOptions augmentOptions = options.augment();
    BalanceOptions balanceOptions = options.balance();
    SparkSession spark = run.lake().spark();
    long t0 = System.nanoTime();

    Dataset<Row> split =
        Splitter.builder().setOptions(splitOptions).build().split(in.rows()).kept();
    Dataset<Row> current = split;
    StageOutput augmented = null;
    Augmenter augmenter = Augmenter.builder().setOptions(augmentOptions).build();
    if (augmentOptions.enabled()) {
      augmented = augmenter.augment(current);
      current = augmented.kept();
    }
    StageOutput balanced = null;
    if (balanceOptions.enabled()) {
      balanced =
          Balancer.builder()
              .setOptions(balanceOptions)
              .optAugmentOptions(augmentOptions)
              .build()
              .balance(current);
      current = balanced.kept();
    }
    Dataset<Row> result = current.persist(StorageLevel.MEMORY_AND_DISK());
    Dataset<Row> train = result.where(col(GoldColumns.SPLIT).equalTo(GoldColumns.TRAIN));
    Dataset<Row> eval = result.where(col(GoldColumns.SPLIT).equalTo(GoldColumns.EVAL));
    Dataset<Row> test = result.where(col(GoldColumns.SPLIT).equalTo(GoldColumns.TEST));
    try {
      beforeWrite.check(train, eval);
    } catch (RuntimeException e) {
      result.unpersist();
      throw e;
    }

    String testPath = null;
    long trainWritten = run.overwrite(LakeTable.GOLD_TRAIN, train);
    long evalWritten = run.overwrite(LakeTable.GOLD_EVAL, eval);
    if (splitOptions.testFraction() > 0 || !splitOptions.testValues().isEmpty()) {
      testPath = run.lake().sidePath(GoldTables.TEST);
      GoldTables.overwrite(run, testPath, test);
    }
    Map<String, String> props = new LinkedHashMap<>();
    props.put(GoldColumns.PROP_SILVER_TABLE, in.table().sqlName());
    props.put(GoldColumns.PROP_SILVER_VERSION, Long.toString(in.version()));
    props.put(GoldColumns.PROP_RUN_ID, run.id());
    props.put("instructlake.config.digest", run.summary().configDigest());
    for (LakeTable t : new LakeTable[] {LakeTable.GOLD_TRAIN, LakeTable.GOLD_EVAL}) {
      GoldTables.setProperties(spark, run.lake().path(t), props);
    }

    // Counts per stage, from the persisted result and the quarantined rows.
    run.recordStage(Splitter.STAGE, Splitter.counts(split), 0L);
    String notice = null;
    Map<String, Map<String, Long>> distribution = null;
    if (augmented != null) {
      Map<String, Long> ac = new LinkedHashMap<>(StageWrites.replaceQuarantine(run, augmented));
      ac.putAll(StageWrites.valueCounts(train, GoldColumns.AUG_METHOD));
      run.recordStage(Augmenter.STAGE, ac, 0L);
      notice = augmenter.backTranslationNotice();
    }
    if (balanced != null) {
      Map<String, Long> bc = new LinkedHashMap<>(StageWrites.replaceQuarantine(run, balanced));
      bc.putAll(balanced.counters());
      Map<String, Long> after = Balancer.afterCounts(train, balanceOptions.column());
      bc.putAll(after);
      run.recordStage(Balancer.STAGE, bc, 0L);
      distribution = Balancer.distribution(balanced, after);
    }
    Map<String, Long> pc = new LinkedHashMap<>();
    long trainRows = run.outputRows(LakeTable.GOLD_TRAIN, trainWritten);
    long evalRows = run.outputRows(LakeTable.GOLD_EVAL, evalWritten);
    pc.put("gold_train", trainRows);
    pc.put("gold_eval", evalRows);
    run.recordStage("publish", pc, (System.nanoTime() - t0) / 1_000_000L);
    result.unpersist();
    return new Result(
        in.table().sqlName(),
        in.version(),
        run.lake().version(LakeTable.GOLD_TRAIN),
        run.lake().version(LakeTable.GOLD_EVAL),
        testPath,
        notice,
        distribution);
  }
}
