package io.instructlake.jobs;

import io.instructlake.config.PipelineConfig;
import io.instructlake.lake.JobResult;
import io.instructlake.lake.Lake;
import io.instructlake.lake.Run;
import io.instructlake.lake.RunSummary;
import io.instructlake.lake.Sessions;
import io.instructlake.stage.Job;
import io.instructlake.stage.JobSequence;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * Runs jobs as one {@link Run}: validate every job's config first (no Spark yet), open the session,
 * execute in order, succeed or fail (rolling back), write the summary, print it, and map the status
 * to the exit code.
 */
final class JobRunner {
  static final int EXIT_OK = 0;
  static final int EXIT_FAILED = 1;
  static final int EXIT_USAGE = 2;
  static final int EXIT_ROLLED_BACK = 3;

  private final PrintStream out;
  private final PrintStream err;

  JobRunner(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  int run(String command, PipelineConfig config, List<Job<?>> jobs, Path summaryFile) {
    // Every job's configuration is read once, here, before any Spark session exists.
    List<Job.Step<?>> steps = new ArrayList<>();
    for (Job<?> j : jobs) {
      steps.add(j.step(config));
    }
    SparkSession spark = Sessions.create(config);
    Lake lake = new Lake(spark, config.section("lake").string("root"));
    RunSummary summary = JobSequence.run(lake, command, config, steps, out, err);
    lake.registerTables();
    report(summary, lake);
    if (summaryFile != null) {
      writeSummary(summaryFile, summary);
    }
    return exitCode(summary);
  }

  static int exitCode(RunSummary s) {
    return switch (s.status()) {
      case RunSummary.OK -> EXIT_OK;
      case RunSummary.ROLLED_BACK -> EXIT_ROLLED_BACK;
      default -> EXIT_FAILED;
    };
  }

  void report(RunSummary s, Lake lake) {
    long ms = s.endedAt().toEpochMilli() - s.startedAt().toEpochMilli();
    out.printf(Locale.ROOT, "Run %s %s in %.1f s%n", s.runId(), s.status(), ms / 1000.0);
    if (s.message() != null) {
      (RunSummary.OK.equals(s.status()) ? out : err).println("  " + s.message());
    }
    out.println("Tables under " + lake.root() + ":");
    for (Map.Entry<String, Map<String, Object>> e : s.tables().entrySet()) {
      out.printf(
          Locale.ROOT,
          "  %-16s %10s rows  version %s%n",
          e.getKey(),
          e.getValue().get("rows"),
          e.getValue().get("version"));
    }
    for (String stage : stageNames(s)) {
      out.println("  " + stage + ": " + s.stageCounts(stage));
    }
    for (JobResult r : s.results()) {
      StringBuilder line = new StringBuilder("  ").append(r.prefix()).append(':');
      r.details()
          .forEach(
              (k, v) ->
                  line.append(' ')
                      .append(k.substring(r.prefix().length() + 1))
                      .append('=')
                      .append(v));
      out.println(line);
    }
  }

  private static List<String> stageNames(RunSummary s) {
    @SuppressWarnings("unchecked")
    Map<String, Object> stages = (Map<String, Object>) s.toMap().get("stages");
    return List.copyOf(stages.keySet());
  }

  void writeSummary(Path file, RunSummary s) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.writeString(file, s.toJson(), StandardCharsets.UTF_8);
      out.println("Summary written to " + file);
    } catch (IOException e) {
      err.println("Cannot write summary " + file + ": " + e.getMessage() + " (check --summary)");
    }
  }
}
