package io.instructlake.balance;

import static org.apache.spark.sql.functions.col;

import io.instructlake.augment.AugmentOptions;
import io.instructlake.config.PipelineConfig;
import io.instructlake.gold.GoldColumns;
import io.instructlake.gold.GoldTables;
import io.instructlake.gold.SilverSource;
import io.instructlake.gold.StageWrites;
import io.instructlake.lake.Run;
import io.instructlake.lake.StageOutput;
import io.instructlake.stage.Job;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * {@code bin/pipeline balance}: reads {@code _state/gold/augmented} (or {@code _state/gold/split}
 * when augment has not run), balances the train split and writes {@code _state/gold/balanced}. The
 * class distribution before, planned and after goes to the stage counts ({@code before_<class>},
 * {@code target_<class>}, {@code after_<class>}) and to the summary detail {@code
 * balance.distribution}.
 */
public final class BalanceJob implements Job {
  @Override
  public String name() {
    return "balance";
  }

  @Override
  public void validate(PipelineConfig config) {
    BalanceOptions.from(config.section("balance"));
    AugmentOptions.from(config.section("augment"));
  }

  @Override
  public void execute(Run run, PipelineConfig config) {
    long t0 = System.nanoTime();
    BalanceOptions options = BalanceOptions.from(config.section("balance"));
    AugmentOptions augment = AugmentOptions.from(config.section("augment"));
    SparkSession spark = run.lake().spark();
    String augmented = run.lake().sidePath(GoldTables.AUGMENTED);
    String in =
        io.delta.tables.DeltaTable.isDeltaTable(spark, augmented)
            ? augmented
            : run.lake().sidePath(GoldTables.SPLIT);
    String outPath = run.lake().sidePath(GoldTables.BALANCED);
    StageOutput out =
        Balancer.builder()
            .setOptions(options)
            .optAugmentOptions(augment)
            .build()
            .balance(GoldTables.read(spark, in, "split"));
    GoldTables.overwrite(run, outPath, out.kept());
    Dataset<Row> written = GoldTables.read(spark, outPath, "balance");
    Map<String, Long> counts = new LinkedHashMap<>();
    Map<String, Long> dropped = StageWrites.replaceQuarantine(run, out);
    long kept = written.count();
    counts.put("in", kept + dropped.values().stream().mapToLong(Long::longValue).sum());
    counts.put("kept", kept);
    counts.putAll(dropped);
    counts.putAll(out.counters());
    Map<String, Long> after = afterCounts(written, options.column());
    counts.putAll(after);
    run.recordStage(Balancer.STAGE, counts, (System.nanoTime() - t0) / 1_000_000L);
    run.summary().putDetail("balance.distribution", distribution(out, after));
    run.summary().putDetail("balance.output", outPath);
    StageWrites.copyProvenance(run, in, outPath);
  }

  /** {@code after_<class>} counts of the train rows of {@code rows}. */
  public static Map<String, Long> afterCounts(Dataset<Row> rows, String column) {
    Dataset<Row> train =
        SilverSource.hasColumn(rows, GoldColumns.SPLIT)
            ? rows.where(col(GoldColumns.SPLIT).equalTo(GoldColumns.TRAIN))
            : rows;
    Map<String, Long> out = new LinkedHashMap<>();
    for (Row r :
        train
            .groupBy(
                org.apache.spark.sql.functions.coalesce(
                    col(column).cast("string"),
                    org.apache.spark.sql.functions.lit(Balancer.NULL_CLASS)))
            .count()
            .collectAsList()) {
      out.put("after_" + r.getString(0), r.getLong(1));
    }
    return out;
  }

  /** {@code {class: {before, target, after}}} for the run summary. */
  public static Map<String, Map<String, Long>> distribution(
      StageOutput out, Map<String, Long> after) {
    Map<String, Map<String, Long>> d = new java.util.TreeMap<>();
    for (Map.Entry<String, long[]> e : Balancer.distribution(out).entrySet()) {
      Map<String, Long> m = new LinkedHashMap<>();
      m.put("before", e.getValue()[0]);
      m.put("target", e.getValue()[1]);
      m.put("after", after.getOrDefault("after_" + e.getKey(), 0L));
      d.put(e.getKey(), m);
    }
    return d;
  }
}
