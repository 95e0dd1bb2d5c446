package io.instructlake.train;

import io.instructlake.lake.JobResult;

/**
 * What the {@code train} command reports, single-worker or data-parallel (key prefix {@code
 * train}).
 *
 * @param output the run's model directory, {@code <lake>/_state/models/<run id>} (a URI on a remote
 *     lake)
 * @param model the HF model directory inside it ({@code <output>/hf}; merged weights for LoRA)
 * @param finalLoss the training loss of the last step (the mean over ranks when data-parallel)
 * @param inputTable the table trained on
 * @param inputVersion its Delta version, read at the start
 * @param workers trainers that ran (1 for the single worker)
 */
public record TrainResult(
    String output,
    String model,
    double finalLoss,
    String inputTable,
    long inputVersion,
    int workers)
    implements JobResult {
  @Override
  public String prefix() {
    return "train";
  }
}
