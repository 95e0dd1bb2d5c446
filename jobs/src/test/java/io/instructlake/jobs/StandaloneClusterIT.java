package io.instructlake.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.instructlake.corpus.CorpusGenerator;
import io.instructlake.corpus.Manifest;
import io.instructlake.lake.Lake;
import io.instructlake.lake.LakeTable;
import io.instructlake.testkit.S3Server;
import io.instructlake.testkit.SparkTestBase;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The shaded spark-submit jar on a real standalone cluster ({@code deploy/standalone-cluster.sh}: a
 * master and two worker JVMs) with the corpus and the lake on an in-process S3 server, submitted
 * with {@code SparkSubmit} in client and in cluster deploy mode. Credentials reach the drivers and
 * executors only through the environment (the S3A default provider chain); the test checks that the
 * secret appears in no driver or executor log and no summary.
 *
 * <p>Runs under maven-failsafe after {@code package} (it needs {@code -spark.jar}): {@code mvn -B
 * -pl jobs -am verify -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false
 * -Dit.test=StandaloneClusterIT}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StandaloneClusterIT {
  /**
   * The pipeline commands one deployment runs, in order, each as its own {@code SparkSubmit}: the
   * nightly refresh (ingest of the new files, clean, dedupe, gates, publish) in one run.
   */
  static final List<String> COMMANDS = List.of("nightly");

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Corpus files uploaded (what nightly must record in ingested_files). */
  private static long uploadedFiles;

  private static final long RECORDS = 600;
  private static final Duration SUBMIT_TIMEOUT = Duration.ofMinutes(9);
  private static final String JVM_FLAGS =
      "-XX:+UseParallelGC -Dai.djl.offline=true"
          + " --add-opens=java.base/java.nio=ALL-UNNAMED"
          + " --add-opens=java.base/java.lang.invoke=ALL-UNNAMED"
          + " --add-opens=java.base/java.util=ALL-UNNAMED"
          + " --add-opens=java.base/sun.nio.ch=ALL-UNNAMED"
          + " --add-opens=java.base/java.lang=ALL-UNNAMED";

  private static Path root;
  private static Path jar;
  private static Path work;
  private static Path clusterState;
  private static S3Server s3;
  private static Manifest manifest;
  private static Properties cluster;
  private static SparkSession spark;

  @BeforeAll
  static void setUp() throws Exception {
    root = Path.of(System.getProperty("instructlake.root", "..")).toAbsolutePath().normalize();
    jar = Path.of(System.getProperty("instructlake.spark.jar", "target/missing-spark.jar"));
    assertTrue(
        Files.isRegularFile(jar),
        "the spark-submit jar "
            + jar
            + " is missing: run this IT with `mvn verify` (after package)");
    work = Files.createTempDirectory("instructlake-cluster-it-");
    clusterState = work.resolve("cluster");
    s3 = S3Server.start();

    // The corpus, generated locally and uploaded to s3a://BUCKET/raw/.
    Path corpus = work.resolve("corpus");
    manifest =
        CorpusGenerator.builder()
            .setOutputDir(corpus)
            .optRecords(RECORDS)
            .optSeed(8)
            .optRecordsPerFile(500)
            .build()
            .generate();
    Configuration conf = new Configuration();
    s3.applyTo(conf);
    try (FileSystem fs = FileSystem.newInstance(URI.create(s3.uri("")), conf)) {
      fs.copyFromLocalFile(
          false,
          true,
          new org.apache.hadoop.fs.Path(corpus.toUri()),
          new org.apache.hadoop.fs.Path(s3.uri("raw")));
      assertTrue(fs.exists(new org.apache.hadoop.fs.Path(s3.uri("raw/_manifest.json"))));
    }
    try (Stream<Path> files = Files.walk(corpus)) {
      uploadedFiles =
          files
              .filter(Files::isRegularFile)
              .map(f -> f.getFileName().toString())
              .filter(n -> !n.startsWith("_") && !n.startsWith("."))
              .count();
    }

    // The cluster: the secret is only in the workers' environment.
    Path startLog = work.resolve("cluster-start.log");
    Process p =
        process(
                List.of(
                    root.resolve("deploy/standalone-cluster.sh").toString(),
                    "start",
                    "--workers",
                    "2",
                    "--state-dir",
                    clusterState.toString()),
                startLog)
            .start();
    if (!p.waitFor(4, TimeUnit.MINUTES) || p.exitValue() != 0) {
      p.destroyForcibly();
      fail("cluster did not start:\n" + Files.readString(startLog));
    }
    cluster = new Properties();
    try (InputStream in = Files.newInputStream(clusterState.resolve("cluster.env"))) {
      cluster.load(in);
    }

    spark = SparkTestBase.newSession(work.resolve("local-spark"));
    s3.applyTo(spark.sparkContext().hadoopConfiguration());
  }

  @AfterAll
  static void tearDown() throws Exception {
    try {
      if (clusterState != null) {
        Process p =
            process(
                    List.of(
                        root.resolve("deploy/standalone-cluster.sh").toString(),
                        "stop",
                        "--state-dir",
                        clusterState.toString()),
                    work.resolve("cluster-stop.log"))
                .start();
        if (!p.waitFor(2, TimeUnit.MINUTES)) {
          p.destroyForcibly();
        }
      }
    } finally {
      if (spark != null) {
        spark.stop();
        SparkSession.clearActiveSession();
        SparkSession.clearDefaultSession();
      }
      if (s3 != null) {
        s3.close();
      }
      if (Boolean.getBoolean("instructlake.it.keep")) {
        System.out.println("kept the IT's files in " + work);
      } else {
        SparkTestBase.deleteRecursively(work);
      }
    }
  }

  @Test
  @Order(1)
  void clientModeRunsTheCommandsAndWritesTheLakeOnS3() throws Exception {
    List<JsonNode> summaries = new ArrayList<>();
    for (String command : COMMANDS) {
      Path summary = work.resolve("client-" + command + ".json");
      Path log = work.resolve("submit-client-" + command + ".log");
      Process p = submit("client", command, s3.uri("lake-client"), summary, log).start();
      int code = waitFor(p, log);
      assertEquals(0, code, "client-mode " + command + " failed:\n" + tail(log));
      summaries.add(JSON.readTree(summary.toFile()));
    }
    verifyLake(s3.uri("lake-client"), summaries);
    assertNoSecretLeaked();
  }

  @Test
  @Order(2)
  void clusterModeRunsTheDriverOnAWorker() throws Exception {
    List<JsonNode> summaries = new ArrayList<>();
    for (String command : COMMANDS) {
      Path summary = work.resolve("cluster-" + command + ".json");
      Path log = work.resolve("submit-cluster-" + command + ".log");
      Set<String> before = driverIds(masterJson());
      Process p = submit("cluster", command, s3.uri("lake-cluster"), summary, log).start();
      assertEquals(0, waitFor(p, log), "cluster-mode submission failed:\n" + tail(log));
      String driverId = newDriver(before, log);
      // FINISHED is the state of a driver JVM that exited 0; a non-zero exit is FAILED.
      String state = awaitDriver(driverId);
      assertEquals(
          "FINISHED", state, "driver " + driverId + " (" + command + "): " + driverLog(driverId));
      JsonNode s = JSON.readTree(summary.toFile());
      assertEquals("ok", s.get("status").asText());
      summaries.add(s);
    }
    verifyLake(s3.uri("lake-cluster"), summaries);
    assertNoSecretLeaked();
  }

  /** Table contents against the corpus manifest, and table versions against the run summaries. */
  private static void verifyLake(String lakeRoot, List<JsonNode> summaries) {
    for (JsonNode s : summaries) {
      assertEquals("ok", s.get("status").asText(), s.toString());
      assertEquals(lakeRoot, s.get("lake").asText());
    }
    Lake lake = new Lake(spark, lakeRoot);
    long bronze = lake.read(LakeTable.BRONZE_RECORDS).count();
    assertEquals(manifest.validRecords, bronze, "bronze rows = the manifest's valid records");
    var quarantine = lake.read(LakeTable.QUARANTINE);
    assertEquals(
        manifest.malformedTotal(),
        quarantine.filter(functions.col("stage").equalTo("ingest")).count(),
        "ingest quarantine = the manifest's malformed units");
    long cleaned = lake.read(LakeTable.SILVER_CLEANED).count();
    long cleanDropped = quarantine.filter(functions.col("stage").equalTo("clean")).count();
    assertTrue(cleaned > 0 && cleaned < bronze, "cleaned " + cleaned + " of " + bronze);
    assertEquals(bronze, cleaned + cleanDropped, "every bronze row is either cleaned or dropped");
    assertEquals(
        summaries.size(),
        lake.read(LakeTable.RUNS).filter(functions.col("status").equalTo("ok")).count(),
        "one ok run per submission");
    // Nightly went all the way: every uploaded corpus file recorded once, gold published.
    assertEquals(
        uploadedFiles,
        lake.read(LakeTable.INGESTED_FILES).count(),
        "ingested_files = the corpus files uploaded");
    assertTrue(lake.read(LakeTable.GOLD_TRAIN).count() > 0, "gold.train published");
    assertTrue(
        lake.read(LakeTable.SILVER_RECORDS).count() <= cleaned, "dedupe keeps at most cleaned");

    // The version and rows each run recorded are the tables' current state (no later writer).
    Map<String, JsonNode> lastRecorded = new LinkedHashMap<>();
    for (JsonNode s : summaries) {
      s.get("tables").fields().forEachRemaining(e -> lastRecorded.put(e.getKey(), e.getValue()));
    }
    for (LakeTable t : List.of(LakeTable.BRONZE_RECORDS, LakeTable.SILVER_CLEANED)) {
      JsonNode rec = lastRecorded.get(t.sqlName());
      assertTrue(rec != null, t.sqlName() + " not in any summary: " + lastRecorded.keySet());
      assertEquals(rec.get("version").asLong(), lake.version(t), t.sqlName() + " version");
      assertEquals(rec.get("rows").asLong(), lake.read(t).count(), t.sqlName() + " rows");
    }
  }

  /** The secret is in no log of the cluster (daemons, drivers, executors) nor any summary. */
  private static void assertNoSecretLeaked() throws IOException {
    String secret = s3.secretKey();
    List<Path> scanned = new ArrayList<>();
    try (Stream<Path> files = Files.walk(work)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        String name = f.getFileName().toString();
        if (!Files.isRegularFile(f)
            || f.startsWith(work.resolve("corpus"))
            || name.endsWith(".jar")
            || Files.size(f) > 64L << 20) {
          continue;
        }
        String text = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
        assertFalse(text.contains(secret), "the S3 secret key appears in " + f);
        scanned.add(f);
      }
    }
    // The scan covered what matters: executor stderr under the workers' work dirs, and summaries.
    assertTrue(
        scanned.stream().anyMatch(f -> f.toString().contains("/work/") && f.endsWith("stderr")),
        "no executor/driver stderr was scanned: " + scanned);
    assertTrue(scanned.stream().anyMatch(f -> f.toString().endsWith(".json")), "no summary");
  }

  private static ProcessBuilder submit(
      String deployMode, String command, String lakeRoot, Path summary, Path log) {
    List<String> cmd = new ArrayList<>();
    cmd.add(javaBin());
    cmd.addAll(List.of(JVM_FLAGS.split(" ")));
    cmd.add("-Xmx1g");
    // Spark's default logging (INFO): more driver output for the secret scan to cover.
    cmd.add("-cp");
    cmd.add(cluster.getProperty("SPARK_HOME") + "/jars/*");
    cmd.add("org.apache.spark.deploy.SparkSubmit");
    cmd.addAll(List.of("--master", cluster.getProperty("MASTER_URL")));
    cmd.addAll(List.of("--deploy-mode", deployMode));
    cmd.addAll(List.of("--class", "io.instructlake.jobs.Main"));
    cmd.addAll(List.of("--driver-memory", "1g", "--driver-cores", "1"));
    cmd.addAll(List.of("--executor-memory", "1g", "--executor-cores", "1"));
    cmd.addAll(List.of("--total-executor-cores", "2"));
    for (String c :
        List.of(
            "spark.ui.enabled=false",
            "spark.driver.host=127.0.0.1",
            "spark.sql.shuffle.partitions=4",
            "spark.databricks.delta.snapshotPartitions=1",
            "spark.driver.extraJavaOptions=" + JVM_FLAGS,
            "spark.executor.extraJavaOptions=" + JVM_FLAGS)) {
      cmd.addAll(List.of("--conf", c));
    }
    cmd.add(jar.toString());
    cmd.add(command);
    cmd.addAll(
        List.of("--lake", lakeRoot, "--input", s3.uri("raw"), "--summary", summary.toString()));
    // Endpoint and client settings only; the keys come from AWS_* in the environment.
    for (Map.Entry<String, String> e : s3.hadoopConfWithoutKeys().entrySet()) {
      cmd.addAll(List.of("--set", "hadoop.conf.\"" + e.getKey() + "\"=" + e.getValue()));
    }
    return process(cmd, log);
  }

  /**
   * A child process with the S3 keys in its environment (nowhere else) and output to {@code log}.
   */
  private static ProcessBuilder process(List<String> cmd, Path log) {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.redirectOutput(log.toFile());
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("AWS_"));
    env.put("AWS_ACCESS_KEY_ID", s3.accessKey());
    env.put("AWS_SECRET_ACCESS_KEY", s3.secretKey());
    env.put("SPARK_LOCAL_IP", "127.0.0.1");
    env.put("SPARK_SCALA_VERSION", "2.13");
    if (cluster != null) {
      env.put("SPARK_HOME", cluster.getProperty("SPARK_HOME"));
    }
    env.put("CLUSTER_TIMEOUT", "180");
    return pb;
  }

  private static int waitFor(Process p, Path log) throws Exception {
    if (!p.waitFor(SUBMIT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail("timed out after " + SUBMIT_TIMEOUT + ":\n" + tail(log));
    }
    return p.exitValue();
  }

  /** The master's state as its web UI reports it ({@code /json/}). */
  private static JsonNode masterJson() throws IOException {
    try (InputStream in =
        URI.create(cluster.getProperty("MASTER_WEBUI") + "/json/").toURL().openStream()) {
      return JSON.readTree(in);
    }
  }

  private static Set<String> driverIds(JsonNode master) {
    Set<String> ids = new TreeSet<>();
    for (String list : List.of("activedrivers", "completeddrivers")) {
      master.get(list).forEach(d -> ids.add(d.get("id").asText()));
    }
    return ids;
  }

  /** The id of the driver the submission created: from its output, else the master's new one. */
  private static String newDriver(Set<String> before, Path log) throws Exception {
    Matcher m = Pattern.compile("driver-\\d{14}-\\d{4}").matcher(Files.readString(log));
    if (m.find()) {
      return m.group();
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      Set<String> now = driverIds(masterJson());
      now.removeAll(before);
      if (!now.isEmpty()) {
        return now.iterator().next();
      }
      Thread.sleep(500);
    }
    return fail("no new driver on the master after the submission:\n" + tail(log));
  }

  /** Polls the master until the driver reaches a final state; returns it. */
  private static String awaitDriver(String driverId) throws Exception {
    long deadline = System.nanoTime() + SUBMIT_TIMEOUT.toNanos();
    String state = "UNKNOWN";
    while (System.nanoTime() < deadline) {
      JsonNode master = masterJson();
      for (JsonNode d : master.get("completeddrivers")) {
        if (driverId.equals(d.get("id").asText())) {
          return d.get("state").asText();
        }
      }
      for (JsonNode d : master.get("activedrivers")) {
        if (driverId.equals(d.get("id").asText())) {
          state = d.get("state").asText();
        }
      }
      Thread.sleep(1000);
    }
    fail(
        "driver "
            + driverId
            + " still "
            + state
            + " after "
            + SUBMIT_TIMEOUT
            + ": "
            + driverLog(driverId));
    return state;
  }

  private static String driverLog(String driverId) throws IOException {
    try (Stream<Path> files = Files.walk(clusterState.resolve("work"))) {
      Path stderr =
          files.filter(f -> f.endsWith(Path.of(driverId, "stderr"))).findFirst().orElse(null);
      return stderr == null ? "(no driver stderr)" : tail(stderr);
    }
  }

  private static String tail(Path f) throws IOException {
    if (!Files.exists(f)) {
      return "(missing " + f + ")";
    }
    List<String> lines = Files.readAllLines(f, StandardCharsets.ISO_8859_1);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
  }

  private static String javaBin() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }
}
