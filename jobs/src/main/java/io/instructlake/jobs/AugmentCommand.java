package io.instructlake.jobs;

import picocli.CommandLine.Command;

/** {@code bin/pipeline augment}. */
@Command(
    name = "augment",
    mixinStandardHelpOptions = true,
    description =
        "Augment the train split: synonyms (HanLP, WordNet), EDA, templates, back-translation (augment.* keys).")
final class AugmentCommand extends StageCommand {
  AugmentCommand() {
    super("augment", new io.instructlake.augment.AugmentJob());
  }
}
