package io.instructlake.stage;

import io.instructlake.config.PipelineConfig;
import io.instructlake.lake.JobResult;
import io.instructlake.lake.Lake;
import io.instructlake.lake.Run;
import io.instructlake.lake.RunSummary;

/**
 * One CLI command's work against the lake, with its options of type {@code O}. The configuration is
 * parsed once: the CLI (in {@code jobs/}) calls {@link #options} for every job of the run before
 * any Spark session exists (so a bad key fails at once, naming it), then {@link JobSequence} opens
 * the {@link Run}, calls {@link #execute} with those parsed options, adds the returned {@link
 * JobResult} to the run summary, and calls {@link Run#succeed()} or, if {@code execute} throws,
 * {@link Run#fail(Throwable)} (which restores every table the run touched).
 *
 * <p>Jobs write only through {@code run} so that rollback covers them, and record their counts with
 * {@link Run#writeStage} or {@link Run#recordStage}.
 *
 * @param <O> the job's parsed options: a record read from its configuration section(s)
 */
public interface Job<O> {
  /** The command name, e.g. {@code clean}. */
  String name();

  /**
   * Reads and validates the job's configuration, without touching Spark.
   *
   * @throws io.instructlake.config.ConfigError naming the bad key, its value and what is expected
   */
  O options(PipelineConfig config);

  /**
   * Called after the session exists and before the {@link Run} starts (so before its table versions
   * are snapshotted): the place to repair state a previous run left, e.g. the nightly job's
   * recovery of a run whose driver died. Default: nothing.
   */
  default void beforeRun(Lake lake, O options) {}

  /**
   * Does the work and returns what it reports. Throw {@link io.instructlake.PipelineException} with
   * what, why and fix.
   */
  JobResult execute(Run run, O options);

  /**
   * Called once the run has ended ({@code ok}, {@code failed} or {@code rolled_back}, tables
   * restored if it did not succeed), with its final summary: the place to clean up side state and
   * write reports. Default: nothing. It must not throw for a reason the run already reported.
   */
  default void afterRun(Run run, O options, RunSummary summary) {}

  /** This job bound to options parsed from {@code config} once: what {@link JobSequence} runs. */
  default Step<O> step(PipelineConfig config) {
    return new Step<>(this, options(config));
  }

  /** A job with its parsed options. */
  record Step<O>(Job<O> job, O options) {
    public Step {
      if (job == null || options == null) {
        throw new IllegalArgumentException("a step needs a job and its options");
      }
    }

    public String name() {
      return job.name();
    }

    public void beforeRun(Lake lake) {
      job.beforeRun(lake, options);
    }

    /** Executes the job and adds its result to the run summary; returns the result. */
    public JobResult execute(Run run) {
      JobResult r = job.execute(run, options);
      if (r == null) {
        throw new IllegalStateException(job.name() + " returned no result");
      }
      run.summary().addResult(r);
      return r;
    }

    public void afterRun(Run run, RunSummary summary) {
      job.afterRun(run, options, summary);
    }
  }
}
