package io.instructlake.jobs;

import io.instructlake.nightly.NightlyJob;
import picocli.CommandLine.Command;

/** {@code bin/pipeline nightly}. */
@Command(
    name = "nightly",
    mixinStandardHelpOptions = true,
    description = {
      "Incremental refresh, exactly once: ingest only the files under input.path not processed"
          + " before, clean, dedupe against history, publish gold if the quality gates pass.",
      "A rerun on the same input changes nothing; a run killed mid-way is rolled back by the next"
          + " one; a failed gate restores every table and exits 3. Writes a JSON and HTML report"
          + " per run."
    })
final class NightlyCommand extends StageCommand {
  NightlyCommand() {
    super("nightly", new NightlyJob());
  }
}
