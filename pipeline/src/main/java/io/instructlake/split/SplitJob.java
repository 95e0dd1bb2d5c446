package io.instructlake.split;

import io.instructlake.config.PipelineConfig;
import io.instructlake.gold.GoldColumns;
import io.instructlake.gold.GoldTables;
import io.instructlake.gold.SilverSource;
import io.instructlake.lake.Run;
import io.instructlake.lake.StageOutput;
import io.instructlake.stage.Job;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;

/**
 * {@code bin/pipeline split}: reads the newest silver snapshot, adds the {@code split} column and
 * writes the result to the side table {@code _state/gold/split} (read by {@code augment}). Records
 * the rows per side and the silver table and version in the run summary.
 */
public final class SplitJob implements Job {
  @Override
  public String name() {
    return "split";
  }

  @Override
  public void validate(PipelineConfig config) {
    SplitOptions.from(config.section("split"));
  }

  @Override
  public void execute(Run run, PipelineConfig config) {
    long t0 = System.nanoTime();
    SplitOptions options = SplitOptions.from(config.section("split"));
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
    Map<String, Long> counts = countsBySplit(GoldTables.read(run.lake().spark(), path, "split"));
    run.recordStage(Splitter.STAGE, counts, (System.nanoTime() - t0) / 1_000_000L);
    run.summary().putDetail("split.output", path);
    run.summary().putDetail("split.silver_table", in.table().sqlName());
    run.summary().putDetail("split.silver_version", in.version());
  }

  /** {@code in}, {@code kept} and {@code split_<side>} counts of a split table. */
  static Map<String, Long> countsBySplit(org.apache.spark.sql.Dataset<Row> split) {
    Map<String, Long> counts = new LinkedHashMap<>();
    long total = 0;
    List<Row> rows =
        split.groupBy(GoldColumns.SPLIT).count().orderBy(GoldColumns.SPLIT).collectAsList();
    for (Row r : rows) {
      counts.put("split_" + r.getString(0), r.getLong(1));
      total += r.getLong(1);
    }
    Map<String, Long> out = new LinkedHashMap<>();
    out.put("in", total);
    out.put("kept", total);
    out.putAll(counts);
    return out;
  }
}
