package io.instructlake.split;

import io.instructlake.config.PipelineConfig;
import io.instructlake.gold.GoldColumns;
import io.instructlake.gold.GoldTables;
import io.instructlake.gold.SilverSource;
import io.instructlake.lake.JobResult;
import io.instructlake.lake.Run;
import io.instructlake.lake.StageOutput;
import io.instructlake.stage.Job;
import java.util.Map;

/**
 * {@code bin/pipeline split}: reads the newest silver snapshot, adds the {@code split} column and
 * writes the result to the side table {@code _state/gold/split} (read by {@code augment}). Records
 * the rows per side and the silver table and version in the run summary.
 */
public final class SplitJob implements Job<SplitOptions> {
  /**
   * What split reports.
   *
   * @param output the side table written
   * @param silverTable the silver table read
   * @param silverVersion its version read
   */
  public record Result(String output, String silverTable, long silverVersion) implements JobResult {
    @Override
    public String prefix() {
      return "split";
    }
  }

  @Override
  public String name() {
    return "split";
  }

  @Override
  public SplitOptions options(PipelineConfig config) {
    return SplitOptions.from(config.section("split"));
  }

  @Override
  public Result execute(Run run, SplitOptions options) {
    long t0 = System.nanoTime();
    SilverSource.Snapshot in = SilverSource.read(run.lake());
    StageOutput out = Splitter.builder().setOptions(options).build().split(in.rows());
    String path = run.lake().sidePath(GoldTables.SPLIT);
    GoldTables.overwrite(run, path, out.kept());
    GoldTables.setProperties(
        run.lake().spark(),
        path,
        Map.of(
            GoldColumns.PROP_SILVER_TABLE, in.table().sqlName(),
            GoldColumns.PROP_SILVER_VERSION, Long.toString(in.version()),
            GoldColumns.PROP_RUN_ID, run.id()));
    Map<String, Long> counts = Splitter.counts(GoldTables.read(run.lake().spark(), path, "split"));
    run.recordStage(Splitter.STAGE, counts, (System.nanoTime() - t0) / 1_000_000L);
    return new Result(path, in.table().sqlName(), in.version());
  }
}
