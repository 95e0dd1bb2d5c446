package io.instructlake.bench;

import io.instructlake.config.PipelineConfig;
import io.instructlake.lake.Sessions;
import org.apache.spark.sql.SparkSession;

/**
 * The session a benchmark runs in, built by the pipeline's own {@link Sessions#create} (as the CLI
 * and the test kit do): Delta enabled, UI off, one Delta snapshot partition.
 */
final class BenchSessions {
  private BenchSessions() {}

  static SparkSession local(String master, String appName, int shufflePartitions) {
    PipelineConfig c =
        PipelineConfig.defaults()
            .with("spark.master", master)
            .with("spark.force-master", true)
            .with("spark.app-name", appName)
            .with("spark.conf.\"spark.ui.enabled\"", "false")
            .with("spark.conf.\"spark.sql.shuffle.partitions\"", String.valueOf(shufflePartitions))
            .with("spark.conf.\"spark.databricks.delta.snapshotPartitions\"", "1");
    return Sessions.create(c);
  }
}
