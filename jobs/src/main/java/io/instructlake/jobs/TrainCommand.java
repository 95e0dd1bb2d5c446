package io.instructlake.jobs;

import io.instructlake.train.TrainJob;
import picocli.CommandLine.Command;

/** {@code bin/pipeline train}. */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    description = {
      "Fine-tune a Llama-family decoder (DJL, PyTorch engine) on the training table (train.* keys):",
      "full or LoRA; checkpoints, HF and PEFT export under <lake>/_state/models/<run id>."
    })
final class TrainCommand extends StageCommand {
  TrainCommand() {
    super("train", new TrainJob());
  }
}
