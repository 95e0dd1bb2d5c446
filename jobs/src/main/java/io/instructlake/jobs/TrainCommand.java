package io.instructlake.jobs;

import io.instructlake.PipelineException;
import io.instructlake.config.PipelineConfig;
import io.instructlake.stage.Job;
import io.instructlake.train.TrainJob;
import io.instructlake.train.dp.DataParallelTrainJob;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bin/pipeline train [--workers W]}: one in-process trainer, or W data-parallel trainers
 * (one per Spark task and executor JVM, gradients all-reduced every step).
 */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    description = {
      "Fine-tune a Llama-family decoder (DJL, PyTorch engine) on the training table (train.* keys):",
      "full or LoRA; checkpoints, HF and PEFT export under <lake>/_state/models/<run id>.",
      "With --workers W > 1: W trainers in a Spark barrier stage, one per executor JVM; bin/pipeline"
          + " starts a local-cluster of W executor JVMs for it on the embedded default."
    })
final class TrainCommand implements Callable<Integer> {
  @Mixin CommonOptions options;
  @Spec CommandSpec spec;

  @Option(
      names = "--workers",
      paramLabel = "W",
      description = "Data-parallel trainers (one per executor JVM). Default 1: train in-process.")
  int workers = 1;

  @Override
  public Integer call() {
    PrintStream out = new PrintStream(new WriterStream(spec.commandLine().getOut()), true);
    PrintStream err = new PrintStream(new WriterStream(spec.commandLine().getErr()), true);
    PipelineConfig config = options.config();
    Job<?> job;
    if (workers < 1) {
      throw new PipelineException(
          "Invalid --workers " + workers, "it must be at least 1", "pass --workers 1 or more");
    }
    if (workers == 1) {
      job = new TrainJob();
    } else {
      String master = config.section("spark").string("master");
      if (master.startsWith("local[") || master.equals("local")) {
        throw new PipelineException(
            "train --workers " + workers + " cannot run on spark.master=" + master,
            "DJL allows one trainer per JVM, so each worker needs its own executor JVM",
            "run it through bin/pipeline (it starts local-cluster[W,1,M] when SPARK_HOME is unset),"
                + " or set spark.master to a cluster with W executors");
      }
      config = config.with("train.workers", workers);
      job = new DataParallelTrainJob(out);
    }
    return new JobRunner(out, err).run("train", config, List.of(job), options.summary);
  }
}
