package io.instructlake.stage;

import io.instructlake.PipelineException;
import io.instructlake.config.PipelineConfig;
import io.instructlake.lake.Lake;
import io.instructlake.lake.Run;
import io.instructlake.lake.RunSummary;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/**
 * The life of one run of jobs, in one place (the CLI, notebooks and tests use it): {@link
 * Job#beforeRun} of each job, {@link Run#start}, {@link Job#execute} in order (each result added to
 * the summary), then {@link Run#succeed}, {@link Run#rollBack} (a {@link RollBackException}) or
 * {@link Run#fail} (any other exception; touched tables restored), and finally {@link Job#afterRun}
 * with the final summary. The steps carry options the caller parsed before the session started.
 */
public final class JobSequence {
  private JobSequence() {}

  /**
   * Runs {@code steps} as one run of {@code command} on {@code lake}; progress lines go to {@code
   * out}, stack traces of unexpected errors to {@code err}. Never throws for a job's failure: the
   * summary says {@code failed} or {@code rolled_back} with the reason.
   */
  public static RunSummary run(
      Lake lake,
      String command,
      PipelineConfig config,
      List<Job.Step<?>> steps,
      PrintStream out,
      PrintStream err) {
    for (Job.Step<?> j : steps) {
      j.beforeRun(lake);
    }
    Run run = Run.start(lake, command, config, config.section("input").string("path"));
    out.println("Run " + run.id() + ": " + command + " on lake " + lake.root());
    RunSummary summary;
    try {
      for (Job.Step<?> j : steps) {
        long t0 = System.nanoTime();
        out.println("  " + j.name() + " ...");
        j.execute(run);
        out.printf(Locale.ROOT, "  %s done in %.1f s%n", j.name(), (System.nanoTime() - t0) / 1e9);
      }
      summary = run.succeed();
    } catch (RollBackException e) {
      summary = run.rollBack(e.getMessage());
    } catch (PipelineException e) {
      summary = run.fail(e);
    } catch (RuntimeException e) {
      summary =
          run.fail(
              new PipelineException(
                  command + " failed: " + e.getClass().getSimpleName() + ": " + Run.oneLine(e), e));
      e.printStackTrace(err);
    }
    for (Job.Step<?> j : steps) {
      j.afterRun(run, summary);
    }
    return summary;
  }
}
