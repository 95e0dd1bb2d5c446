package io.instructlake.stage;

import io.instructlake.config.PipelineConfig;
import io.instructlake.lake.Run;

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

  /** Does the work. Throw {@link io.instructlake.PipelineException} with what, why and fix. */
  void execute(Run run, PipelineConfig config);
}
