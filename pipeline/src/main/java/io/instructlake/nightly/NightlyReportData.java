package io.instructlake.nightly;

import io.instructlake.lake.LakeTable;
import io.instructlake.lake.Run;
import io.instructlake.lake.RunSummary;
import java.util.Map;

/** What the nightly report shows (placeholder until the gates package lands). */
final class NightlyReportData {
  void write(Run run, RunSummary summary, Map<LakeTable, Long> versionsBefore) {}
}
