package io.instructlake.jobs;

import picocli.CommandLine.Command;

/** {@code bin/pipeline clean}. */
@Command(
    name = "clean",
    mixinStandardHelpOptions = true,
    description =
        "Normalize, filter (length, language, quality, structure, regex) and redact PII from new"
            + " bronze records into silver.cleaned; drops to quarantine (clean.* keys).")
final class CleanCommand extends StageCommand {
  CleanCommand() {
    super("clean", new io.instructlake.clean.CleanJob());
  }
}
