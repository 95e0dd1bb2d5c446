package io.instructlake.jobs;

import io.instructlake.config.PipelineConfig;
import io.instructlake.corpus.CorpusGenerator;
import io.instructlake.corpus.Manifest;
import io.instructlake.stage.Job;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
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
      // Validate the other jobs against a config that has an input, as demo will supply one.
      config = config.with("input.path", corpusDir.toAbsolutePath().toString());
    }
    List<Job> jobs = JobRegistry.demoJobs();
    return new JobRunner(out, err)
        .run(
            "demo",
            config,
            jobs,
            options.summary,
            (cfg, run) -> {
              if (!generate) {
                return cfg;
              }
              CorpusGenerator.Builder b = CorpusGenerator.fromConfig(cfg).setOutputDir(corpusDir);
              Path manifestFile = corpusDir.resolve("_manifest.json");
              Manifest previous = Files.exists(manifestFile) ? Manifest.read(manifestFile) : null;
              Manifest m;
              long records = cfg.section("generate").longValue("records", 1, Long.MAX_VALUE);
              long seed = cfg.section("generate").longValue("seed", Long.MIN_VALUE, Long.MAX_VALUE);
              if (previous != null
                  && previous.requestedRecords == records
                  && previous.seed == seed) {
                m = previous;
                out.println("  corpus: reusing " + corpusDir + " (same seed and size)");
              } else {
                m = b.build().generate();
                out.println("  corpus: generated " + m.units + " units in " + corpusDir);
              }
              run.summary().putDetail("demo.corpus", corpusDir.toAbsolutePath().toString());
              run.summary().putDetail("demo.generated_units", m.units);
              run.summary().putDetail("demo.injected_malformed", m.malformedTotal());
              run.summary().putDetail("demo.injected_exact_duplicates", m.exactDuplicates);
              run.summary().putDetail("demo.injected_near_duplicates", m.nearDuplicates);
              return cfg;
            });
  }
}
