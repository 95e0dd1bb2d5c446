package io.instructlake.lake;

import io.delta.tables.DeltaTable;
import io.instructlake.PipelineException;
import java.io.IOException;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The Delta tables under one lake root (local path, {@code s3a://}, {@code dbfs:/}, {@code
 * abfss://}). Tables are path-based; {@link #registerTables()} also makes them resolvable by their
 * SQL names ({@code bronze.records}, {@code quarantine}, ...).
 *
 * <p>Every write returns the table version it committed and tags the commit with the run id ({@code
 * userMetadata}), so {@code DESCRIBE HISTORY} shows which run wrote what.
 */
public final class Lake {
  private final SparkSession spark;
  private final String root;

  public Lake(SparkSession spark, String root) {
    if (root == null || root.isBlank()) {
      throw new PipelineException(
          "No lake root", "lake.root is empty", "set lake.root or pass --lake PATH");
    }
    this.spark = spark;
    this.root = root.endsWith("/") ? root.substring(0, root.length() - 1) : root;
  }

  public SparkSession spark() {
    return spark;
  }

  public String root() {
    return root;
  }

  /** Fully qualified path of a table. */
  public String path(LakeTable table) {
    return root + "/" + table.relativePath();
  }

  /** A path under the lake root for side files (Bloom filters, checkpoints, reports). */
  public String sidePath(String relative) {
    return root + "/_state/" + relative;
  }

  public boolean exists(LakeTable table) {
    return DeltaTable.isDeltaTable(spark, path(table));
  }

  /** Current version, or -1 when the table does not exist yet. */
  public long version(LakeTable table) {
    if (!exists(table)) {
      return -1L;
    }
    Row last = DeltaTable.forPath(spark, path(table)).history(1).select("version").first();
    return last.getLong(0);
  }

  /** Versions of every existing table, for run summaries and rollback. */
  public Map<LakeTable, Long> versions() {
    Map<LakeTable, Long> out = new EnumMap<>(LakeTable.class);
    for (LakeTable t : LakeTable.values()) {
      out.put(t, version(t));
    }
    return out;
  }

  public Dataset<Row> read(LakeTable table) {
    if (!exists(table)) {
      throw new PipelineException(
          "Cannot read table " + table.sqlName(),
          "there is no Delta table at " + path(table),
          "run the stage that writes it first (e.g. bin/pipeline ingest)");
    }
    return spark.read().format("delta").load(path(table));
  }

  /** Reads the table as of {@code version} (time travel). */
  public Dataset<Row> readVersion(LakeTable table, long version) {
    return spark.read().format("delta").option("versionAsOf", version).load(path(table));
  }

  /** Appends rows, creating the table on first write; returns the committed version. */
  public long append(LakeTable table, Dataset<Row> rows, String runId) {
    return write(table, rows, runId, "append");
  }

  /** Replaces the table's content (schema may evolve); returns the committed version. */
  public long overwrite(LakeTable table, Dataset<Row> rows, String runId) {
    return write(table, rows, runId, "overwrite");
  }

  private long write(LakeTable table, Dataset<Row> rows, String runId, String mode) {
    try {
      var writer =
          rows.write()
              .format("delta")
              .mode(mode)
              .option("userMetadata", runId == null ? "" : runId)
              .option("mergeSchema", "true");
      if ("overwrite".equals(mode)) {
        writer = writer.option("overwriteSchema", "true");
      }
      writer.save(path(table));
    } catch (RuntimeException e) {
      throw new PipelineException(
          "Cannot write table " + table.sqlName() + " at " + path(table),
          e.getClass().getSimpleName() + ": " + e.getMessage(),
          "check that lake.root is writable and not written by another job at the same time",
          e);
    }
    return version(table);
  }

  /**
   * Deletes the rows matching {@code condition} (a SQL predicate); returns the committed version,
   * or the current one when nothing matched (Delta commits nothing then).
   */
  public long deleteWhere(LakeTable table, String condition, String runId) {
    if (!exists(table)) {
      return -1L;
    }
    withCommitMetadata(runId, () -> DeltaTable.forPath(spark, path(table)).delete(condition));
    return version(table);
  }

  /**
   * Updates rows of {@code table} that match {@code source} on {@code condition} (aliases {@code t}
   * for the table, {@code s} for the source), setting each column of {@code set} to its SQL
   * expression; rows of the source without a match are ignored. Returns the committed version.
   */
  public long updateMatched(
      LakeTable table,
      Dataset<Row> source,
      String condition,
      Map<String, String> set,
      String runId) {
    withCommitMetadata(
        runId,
        () ->
            DeltaTable.forPath(spark, path(table))
                .as("t")
                .merge(source.as("s"), condition)
                .whenMatched()
                .updateExpr(set)
                .execute());
    return version(table);
  }

  /** Runs a Delta DML command with the run id as its commit's {@code userMetadata}. */
  private void withCommitMetadata(String runId, Runnable command) {
    String key = "spark.databricks.delta.commitInfo.userMetadata";
    String previous = spark.conf().getOption(key).getOrElse(() -> null);
    spark.conf().set(key, runId == null ? "" : runId);
    try {
      command.run();
    } finally {
      if (previous == null) {
        spark.conf().unset(key);
      } else {
        spark.conf().set(key, previous);
      }
    }
  }

  /**
   * Puts a table back to {@code version}; {@code -1} means it did not exist, so its directory is
   * removed. Used to roll back a failed run.
   */
  public void restore(LakeTable table, long version) {
    long current = version(table);
    if (current == version) {
      return;
    }
    if (version < 0) {
      deletePath(path(table));
      return;
    }
    DeltaTable.forPath(spark, path(table)).restoreToVersion(version);
  }

  /** Deletes a path under the lake (recursive); no-op if absent. */
  public void deletePath(String path) {
    try {
      Path p = new Path(path);
      FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (fs.exists(p)) {
        fs.delete(p, true);
      }
    } catch (IOException e) {
      throw new PipelineException(
          "Cannot delete " + path, e.getMessage(), "check permissions on the lake root", e);
    }
  }

  /**
   * Registers every existing table under its SQL name in the session catalog (external Delta tables
   * pointing at the lake paths), so {@code SELECT * FROM bronze.records} works.
   */
  public void registerTables() {
    for (LakeTable t : LakeTable.values()) {
      if (!exists(t)) {
        continue;
      }
      String name = t.sqlName();
      if (t.layer() != null) {
        spark.sql("CREATE DATABASE IF NOT EXISTS " + t.layer());
      }
      String location = path(t).replace("'", "\\'");
      if (spark.catalog().tableExists(name)) {
        // Re-point an external registration left by another lake in this session; never touch a
        // managed table (dropping it would delete its data).
        if (!"EXTERNAL".equalsIgnoreCase(tableType(name))) {
          throw new PipelineException(
              "Cannot register " + name + " for the lake at " + root,
              "a managed table of that name already exists in the catalog",
              "use another Spark catalog database or drop that table yourself");
        }
        spark.sql("DROP TABLE " + name);
      }
      spark.sql("CREATE TABLE " + name + " USING delta LOCATION '" + location + "'");
    }
  }

  private String tableType(String name) {
    try {
      return spark.catalog().getTable(name).tableType();
    } catch (org.apache.spark.sql.AnalysisException e) {
      throw new PipelineException(
          "Cannot inspect catalog table " + name, e.getMessage(), "check the Spark catalog", e);
    }
  }

  /** SQL names of the tables that exist. */
  public List<String> existingTables() {
    return java.util.Arrays.stream(LakeTable.values())
        .filter(this::exists)
        .map(LakeTable::sqlName)
        .toList();
  }
}
