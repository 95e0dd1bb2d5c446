package io.instructlake.stage;

import io.instructlake.config.PipelineConfig;
import io.instructlake.lake.Lake;
import io.instructlake.lake.Run;
import io.instructlake.lake.RunSummary;

/**
 * One CLI command's work against the lake. The CLI (in {@code jobs/}) parses arguments, builds the
 * {@link PipelineConfig}, opens the session and the {@link Run}, calls {@link #execute}, then calls
 * {@link Run#succeed()} or, if {@code execute} throws, {@link Run#fail(Throwable)} (which restores
 * every table the run touched). Jobs write only through {@code run} so rollback covers them, record
 * their counts with {@link Run#writeStage} or {@link Run#recordStage}, and add output paths or
 * chosen parameters with {@code run.summary().putDetail}.
 */
public interface Job {
  /** The command name, e.g. {@code clean}. */
  String name();

  /**
   * Validates the job's configuration section without touching Spark; called before the session
   * starts so that a bad config fails at once, naming the key.
   */
  void validate(PipelineConfig config);

  /**
   * Called after the session exists and before the {@link Run} starts (so before its table versions
   * are snapshotted): the place to repair state a previous run left, e.g. the nightly job's
   * recovery of a run whose driver died. Default: nothing.
   */
  default void beforeRun(Lake lake, PipelineConfig config) {}

  /** Does the work. Throw {@link io.instructlake.PipelineException} with what, why and fix. */
  void execute(Run run, PipelineConfig config);

  /**
   * Called once the run has ended ({@code ok}, {@code failed} or {@code rolled_back}, tables
   * restored if it did not succeed), with its final summary: the place to clean up side state and
   * write reports. Default: nothing. It must not throw for a reason the run already reported.
   */
  default void afterRun(Run run, RunSummary summary) {}
}
