package io.instructlake.jobs;

import io.instructlake.config.PipelineConfig;
import io.instructlake.corpus.CorpusGenerator;
import io.instructlake.corpus.Manifest;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code bin/pipeline generate-corpus}: the seeded bilingual corpus with known defects. */
@Command(
    name = "generate-corpus",
    mixinStandardHelpOptions = true,
    description = "Write a deterministic bilingual corpus in every input format (generate.* keys).")
final class GenerateCorpusCommand implements Callable<Integer> {
  @Mixin CommonOptions options;
  @Spec CommandSpec spec;

  @Option(
      names = "--output",
      paramLabel = "DIR",
      description = "Where to write. Default: work/corpus.")
  Path output = Path.of("work", "corpus");

  @Option(names = "--records", paramLabel = "N", description = "Overrides generate.records.")
  Long records;

  @Override
  public Integer call() throws Exception {
    PipelineConfig config = options.config();
    CorpusGenerator.Builder b = CorpusGenerator.fromConfig(config).setOutputDir(output);
    if (records != null) {
      b.optRecords(records);
    }
    long t0 = System.nanoTime();
    Manifest m = b.build().generate();
    var out = spec.commandLine().getOut();
    out.printf(
        "Wrote %d units (%d valid records, %d malformed) to %s in %.1f s%n",
        m.units, m.validRecords, m.malformedTotal(), output, (System.nanoTime() - t0) / 1e9);
    out.println("Manifest: " + output.resolve("_manifest.json"));
    out.flush();
    return 0;
  }
}
