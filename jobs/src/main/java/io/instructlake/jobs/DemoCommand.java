package io.instructlake.jobs;

import io.instructlake.config.PipelineConfig;
import io.instructlake.stage.Job;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bin/pipeline demo}: the main job on the embedded default. Generates a corpus (generate.*,
 * about 20k records) unless input.path is given, then runs every stage in one run and prints where
 * the tables are and the run summary.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Generate a corpus and run the whole pipeline on it in one run (embedded Spark, local lake).",
      "Stages: " + "see `bin/pipeline demo --help`; the summary lists the counts of each."
    })
final class DemoCommand implements Callable<Integer> {
  @Mixin CommonOptions options;
  @Spec CommandSpec spec;

  @Option(
      names = "--corpus-dir",
      paramLabel = "DIR",
      description = "Where the generated corpus goes. Default: work/demo/corpus.")
  Path corpusDir = Path.of("work", "demo", "corpus");

  @Override
  public Integer call() {
    PrintStream out = new PrintStream(new WriterStream(spec.commandLine().getOut()), true);
    PrintStream err = new PrintStream(new WriterStream(spec.commandLine().getErr()), true);
    PipelineConfig config = options.config();
    boolean generate = config.section("input").string("path").isBlank();
    if (generate) {
      // The corpus step writes where input.path points, before ingest reads it.
      config = config.with("input.path", corpusDir.toAbsolutePath().toString());
    }
    List<Job<?>> jobs = new ArrayList<>();
    if (generate) {
      jobs.add(new DemoCorpusJob(corpusDir, out));
    }
    jobs.addAll(JobRegistry.demoJobs());
    return new JobRunner(out, err).run("demo", config, jobs, options.summary);
  }
}
