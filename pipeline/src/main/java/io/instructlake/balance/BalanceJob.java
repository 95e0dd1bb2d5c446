package io.instructlake.balance;

import io.instructlake.augment.AugmentOptions;
import io.instructlake.config.PipelineConfig;
import io.instructlake.gold.GoldTables;
import io.instructlake.gold.SilverSource;
import io.instructlake.gold.StageWrites;
import io.instructlake.lake.JobResult;
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
public final class BalanceJob implements Job<BalanceJob.Options> {
  /**
   * The {@code balance} section, and the {@code augment} section whose methods make the copies that
   * oversampling adds.
   */
  public record Options(BalanceOptions balance, AugmentOptions augment) {}

  /**
   * What balance reports.
   *
   * @param distribution per class: rows {@code before}, planned {@code target}, train rows {@code
   *     after}
   * @param output the side table written
   * @param silverTable the silver table its input was built from (provenance)
   * @param silverVersion that table's version
   */
  public record Result(
      Map<String, Map<String, Long>> distribution,
      String output,
      String silverTable,
      Long silverVersion)
      implements JobResult {
    @Override
    public String prefix() {
      return Balancer.STAGE;
    }
  }

  @Override
  public String name() {
    return "balance";
  }

  @Override
  public Options options(PipelineConfig config) {
    return new Options(
        BalanceOptions.from(config.section("balance")),
        AugmentOptions.from(config.section("augment")));
  }

  @Override
  public Result execute(Run run, Options opts) {
    long t0 = System.nanoTime();
    BalanceOptions options = opts.balance();
    AugmentOptions augment = opts.augment();
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
    Map<String, Long> after = Balancer.afterCounts(written, options.column());
    counts.putAll(after);
    run.recordStage(Balancer.STAGE, counts, (System.nanoTime() - t0) / 1_000_000L);
    SilverSource.Pin pin = StageWrites.copyProvenance(run, in, outPath);
    return new Result(Balancer.distribution(out, after), outPath, pin.table(), pin.version());
  }
}
