package io.instructlake.jobs;

import picocli.CommandLine.Command;

/** {@code bin/pipeline balance}. */
@Command(
    name = "balance",
    mixinStandardHelpOptions = true,
    description =
        "Balance the train split by label or category: undersample, oversample, SMOTE (balance.* keys).")
final class BalanceCommand extends StageCommand {
  BalanceCommand() {
    super("balance", new io.instructlake.balance.BalanceJob());
  }
}
