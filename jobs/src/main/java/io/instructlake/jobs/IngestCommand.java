package io.instructlake.jobs;

import io.instructlake.ingest.IngestJob;
import picocli.CommandLine.Command;

/** {@code bin/pipeline ingest}. */
@Command(
    name = "ingest",
    mixinStandardHelpOptions = true,
    description =
        "Read raw corpus files (input.path) into bronze.records; bad records to quarantine.")
final class IngestCommand extends StageCommand {
  IngestCommand() {
    super("ingest", new IngestJob());
  }
}
