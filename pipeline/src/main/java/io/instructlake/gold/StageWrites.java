package io.instructlake.gold;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.instructlake.lake.LakeTable;
import io.instructlake.lake.Quarantine;
import io.instructlake.lake.Run;
import io.instructlake.lake.StageOutput;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Writes a gold stage's output to a side table (kept rows) and quarantine (drops), and records the
 * stage's counts: {@code in}, {@code kept}, {@code dropped_<reason>} and, when the output has the
 * column, {@code <column>_<value>} counts (for example {@code aug_method_synonym}).
 */
public final class StageWrites {
  private StageWrites() {}

  /** Writes {@code out} and records its counts under {@code out.stage()}. */
  public static Map<String, Long> write(
      Run run, StageOutput out, String sidePath, List<String> countBy, long startNanos) {
    GoldTables.overwrite(run, sidePath, out.kept());
    Dataset<Row> written = GoldTables.read(run.lake().spark(), sidePath, out.stage());
    Map<String, Long> counts = new LinkedHashMap<>();
    long kept = written.count();
    Map<String, Long> dropped = replaceQuarantine(run, out);
    long droppedTotal = dropped.values().stream().mapToLong(Long::longValue).sum();
    counts.put("in", kept + droppedTotal);
    counts.put("kept", kept);
    counts.putAll(dropped);
    for (String c : countBy) {
      counts.putAll(valueCounts(written, c));
    }
    counts.putAll(out.counters());
    run.recordStage(out.stage(), counts, (System.nanoTime() - startNanos) / 1_000_000L);
    return counts;
  }

  /**
   * Replaces the stage's drops in quarantine with this run's; returns {@code dropped_<reason>}
   * counts. The gold stages rebuild their output from all of silver on every run (their tables are
   * overwritten), so their drops describe the current gold version: the rows earlier runs
   * quarantined for the same stage are deleted first, and a nightly series leaves the same
   * quarantine as one run over the union of its batches.
   */
  public static Map<String, Long> replaceQuarantine(Run run, StageOutput out) {
    if (run.lake().exists(LakeTable.QUARANTINE)) {
      run.deleteWhere(
          LakeTable.QUARANTINE,
          Quarantine.STAGE
              + " = '"
              + out.stage().replace("'", "''")
              + "' AND "
              + Quarantine.RUN_ID
              + " <> '"
              + run.id().replace("'", "''")
              + "'");
    }
    Dataset<Row> dropped =
        out.dropped()
            .withColumn(Quarantine.RUN_ID, lit(run.id()))
            .select(
                Arrays.stream(Quarantine.SCHEMA.fieldNames())
                    .map(n -> col(n))
                    .toArray(Column[]::new));
    long v = run.append(LakeTable.QUARANTINE, dropped);
    Map<String, Long> out2 = new LinkedHashMap<>();
    for (Row r :
        run.lake()
            .readVersion(LakeTable.QUARANTINE, v)
            .where(
                col(Quarantine.RUN_ID)
                    .equalTo(run.id())
                    .and(col(Quarantine.STAGE).equalTo(out.stage())))
            .groupBy(Quarantine.REASON)
            .count()
            .orderBy(Quarantine.REASON)
            .collectAsList()) {
      out2.put("dropped_" + r.getString(0), r.getLong(1));
    }
    return out2;
  }

  /** {@code <column>_<value>} row counts (null values counted as {@code <column>_none}). */
  public static Map<String, Long> valueCounts(Dataset<Row> rows, String column) {
    Map<String, Long> out = new LinkedHashMap<>();
    if (!SilverSource.hasColumn(rows, column)) {
      return out;
    }
    for (Row r :
        rows.groupBy(col(column).cast("string")).count().orderBy(col(column)).collectAsList()) {
      out.put(column + "_" + (r.isNullAt(0) ? "none" : r.getString(0)), r.getLong(1));
    }
    return out;
  }

  /**
   * Copies the provenance properties of one gold side table onto another; returns the silver
   * snapshot they name.
   */
  public static SilverSource.Pin copyProvenance(Run run, String fromPath, String toPath) {
    Map<String, String> props = GoldTables.properties(run.lake().spark(), fromPath);
    Map<String, String> keep = new LinkedHashMap<>();
    for (String k : List.of(GoldColumns.PROP_SILVER_TABLE, GoldColumns.PROP_SILVER_VERSION)) {
      if (props.containsKey(k)) {
        keep.put(k, props.get(k));
      }
    }
    keep.put(GoldColumns.PROP_RUN_ID, run.id());
    GoldTables.setProperties(run.lake().spark(), toPath, keep);
    String version = keep.get(GoldColumns.PROP_SILVER_VERSION);
    return new SilverSource.Pin(
        keep.get(GoldColumns.PROP_SILVER_TABLE), version == null ? null : Long.valueOf(version));
  }
}
