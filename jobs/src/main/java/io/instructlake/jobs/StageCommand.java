package io.instructlake.jobs;

import io.instructlake.stage.Job;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** A command that runs one or more pipeline jobs as one run. */
abstract class StageCommand implements Callable<Integer> {
  @Mixin CommonOptions options;
  @Spec CommandSpec spec;

  private final String name;
  private final List<Job<?>> jobs;

  StageCommand(String name, Job<?>... jobs) {
    this.name = name;
    this.jobs = List.of(jobs);
  }

  @Override
  public Integer call() {
    PrintStream out = new PrintStream(new WriterStream(spec.commandLine().getOut()), true);
    PrintStream err = new PrintStream(new WriterStream(spec.commandLine().getErr()), true);
    return new JobRunner(out, err).run(name, options.config(), jobs, options.summary);
  }
}
