package io.instructlake.lake;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.delta.tables.DeltaTable;
import io.instructlake.config.PipelineConfig;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import scala.jdk.javaapi.CollectionConverters;

/**
 * One run of a command against the lake. It remembers every table's version at start, writes
 * through {@link #append}/{@link #overwrite}/{@link #writeStage} so it knows which tables it
 * touched, and ends in exactly one of:
 *
 * <ul>
 *   <li>{@link #succeed()}: records table rows and versions, appends the {@code runs} row;
 *   <li>{@link #fail(Throwable)} / {@link #rollBack(String)}: restores every touched table to its
 *       version at start (a failed run leaves the lake as it was), then appends the {@code runs}
 *       row with status {@code failed} / {@code rolled_back}.
 * </ul>
 */
public final class Run {
  /** Schema of the {@code runs} table. */
  public static final StructType RUNS_SCHEMA =
      new StructType()
          .add("run_id", DataTypes.StringType, false)
          .add("command", DataTypes.StringType, false)
          .add("config_digest", DataTypes.StringType, true)
          .add("input", DataTypes.StringType, true)
          .add("started_at", DataTypes.TimestampType, false)
          .add("ended_at", DataTypes.TimestampType, true)
          .add("status", DataTypes.StringType, false)
          .add("message", DataTypes.StringType, true)
          .add(
              "counts",
              DataTypes.createMapType(DataTypes.StringType, DataTypes.LongType, false),
              true)
          .add(
              "table_versions",
              DataTypes.createMapType(DataTypes.StringType, DataTypes.LongType, false),
              true)
          .add("summary_json", DataTypes.StringType, true);

  private static final DateTimeFormatter ID_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

  private final Lake lake;
  private final RunSummary summary;
  private final Map<LakeTable, Long> startVersions;
  private final Map<LakeTable, Long> touched = new EnumMap<>(LakeTable.class);
  private boolean recordOnlyIfWritten;

  private Run(Lake lake, RunSummary summary, Map<LakeTable, Long> startVersions) {
    this.lake = lake;
    this.summary = summary;
    this.startVersions = startVersions;
  }

  /** Starts a run: snapshots table versions and assigns a run id. */
  public static Run start(Lake lake, String command, PipelineConfig config, String input) {
    Instant now = Instant.now();
    String id = ID_TIME.format(now) + "-" + UUID.randomUUID().toString().substring(0, 8);
    RunSummary s = new RunSummary(id, command, config.digest(), input, lake.root(), now);
    return new Run(lake, s, lake.versions());
  }

  public String id() {
    return summary.runId();
  }

  public Lake lake() {
    return lake;
  }

  public RunSummary summary() {
    return summary;
  }

  /** Version of {@code table} when the run started (-1 if it did not exist). */
  public long startVersion(LakeTable table) {
    return startVersions.getOrDefault(table, -1L);
  }

  public long append(LakeTable table, Dataset<Row> rows) {
    touch(table);
    return lake.append(table, rows, id());
  }

  public long overwrite(LakeTable table, Dataset<Row> rows) {
    touch(table);
    return lake.overwrite(table, rows, id());
  }

  /** Deletes rows matching a SQL predicate (see {@link Lake#deleteWhere}). */
  public long deleteWhere(LakeTable table, String condition) {
    touch(table);
    return lake.deleteWhere(table, condition, id());
  }

  /** Updates matched rows (see {@link Lake#updateMatched}). */
  public long updateMatched(
      LakeTable table, Dataset<Row> source, String condition, Map<String, String> set) {
    touch(table);
    return lake.updateMatched(table, source, condition, set, id());
  }

  /** Declares a table written by other means (MERGE, RESTORE) so rollback covers it. */
  public void touch(LakeTable table) {
    touched.putIfAbsent(table, startVersions.getOrDefault(table, -1L));
  }

  /**
   * Writes a stage's output: kept rows to {@code target} (append or overwrite), drops to
   * quarantine. Records the stage counts: {@code in}, {@code kept}, {@code dropped_<reason>} and
   * the stage's own counters. {@code kept} comes from the Delta commit's metrics, drops from the
   * rows just written.
   *
   * @return the counts recorded
   */
  public Map<String, Long> writeStage(
      StageOutput out, LakeTable target, boolean overwrite, long startNanos) {
    Dataset<Row> dropped =
        out.dropped()
            .withColumn(Quarantine.RUN_ID, lit(id()))
            .select(
                java.util.Arrays.stream(Quarantine.SCHEMA.fieldNames())
                    .map(n -> col(n))
                    .toArray(org.apache.spark.sql.Column[]::new));
    long keptVersion = overwrite ? overwrite(target, out.kept()) : append(target, out.kept());
    long kept = outputRows(target, keptVersion);
    Map<String, Long> counts = new LinkedHashMap<>();
    Map<String, Long> reasons = new LinkedHashMap<>();
    long droppedTotal = 0;
    long qVersion = append(LakeTable.QUARANTINE, dropped);
    List<Row> perReason =
        lake.readVersion(LakeTable.QUARANTINE, qVersion)
            .where(
                col(Quarantine.RUN_ID)
                    .equalTo(id())
                    .and(col(Quarantine.STAGE).equalTo(out.stage())))
            .groupBy(Quarantine.REASON)
            .count()
            .orderBy(Quarantine.REASON)
            .collectAsList();
    for (Row r : perReason) {
      reasons.put("dropped_" + r.getString(0), r.getLong(1));
      droppedTotal += r.getLong(1);
    }
    counts.put("in", kept + droppedTotal);
    counts.put("kept", kept);
    counts.putAll(reasons);
    counts.putAll(out.counters());
    recordStage(out.stage(), counts, (System.nanoTime() - startNanos) / 1_000_000L);
    return counts;
  }

