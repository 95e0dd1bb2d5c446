package io.instructlake.jobs;

import picocli.CommandLine.Command;

/** {@code bin/pipeline split}. */
@Command(
    name = "split",
    mixinStandardHelpOptions = true,
    description =
        "Split silver into train / eval (and test) by a stable hash or a column; clusters stay on one side.")
final class SplitCommand extends StageCommand {
  SplitCommand() {
    super("split", new io.instructlake.split.SplitJob());
  }
}
