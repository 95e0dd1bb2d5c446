package io.instructlake.gold;

import io.instructlake.PipelineException;
import io.instructlake.lake.Run;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Delta helpers for gold: intermediate tables under {@code run.lake().sidePath("gold/...")} (the
 * outputs of the standalone {@code split}, {@code augment} and {@code balance} commands) and table
 * properties (TBLPROPERTIES) that record provenance.
 */
public final class GoldTables {
  /** Side path (relative to {@code _state/}) of the split command's output. */
  public static final String SPLIT = "gold/split";

  /** Side path of the augment command's output. */
  public static final String AUGMENTED = "gold/augmented";

  /** Side path of the balance command's output. */
  public static final String BALANCED = "gold/balanced";

  /** Side path of the optional test split written by publish. */
  public static final String TEST = "gold/test";

  private GoldTables() {}

  /** Overwrites the Delta table at {@code path}, tagging the commit with the run id. */
  public static void overwrite(Run run, String path, Dataset<Row> rows) {
    try {
      rows.write()
          .format("delta")
          .mode("overwrite")
          .option("overwriteSchema", "true")
          .option("userMetadata", run.id())
          .save(path);
    } catch (RuntimeException e) {
      throw new PipelineException(
          "Cannot write " + path,
          e.getClass().getSimpleName() + ": " + e.getMessage(),
          "check that lake.root is writable",
          e);
    }
  }

  /** Reads the Delta table at {@code path}; fails naming the command that writes it. */
  public static Dataset<Row> read(SparkSession spark, String path, String writtenBy) {
    if (!io.delta.tables.DeltaTable.isDeltaTable(spark, path)) {
      throw new PipelineException(
          "Cannot read " + path,
          "there is no Delta table there",
          "run bin/pipeline " + writtenBy + " first");
    }
    return spark.read().format("delta").load(path);
  }

  /** Sets Delta table properties (one commit). Keys and values are quoted for SQL. */
  public static void setProperties(SparkSession spark, String path, Map<String, String> props) {
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, String> e : new TreeMap<>(props).entrySet()) {
      if (sb.length() > 0) {
        sb.append(", ");
      }
      sb.append(quote(e.getKey())).append(" = ").append(quote(e.getValue()));
    }
    spark.sql("ALTER TABLE " + pathIdentifier(spark, path) + " SET TBLPROPERTIES (" + sb + ")");
  }

  /** The Delta table properties of the table at {@code path}. */
  public static Map<String, String> properties(SparkSession spark, String path) {
    Row r =
        spark.sql("DESCRIBE DETAIL " + pathIdentifier(spark, path)).select("properties").first();
    Map<String, String> out = new LinkedHashMap<>();
    scala.collection.Map<String, String> m = r.getMap(0);
    if (m != null) {
      out.putAll(scala.jdk.javaapi.CollectionConverters.asJava(m));
    }
    return out;
  }

  /**
   * {@code delta.`<path>`} for SQL. Delta takes such an identifier as a path only when the path is
   * absolute; a relative one (the default {@code lake.root = "lake"}) would be looked up as a table
   * named {@code lake/gold/train} in a schema {@code delta} and not be found. So the path is first
   * qualified by its Hadoop file system (a relative local path against the working directory;
   * {@code s3a://} and other URIs stay as they are).
   */
  static String pathIdentifier(SparkSession spark, String path) {
    org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(path);
    String qualified;
    try {
      qualified =
          p.getFileSystem(spark.sparkContext().hadoopConfiguration()).makeQualified(p).toString();
    } catch (java.io.IOException e) {
      throw new PipelineException(
          "Cannot resolve " + path, e.toString(), "check lake.root and its file system", e);
    }
    return "delta.`" + qualified.replace("`", "``") + "`";
  }

  private static String quote(String s) {
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }
}
