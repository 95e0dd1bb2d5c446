package io.instructlake.testkit;

import io.instructlake.config.PipelineConfig;
import io.instructlake.lake.Lake;
import io.instructlake.lake.Sessions;
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

  /**
   * The session every Spark test uses, built by the pipeline's own {@link Sessions#create} (the
   * builder the CLI and the benchmarks use too, so a test sees the settings a user's run has):
   * {@code local[2]}, UI off, 2 shuffle partitions, Delta snapshot partitions 1, the warehouse in
   * {@code scratchDir}. Also used by tests that need a session in a child JVM.
   */
  public static SparkSession newSession(Path scratchDir) {
    return Sessions.create(sessionConfig(scratchDir));
  }

  /** The configuration behind {@link #newSession}: the defaults with the test settings. */
  public static PipelineConfig sessionConfig(Path scratchDir) {
    return PipelineConfig.defaults()
        .with("spark.master", "local[2]")
        .with("spark.force-master", true)
        .with("spark.app-name", "instructlake-test")
        .with("lake.root", scratchDir.resolve("lake").toString())
        .with("spark.conf.\"spark.ui.enabled\"", "false")
        .with("spark.conf.\"spark.sql.shuffle.partitions\"", "2")
        .with("spark.conf.\"spark.default.parallelism\"", "2")
        .with("spark.conf.\"spark.databricks.delta.snapshotPartitions\"", "1")
        .with("spark.conf.\"spark.sql.warehouse.dir\"", scratchDir.resolve("warehouse").toString())
        .with("spark.conf.\"spark.driver.host\"", "127.0.0.1");
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
