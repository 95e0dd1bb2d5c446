package io.instructlake.jobs;

import picocli.CommandLine.Command;

/** {@code bin/pipeline publish}. */
@Command(
    name = "publish",
    mixinStandardHelpOptions = true,
    description =
        "Split, augment and balance silver into new versions of gold.train and gold.eval.")
final class PublishCommand extends StageCommand {
  PublishCommand() {
    super("publish", new io.instructlake.publish.PublishJob());
  }
}