  /** Number of rows the commit at {@code version} wrote (Delta's operation metrics). */
  public long outputRows(LakeTable table, long version) {
    Row h =
        DeltaTable.forPath(lake.spark(), lake.path(table))
            .history()
            .where(col("version").equalTo(version))
            .select("operationMetrics")
            .first();
    scala.collection.Map<String, String> m = h.getMap(0);
    Map<String, String> metrics = m == null ? Map.of() : CollectionConverters.asJava(m);
    String n = metrics.get("numOutputRows");
    if (n != null) {
      return Long.parseLong(n);
    }
    // No metric (e.g. an append of nothing): the rows this version added.
    long now = lake.readVersion(table, version).count();
    return version == 0 ? now : Math.max(0, now - lake.readVersion(table, version - 1).count());
  }

  /** Records a stage's counts and duration in the summary. */
  public void recordStage(String stage, Map<String, Long> counts, long durationMs) {
    summary.recordStage(stage, counts, durationMs);
  }

  /**
   * Makes a successful run that wrote no table leave no {@code runs} row either, so a rerun that
   * finds nothing to do changes no table at all (the nightly job's idempotence).
   */
  public void recordOnlyIfWritten() {
    this.recordOnlyIfWritten = true;
  }

  /** True when the run has written (or declared) at least one table. */
  public boolean wroteAnything() {
    return !touched.isEmpty();
  }

  /** Ends the run successfully and appends its row to {@code runs}. */
  public RunSummary succeed() {
    summary.finish(RunSummary.OK, null);
    if (recordOnlyIfWritten && touched.isEmpty()) {
      recordTables();
      return summary;
    }
    return close();
  }

  /** Rolls back touched tables, marks the run failed with the cause's message. */
  public RunSummary fail(Throwable cause) {
    restoreTouched();
    summary.finish(RunSummary.FAILED, oneLine(cause));
    return close();
  }

  /** Rolls back touched tables, marks the run rolled back (a quality gate failed). */
  public RunSummary rollBack(String why) {
    restoreTouched();
    summary.finish(RunSummary.ROLLED_BACK, why);
    return close();
  }

  private void restoreTouched() {
    for (Map.Entry<LakeTable, Long> e : touched.entrySet()) {
      lake.restore(e.getKey(), e.getValue());
    }
  }

  private RunSummary close() {
    recordTables();
    appendRunRow();
    return summary;
  }

  private void recordTables() {
    for (LakeTable t : LakeTable.values()) {
      if (t == LakeTable.RUNS) {
        continue;
      }
      long v = lake.version(t);
      if (v >= 0) {
        summary.recordTable(t.sqlName(), lake.read(t).count(), v);
      }
    }
  }

  private void appendRunRow() {
    Map<String, Long> versions = new LinkedHashMap<>();
    for (Map.Entry<String, Map<String, Object>> e : summary.tables().entrySet()) {
      versions.put(e.getKey(), (Long) e.getValue().get("version"));
    }
    List<Row> rows = new ArrayList<>();
    rows.add(
        RowFactory.create(
            summary.runId(),
            summary.command(),
            summary.configDigest(),
            summary.input(),
            Timestamp.from(summary.startedAt()),
            Timestamp.from(summary.endedAt()),
            summary.status(),
            summary.message(),
            CollectionConverters.asScala(summary.flatCounts()),
            CollectionConverters.asScala(versions),
            summary.toJson()));
    Dataset<Row> df = lake.spark().createDataFrame(rows, RUNS_SCHEMA);
    lake.append(LakeTable.RUNS, df, summary.runId());
    summary.recordTable(
        LakeTable.RUNS.sqlName(), lake.read(LakeTable.RUNS).count(), lake.version(LakeTable.RUNS));
  }

  /** The first line of a failure, for the one-line CLI message and the runs table. */
  public static String oneLine(Throwable t) {
    String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }
}
