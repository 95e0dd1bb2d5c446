package io.instructlake.jobs;

import io.instructlake.config.PipelineConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Options every command takes. Precedence is resolved in {@link PipelineConfig}. */
final class CommonOptions {
  @Option(
      names = "--conf",
      paramLabel = "FILE",
      description =
          "HOCON configuration file (e.g. conf/cluster.conf). Default: conf/local.conf"
              + " values are the built-in defaults.")
  Path conf;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description = "Override one key (repeatable), e.g. --set ingest.max-bad-share=0.2.")
  List<String> sets = new ArrayList<>();

  @Option(
      names = "--input",
      paramLabel = "PATH",
      description = "Shortcut for --set input.path=PATH.")
  String input;

  @Option(names = "--lake", paramLabel = "PATH", description = "Shortcut for --set lake.root=PATH.")
  String lake;

  @Option(
      names = "--summary",
      paramLabel = "FILE",
      description = "Write the JSON run summary (status, table rows and versions, counts) here.")
  Path summary;

  PipelineConfig config() {
    PipelineConfig.Builder b = PipelineConfig.builder().optConfFile(conf);
    for (String s : sets) {
      b.optSet(s);
    }
    if (input != null) {
      b.optSet("input.path", input);
    }
    if (lake != null) {
      b.optSet("lake.root", lake);
    }
    return b.build();
  }
}
