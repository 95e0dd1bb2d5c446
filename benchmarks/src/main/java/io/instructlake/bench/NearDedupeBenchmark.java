package io.instructlake.bench;

import static org.apache.spark.sql.functions.aggregate;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.octet_length;
import static org.apache.spark.sql.functions.sum;

import io.instructlake.config.PipelineConfig;
import io.instructlake.corpus.CorpusGenerator;
import io.instructlake.dedupe.DedupeOptions;
import io.instructlake.dedupe.DedupeStage;
import io.instructlake.ingest.IngestJob;
import io.instructlake.lake.Lake;
import io.instructlake.lake.LakeTable;
import io.instructlake.lake.Run;
import io.instructlake.lake.StageOutput;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Dedupe throughput (exact + MinHash LSH near dedupe, default settings) in MB of text per second
 * per core, against a copy-through job (read bronze, write a Delta table) on the same bronze table
 * in the same run. The corpus comes from {@link CorpusGenerator} and is ingested with {@link
 * IngestJob} first (not timed).
 *
 * <p>Args: {@code OUT [RECORDS=1000000]}; writes {@code OUT.md} and {@code OUT.json}.
 */
public final class NearDedupeBenchmark {
  private NearDedupeBenchmark() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: NearDedupeBenchmark OUT [RECORDS]  (OUT.md, OUT.json)");
      System.exit(2);
    }
    // bin/pipeline bench passes DIR/NAME.md; OUT is the base name of the .md and .json results.
    String out = args[0].endsWith(".md") ? args[0].substring(0, args[0].length() - 3) : args[0];
    long records = args.length > 1 ? Long.parseLong(args[1]) : 1_000_000L;
    Path work = Files.createTempDirectory("near-bench-");
    SparkSession spark =
        BenchSessions.local(
            System.getProperty("spark.master", "local[*]"), "near-dedupe-benchmark", 8);
    try {
      Path corpus = work.resolve("corpus");
      CorpusGenerator.builder()
          .setOutputDir(corpus)
          .optRecords(records)
          .optSeed(7)
          .build()
          .generate();
      PipelineConfig config =
          PipelineConfig.defaults()
              .with("input.path", corpus.toString())
              .with("lake.root", work.resolve("lake").toString());
      Lake lake = new Lake(spark, work.resolve("lake").toString());
      IngestJob ingest = new IngestJob();
      Run run = Run.start(lake, ingest.name(), config, corpus.toString());
      ingest.step(config).execute(run);
      run.succeed();
      Dataset<Row> bronze = lake.read(LakeTable.BRONZE_RECORDS);
      long rows = bronze.count();
      Row bytesRow =
          bronze
              .select(
                  coalesce(octet_length(col("system")), lit(0))
                      .plus(
                          aggregate(
                              col("messages"),
                              lit(0),
                              (acc, m) ->
                                  acc.plus(coalesce(octet_length(m.getField("content")), lit(0)))))
                      .as("b"))
              .agg(sum("b"))
              .first();
      double mb = bytesRow.getLong(0) / 1e6;

      long t0 = System.nanoTime();
      lake.read(LakeTable.BRONZE_RECORDS)
          .write()
          .format("delta")
          .save(work.resolve("copy").toString());
      double copyS = BloomBenchmark.secs(t0);

      t0 = System.nanoTime();
      DedupeOptions options = DedupeOptions.from(config.section("dedupe"));
      DedupeStage stage = DedupeStage.builder().setOptions(options).build();
      StageOutput o = stage.dedupe(lake.read(LakeTable.BRONZE_RECORDS));
      o.kept().write().format("delta").save(work.resolve("dedup").toString());
      o.dropped().write().format("delta").save(work.resolve("dropped").toString());
      double dedupS = BloomBenchmark.secs(t0);
      stage.release();

      int cores = Runtime.getRuntime().availableProcessors();
      double mbpsCore = mb / dedupS / cores;
      String md =
          String.format(
              Locale.ROOT,
              "# Near dedupe throughput vs copy-through%n%n"
                  + "Machine: %d cores, Java %s, Spark %s (%s). Generated corpus: %,d records"
                  + " requested, %,d in bronze, %.1f MB of text (system + message contents, UTF-8)."
                  + " Dedupe: threshold %.2f, %d permutations, %d bands x %d rows.%n%n"
                  + "| job | seconds | MB/s/core |%n| --- | --- | --- |%n"
                  + "| copy-through (read bronze, write Delta) | %.1f | %.2f |%n"
                  + "| dedupe (exact + near, write kept + dropped) | %.1f | %.2f |%n%n"
                  + "Dedupe / copy-through cost: **%.2fx**. Counters: %s%n",
              cores,
              System.getProperty("java.version"),
              spark.version(),
              spark.sparkContext().master(),
              records,
              rows,
              mb,
              options.threshold(),
              options.permutations(),
              options.bands(),
              options.rows(),
              copyS,
              mb / copyS / cores,
              dedupS,
              mbpsCore,
              dedupS / copyS,
              o.counters());
      String json =
          String.format(
              Locale.ROOT,
              "{\"benchmark\":\"near-dedupe\",\"cores\":%d,\"records\":%d,\"bronze_rows\":%d,"
                  + "\"text_mb\":%.3f,\"copy_s\":%.3f,\"dedupe_s\":%.3f,\"mb_per_s_per_core\":%.4f,"
                  + "\"ratio\":%.3f,\"near_dropped\":%d,\"exact_dropped\":%d}%n",
              cores,
              records,
              rows,
              mb,
              copyS,
              dedupS,
              mbpsCore,
              dedupS / copyS,
              o.counters().getOrDefault("near_dropped", 0L),
              o.counters().getOrDefault("exact_dropped_batch", 0L));
      BloomBenchmark.write(out, md, json);
      System.out.print(md);
    } finally {
      spark.stop();
      BloomBenchmark.deleteRecursively(work);
    }
  }
}
