package io.instructlake.nightly;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instructlake.lake.Lake;
import io.instructlake.lake.LakeTable;
import io.instructlake.lake.RecordSchema;
import io.instructlake.lake.RunSummary;
import io.instructlake.testkit.S3SparkTestBase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/**
 * The nightly job with its input and its lake on {@code s3a://} (hadoop-aws against the in-process
 * S3 server): the run succeeds, reads every file from the bucket, writes the tables and the report
 * to the bucket, a rerun is a no-op, and the secret key appears in none of the summary, the runs
 * table, the report or the logs.
 */
class NightlyS3Test extends S3SparkTestBase {
  @Test
  void nightlyRunsWithInputAndLakeOnS3AndNeverShowsTheSecret() throws Exception {
    Path batches = newDir("batches");
    NightlyFixtures.writeBatches(batches, 1, 120);
    org.apache.hadoop.conf.Configuration conf = spark.sparkContext().hadoopConfiguration();
    String raw = s3.uri("raw");
    FileSystem fs = new org.apache.hadoop.fs.Path(raw).getFileSystem(conf);
    long uploaded = 0;
    Path local = batches.resolve("batch-1");
    try (Stream<Path> files = Files.walk(local)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        String name = f.getFileName().toString();
        if (name.startsWith(".") || name.startsWith("_")) {
          continue;
        }
        fs.copyFromLocalFile(
            new org.apache.hadoop.fs.Path(f.toUri()),
            new org.apache.hadoop.fs.Path(raw + "/" + local.relativize(f)));
        uploaded++;
      }
    }
    Lake lake = new Lake(spark, s3.uri("lake"));

    StringWriter logs = new StringWriter();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    RunSummary s;
    RunSummary again;
    try (AutoCloseable capture = captureLogs(logs)) {
      PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
      s = NightlyFixtures.nightly(lake, raw, ps);
      again = NightlyFixtures.nightly(lake, raw, ps);
    }
    assertEquals(RunSummary.OK, s.status(), s.message());
    assertEquals(uploaded, lake.read(LakeTable.INGESTED_FILES).count());
    List<Row> sources =
        lake.read(LakeTable.BRONZE_RECORDS)
            .select(RecordSchema.SOURCE_FILE)
            .distinct()
            .collectAsList();
    assertFalse(sources.isEmpty());
    for (Row r : sources) {
      assertTrue(r.getString(0).startsWith("s3a://" + s3.bucket() + "/raw/"), r.getString(0));
    }
    assertTrue(lake.read(LakeTable.GOLD_TRAIN).count() > 0);
    String report = s3.uri("lake/reports/nightly/" + s.runId() + "/report.json");
    assertTrue(fs.exists(new org.apache.hadoop.fs.Path(report)), report);
    assertEquals(RunSummary.OK, again.status());
    assertEquals(true, again.details().get("nightly.nothing_new"));

    // The secret is nowhere a user or a log collector would see it.
    String secret = s3.secretKey();
    String runsTable = String.join("\n", lake.read(LakeTable.RUNS).toJSON().collectAsList());
    String reportText;
    try (var in = fs.open(new org.apache.hadoop.fs.Path(report))) {
      reportText = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    Map<String, String> places =
        Map.of(
            "summary", s.toJson(),
            "runs table", runsTable,
            "report.json", reportText,
            "console", out.toString(StandardCharsets.UTF_8),
            "logs", logs.toString());
    for (Map.Entry<String, String> e : places.entrySet()) {
      assertFalse(e.getValue().contains(secret), "secret key found in the " + e.getKey());
    }
    assertTrue(logs.toString().length() > 0, "the log capture saw the run");
  }

  /** Adds a capturing appender to the root logger while open. */
  private static AutoCloseable captureLogs(StringWriter sink) {
    LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
    Configuration config = ctx.getConfiguration();
    Appender appender =
        WriterAppender.newBuilder()
            .setName("capture-" + System.nanoTime())
            .setTarget(sink)
            .setLayout(PatternLayout.newBuilder().withPattern("%p %c %m%n").build())
            .build();
    appender.start();
    config.getRootLogger().addAppender(appender, org.apache.logging.log4j.Level.ALL, null);
    ctx.updateLoggers();
    // The S3A connector (which handles the credentials) and the pipeline at DEBUG, the AWS SDK at
    // INFO: more than a deployment logs.
    Map<String, org.apache.logging.log4j.Level> raised =
        Map.of(
            "org.apache.hadoop.fs.s3a", org.apache.logging.log4j.Level.DEBUG,
            "io.instructlake", org.apache.logging.log4j.Level.DEBUG,
            "software.amazon.awssdk", org.apache.logging.log4j.Level.INFO);
    Map<String, org.apache.logging.log4j.Level> old = new java.util.HashMap<>();
    raised.forEach(
        (name, level) -> {
          old.put(name, LogManager.getLogger(name).getLevel());
          org.apache.logging.log4j.core.config.Configurator.setLevel(name, level);
        });
    return () -> {
      old.forEach(org.apache.logging.log4j.core.config.Configurator::setLevel);
      config.getRootLogger().removeAppender(appender.getName());
      ctx.updateLoggers();
      appender.stop();
    };
  }
}
