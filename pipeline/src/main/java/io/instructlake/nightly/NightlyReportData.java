package io.instructlake.nightly;

import io.instructlake.PipelineException;
import io.instructlake.gates.GateResult;
import io.instructlake.gates.Profile;
import io.instructlake.gates.RunReport;
import io.instructlake.lake.LakeTable;
import io.instructlake.lake.Run;
import io.instructlake.lake.RunSummary;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.fs.Path;

/**
 * What one nightly run's report shows, gathered while it runs, and the writing of {@code
 * report.json} and {@code report.html} (every run, whatever its status) under {@code
 * <report-dir>/<run id>/}.
 */
final class NightlyReportData {
  private Profile batch;
  private Profile previousBatch;
  private Profile candidateGold;
  private Profile previousGold;
  private GateResult gates;

  void profiles(Profile batch, Profile previousBatch, Profile gold, Profile previousGold) {
    this.batch = batch;
    this.previousBatch = previousBatch;
    this.candidateGold = gold;
    this.previousGold = previousGold;
  }

  void gates(GateResult result) {
    this.gates = result;
  }

  /** Writes the report; returns its directory. */
  Path write(Run run, RunSummary summary, Map<LakeTable, Long> versionsBefore, String reportDir) {
    boolean noop =
        summary.result(NightlyJob.Result.class).map(NightlyJob.Result::nothingNew).orElse(false);
    RunReport.Status status =
        switch (summary.status()) {
          case RunSummary.OK -> noop ? RunReport.Status.NOOP : RunReport.Status.OK;
          case RunSummary.ROLLED_BACK -> RunReport.Status.ROLLED_BACK;
          default -> RunReport.Status.FAILED;
        };
    Map<String, Long> before = new LinkedHashMap<>();
    Map<String, Long> after = new LinkedHashMap<>();
    for (LakeTable t : LakeTable.values()) {
      if (versionsBefore != null) {
        before.put(t.sqlName(), versionsBefore.getOrDefault(t, -1L));
      }
      after.put(t.sqlName(), run.lake().version(t));
    }
    Map<String, Map<String, Long>> stages = new LinkedHashMap<>();
    @SuppressWarnings("unchecked")
    Map<String, Object> st = (Map<String, Object>) summary.toMap().get("stages");
    for (String stage : st.keySet()) {
      stages.put(stage, summary.stageCounts(stage));
    }
    RunReport report =
        RunReport.builder()
            .setRunId(summary.runId())
            .setCommand(summary.command())
            .setStatus(status)
            .optMessage(summary.message())
            .optTableVersions(before, after)
            .optStageCounts(stages)
            .optGates(gates)
            .optProfiles(batch, previousBatch, candidateGold, previousGold)
            .build();
    Path dir = new Path(reportDir, summary.runId());
    try {
      report.write(dir, run.lake().spark().sparkContext().hadoopConfiguration());
    } catch (IOException e) {
      throw new PipelineException(
          "Cannot write the nightly report to " + dir,
          e.getMessage(),
          "check nightly.report-dir (default: <lake>/reports/nightly) is writable",
          e);
    }
    return dir;
  }
}
