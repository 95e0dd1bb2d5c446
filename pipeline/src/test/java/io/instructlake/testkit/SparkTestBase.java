package io.instructlake.testkit;

import io.instructlake.lake.Lake;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * One local SparkSession per test class ({@code local[2]}, UI off, 2 shuffle partitions, Delta
 * snapshot partitions 1) and temporary lake directories that are removed afterwards.
 */
public abstract class SparkTestBase {
  protected static SparkSession spark;
  private static Path scratch;

  @BeforeAll
  static void startSpark() throws IOException {
    scratch = Files.createTempDirectory("instructlake-test-");
    spark = newSession(scratch);
  }

  /** The session builder every Spark test uses; also used by tests that need their own master. */
  public static SparkSession newSession(Path scratchDir) {
    return SparkSession.builder()
        .master("local[2]")
        .appName("instructlake-test")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .config("spark.databricks.delta.snapshotPartitions", "1")
        .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
        .config(
            "spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
        .config("spark.sql.warehouse.dir", scratchDir.resolve("warehouse").toString())
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate();
  }

  @AfterAll
  static void stopSpark() throws IOException {
    if (spark != null) {
      spark.stop();
      spark = null;
      SparkSession.clearActiveSession();
      SparkSession.clearDefaultSession();
    }
    deleteRecursively(scratch);
  }

  /** A fresh empty lake directory under this class's scratch space. */
  protected static Lake newLake(String name) {
    return new Lake(spark, scratch.resolve("lake-" + name).toString());
  }

  /** A fresh scratch directory for test inputs. */
  protected static Path newDir(String name) throws IOException {
    return Files.createDirectories(scratch.resolve(name));
  }

  public static void deleteRecursively(Path p) throws IOException {
    if (p == null || !Files.exists(p)) {
      return;
    }
    try (Stream<Path> s = Files.walk(p)) {
      s.sorted(Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
    }
  }
}
