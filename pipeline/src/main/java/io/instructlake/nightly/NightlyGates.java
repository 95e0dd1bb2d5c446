package io.instructlake.nightly;

import io.instructlake.config.PipelineConfig;
import io.instructlake.lake.LakeTable;
import io.instructlake.lake.Run;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** The quality gates of one nightly run (placeholder until the gates package lands). */
final class NightlyGates {
  private NightlyGates() {}

  static void validate(PipelineConfig config) {}

  static NightlyGates from(
      PipelineConfig config,
      Run run,
      Map<LakeTable, Long> versionsBefore,
      Dataset<Row> bronzeBatch,
      NightlyReportData report) {
    return new NightlyGates();
  }

  void check(Dataset<Row> train, Dataset<Row> eval) {}
}
