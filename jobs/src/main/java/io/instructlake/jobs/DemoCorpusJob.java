package io.instructlake.jobs;

import io.instructlake.PipelineException;
import io.instructlake.config.PipelineConfig;
import io.instructlake.corpus.CorpusGenerator;
import io.instructlake.corpus.Manifest;
import io.instructlake.lake.JobResult;
import io.instructlake.lake.Run;
import io.instructlake.stage.Job;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The demo's first step: writes the generated corpus ({@code generate.*}) to the directory the
 * demo's {@code input.path} names, or reuses the one there when it was generated with the same seed
 * and size.
 */
final class DemoCorpusJob implements Job<DemoCorpusJob.Options> {
  /**
   * @param generator the configured generator, its output directory set
   * @param dir where the corpus goes
   * @param records {@code generate.records}
   * @param seed {@code generate.seed}
   */
  record Options(CorpusGenerator.Builder generator, Path dir, long records, long seed) {}

  /**
   * What the demo's corpus step reports (key prefix {@code demo}).
   *
   * @param corpus the corpus directory
   * @param generatedUnits records and malformed units written
   * @param injectedMalformed malformed units injected (they must all reach quarantine)
   * @param injectedExactDuplicates exact duplicates injected
   * @param injectedNearDuplicates near duplicates injected
   */
  record Result(
      String corpus,
      long generatedUnits,
      long injectedMalformed,
      long injectedExactDuplicates,
      long injectedNearDuplicates)
      implements JobResult {
    @Override
    public String prefix() {
      return "demo";
    }
  }

  private final Path dir;
  private final PrintStream out;

  DemoCorpusJob(Path dir, PrintStream out) {
    this.dir = dir.toAbsolutePath();
    this.out = out;
  }

  @Override
  public String name() {
    return "corpus";
  }

  @Override
  public Options options(PipelineConfig config) {
    var g = config.section("generate");
    return new Options(
        CorpusGenerator.fromConfig(config).setOutputDir(dir),
        dir,
        g.longValue("records", 1, Long.MAX_VALUE),
        g.longValue("seed", Long.MIN_VALUE, Long.MAX_VALUE));
  }

  @Override
  public Result execute(Run run, Options options) {
    Path manifestFile = options.dir().resolve("_manifest.json");
    try {
      Manifest previous = Files.exists(manifestFile) ? Manifest.read(manifestFile) : null;
      Manifest m;
      if (previous != null
          && previous.requestedRecords == options.records()
          && previous.seed == options.seed()) {
        m = previous;
        out.println("  corpus: reusing " + options.dir() + " (same seed and size)");
      } else {
        m = options.generator().build().generate();
        out.println("  corpus: generated " + m.units + " units in " + options.dir());
      }
      return new Result(
          options.dir().toString(),
          m.units,
          m.malformedTotal(),
          m.exactDuplicates,
          m.nearDuplicates);
    } catch (IOException e) {
      throw new PipelineException(
          "Cannot generate the demo corpus in " + options.dir(),
          e.toString(),
          "pass --corpus-dir to a writable directory, or --input an existing corpus",
          e);
    }
  }
}
