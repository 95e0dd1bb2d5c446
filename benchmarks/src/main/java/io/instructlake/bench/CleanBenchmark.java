package io.instructlake.bench;

import io.instructlake.clean.CleanOptions;
import io.instructlake.clean.CleanStage;
import io.instructlake.config.PipelineConfig;
import io.instructlake.corpus.CorpusGenerator;
import io.instructlake.ingest.IngestOptions;
import io.instructlake.ingest.IngestStage;
import io.instructlake.lake.StageOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Cleaning throughput against a copy-through job on the same input, in the same run.
 *
 * <p>Setup (not timed): generate a corpus with {@link CorpusGenerator} (seed 42) and ingest it into
 * a Delta bronze table. Baseline: read bronze, write it to a new Delta table unchanged. Workload:
 * read bronze, run {@link CleanStage} with the default {@code clean} options, write kept rows and
 * quarantine rows to Delta. Each is timed end to end (wall clock, including the Delta commits).
 *
 * <p>Usage: {@code CleanBenchmark <result.md> [records=100000] [master=local[*]]}; writes the
 * markdown table to {@code result.md} and the same figures to {@code result.json}.
 */
public final class CleanBenchmark {
  private CleanBenchmark() {}

  public static void main(String[] args) throws IOException {
    if (args.length < 1) {
      System.err.println("usage: CleanBenchmark <result.md> [records] [master]");
      System.exit(2);
    }
    Path result = Path.of(args[0]);
    long records = args.length > 1 ? Long.parseLong(args[1]) : 100_000L;
    String master = args.length > 2 ? args[2] : "local[*]";
    Path work = Files.createTempDirectory("clean-bench-");
    SparkSession spark = BenchSessions.local(master, "clean-benchmark", 4);
    spark.sparkContext().setLogLevel("WARN");
    try {
      Path corpus = work.resolve("corpus");
      long t0 = System.nanoTime();
      CorpusGenerator.builder()
          .setOutputDir(corpus)
          .optRecords(records)
          .optSeed(42)
          .build()
          .generate();
      double genS = seconds(t0);
      PipelineConfig config =
          PipelineConfig.defaults().with("input.path", corpus.toAbsolutePath().toString());
      t0 = System.nanoTime();
      IngestStage.Result ingested =
          new IngestStage(IngestOptions.from(config))
              .ingest(spark, "bench", new Timestamp(System.currentTimeMillis()));
      String bronzePath = work.resolve("bronze").toString();
      ingested.output().kept().write().format("delta").save(bronzePath);
      ingested.release();
      double ingestS = seconds(t0);
      long bronzeRows = spark.read().format("delta").load(bronzePath).count();

      // Baseline: copy-through.
      t0 = System.nanoTime();
      spark
          .read()
          .format("delta")
          .load(bronzePath)
          .write()
          .format("delta")
          .save(work.resolve("copy").toString());
      double copyS = seconds(t0);

      // Workload: clean.
      t0 = System.nanoTime();
      Dataset<Row> bronze = spark.read().format("delta").load(bronzePath);
      StageOutput out = new CleanStage(CleanOptions.from(config)).apply(bronze);
      out.kept().write().format("delta").save(work.resolve("cleaned").toString());
      out.dropped().write().format("delta").save(work.resolve("quarantine").toString());
      double cleanS = seconds(t0);
      long kept = spark.read().format("delta").load(work.resolve("cleaned").toString()).count();
      Map<String, Long> reasons = new LinkedHashMap<>();
      for (Row r :
          spark
              .read()
              .format("delta")
              .load(work.resolve("quarantine").toString())
              .groupBy("reason")
              .count()
              .orderBy("reason")
              .collectAsList()) {
        reasons.put(r.getString(0), r.getLong(1));
      }

      int cores = Runtime.getRuntime().availableProcessors();
      String machine =
          String.format(
              Locale.ROOT,
              "%d cores, %d MiB max heap, Java %s, Spark %s, master %s",
              cores,
              Runtime.getRuntime().maxMemory() >> 20,
              System.getProperty("java.version"),
              spark.version(),
              master);
      StringBuilder md = new StringBuilder();
      md.append("# Clean benchmark\n\n")
          .append("Machine: ")
          .append(machine)
          .append("\n\n")
          .append(
              String.format(
                  Locale.ROOT,
                  "Corpus: %d generated records (seed 42), %d bronze rows after ingest"
                      + " (generate %.1f s, ingest %.1f s, not timed below).%n%n",
                  records,
                  bronzeRows,
                  genS,
                  ingestS))
          .append("| job | seconds | rows/s | ratio to copy |\n|---|---:|---:|---:|\n")
          .append(row("copy-through (read bronze, write Delta)", copyS, bronzeRows, copyS))
          .append(
              row(
                  "clean (normalize, redact, filter, write kept + quarantine)",
                  cleanS,
                  bronzeRows,
                  copyS))
          .append(
              String.format(
                  Locale.ROOT,
                  "%nKept %d of %d; dropped by reason: %s; PII counters: %s%n",
                  kept,
                  bronzeRows,
                  reasons,
                  out.counters()));
      Files.createDirectories(result.toAbsolutePath().getParent());
      Files.writeString(result, md.toString(), StandardCharsets.UTF_8);
      String json =
          String.format(
              Locale.ROOT,
              "{\"benchmark\":\"clean\",\"machine\":\"%s\",\"records\":%d,\"bronze_rows\":%d,"
                  + "\"copy_s\":%.3f,\"clean_s\":%.3f,\"ratio\":%.3f,\"clean_rows_per_s\":%.1f,"
                  + "\"kept\":%d}%n",
              machine,
              records,
              bronzeRows,
              copyS,
              cleanS,
              cleanS / copyS,
              bronzeRows / cleanS,
              kept);
      Files.writeString(
          Path.of(result.toString().replaceAll("\\.md$", "") + ".json"),
          json,
          StandardCharsets.UTF_8);
      System.out.print(md);
      System.out.printf(Locale.ROOT, "clean / copy-through time ratio: %.2f%n", cleanS / copyS);
    } finally {
      spark.stop();
      try (Stream<Path> s = Files.walk(work)) {
        s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static double seconds(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }

  private static String row(String name, double s, long rows, double copyS) {
    return String.format(
        Locale.ROOT, "| %s | %.1f | %.0f | %.2f |%n", name, s, rows / s, s / copyS);
  }
}
