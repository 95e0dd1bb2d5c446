package io.instructlake.jobs;

import picocli.CommandLine.Command;

/** {@code bin/pipeline dedupe}. */
@Command(
    name = "dedupe",
    mixinStandardHelpOptions = true,
    description =
        "Drop exact (Bloom filter + exact confirm) and near (MinHash LSH + Jaccard) duplicates of new"
            + " cleaned records, within the batch and against silver.records (dedupe.* keys).")
final class DedupeCommand extends StageCommand {
  DedupeCommand() {
    super("dedupe", new io.instructlake.dedupe.DedupeJob());
  }
}
