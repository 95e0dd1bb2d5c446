package io.instructlake.bench;

import io.instructlake.config.PipelineConfig;
import io.instructlake.dist.LoopbackBandwidth;
import io.instructlake.train.dp.DataParallelTrainer;
import io.instructlake.train.dp.DpMetric;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Benchmark of data-parallel training through the real Spark path: {@code local-cluster[W,1,M]} (W
 * executor JVMs on this machine), the ~30M-parameter model of the engine benchmark (hidden 512, 8
 * layers, 8 heads, 2 KV heads, SwiGLU 1376, vocab 8192 from a synthetic corpus), per-rank batch 4 x
 * 256, fp32. Reports, from rank 0's per-step metrics after one warm-up step, the share of step time
 * spent in the gradient all-reduce, the blocked-waiting part, and the all-reduce bus bandwidth
 * against raw loopback TCP measured in the same run (baseline).
 *
 * <p>Usage: {@code DataParallelBenchmark OUT.md [workers] [steps]}. Without SPARK_HOME it builds
 * one (symbolic links to this classpath's jars) and re-runs itself with it set.
 */
public final class DataParallelBenchmark {
  private DataParallelBenchmark() {}

  public static void main(String[] args) throws Exception {
    int w = args.length > 1 ? Integer.parseInt(args[1]) : 2;
    int steps = args.length > 2 ? Integer.parseInt(args[2]) : 6;
    if (System.getenv("SPARK_HOME") == null) {
      System.exit(relaunch(args));
    }
    Path out = Path.of(args[0]);
    Path work = Files.createTempDirectory("dp-bench-");
    double loop1 = LoopbackBandwidth.oneWay(512L << 20) / 1e9;
    double loop2 = LoopbackBandwidth.bothWays(512L << 20) / 1e9;
    SparkSession spark =
        SparkSession.builder()
            .master("local-cluster[" + w + ",1,2048]")
            .appName("dp-bench")
            .config("spark.ui.enabled", "false")
            .config("spark.driver.host", "127.0.0.1")
            .config(
                "spark.executor.extraClassPath", System.getProperty("dp.executor.classpath", ""))
            .config("spark.executor.extraJavaOptions", System.getProperty("dp.executor.opts", ""))
            .getOrCreate();
    List<DpMetric> metrics;
    try {
      Random r = new Random(1);
      List<Row> rows = new ArrayList<>();
      for (int i = 0; i < 64 * w; i++) {
        StringBuilder p = new StringBuilder();
        StringBuilder a = new StringBuilder();
        for (int k = 0; k < 120; k++) {
          p.append(" w").append(r.nextInt(8000));
          a.append(" w").append(r.nextInt(8000));
        }
        rows.add(RowFactory.create(String.format("r%05d", i), p.toString(), a.toString()));
      }
      StructType schema =
          new StructType()
              .add("record_id", DataTypes.StringType)
              .add("prompt", DataTypes.StringType)
              .add("response", DataTypes.StringType);
      PipelineConfig c =
          PipelineConfig.defaults()
              .with("train.workers", w)
              .with("train.steps", steps)
              .with("train.model.hidden-size", 512)
              .with("train.model.intermediate-size", 1376)
              .with("train.model.layers", 8)
              .with("train.model.heads", 8)
              .with("train.model.kv-heads", 2)
              .with("train.model.tie-embeddings", false)
              .with("train.vocab-size", 8192)
              .with("train.max-seq-len", 256)
              .with("train.batch-size", 4)
              .with("train.threads", 1);
      metrics =
          DataParallelTrainer.builder()
              .setTrainConfig(c.section("train"))
              .setOutputDir(work)
              .build()
              .train(spark, spark.createDataFrame(rows, schema))
              .metrics();
    } finally {
      spark.stop();
    }
    double compute = 0;
    double allreduce = 0;
    double wait = 0;
    double update = 0;
    int n = 0;
    for (DpMetric m : metrics) {
      if (m.rank() != 0 || m.step() < 2) {
        continue; // step 1 is warm-up
      }
      switch (m.metric()) {
        case "compute_ms" -> {
          compute += m.value();
          n++;
        }
        case "allreduce_ms" -> allreduce += m.value();
        case "wait_ms" -> wait += m.value();
        case "update_ms" -> update += m.value();
        default -> {}
      }
    }
    long params = 0;
    for (DpMetric m : metrics) {
      if (m.metric().equals("gradient_floats") && m.rank() == 0) {
        params = (long) m.value();
      }
    }
    double step = (compute + allreduce + update) / n / 1000; // seconds
    double arS = allreduce / n / 1000;
    double busbw = 4.0 * params * 2 * (w - 1) / w / arS / 1e9;
    String md =
        String.format(
            Locale.ROOT,
            "| W | params | steps timed | step s | compute s | all-reduce s | all-reduce share |"
                + " waiting s | busbw GB/s | loopback 1 stream GB/s | 2 streams GB/s each |"
                + " busbw / 1 stream |%n|---|---|---|---|---|---|---|---|---|---|---|---|%n"
                + "| %d | %d | %d | %.3f | %.3f | %.3f | %.1f%% | %.3f | %.3f | %.3f | %.3f | %.2f |%n",
            w,
            params,
            n,
            step,
            compute / n / 1000,
            arS,
            100 * arS / step,
            wait / n / 1000,
            busbw,
            loop1,
            loop2,
            busbw / loop1);
    String json =
        String.format(
            Locale.ROOT,
            "{\"benchmark\":\"dataparallel\",\"workers\":%d,\"params\":%d,\"steps_timed\":%d,"
                + "\"step_s\":%.4f,\"compute_s\":%.4f,\"allreduce_s\":%.4f,\"allreduce_share\":%.4f,"
                + "\"wait_s\":%.4f,\"busbw_gbps\":%.4f,\"loopback_one_way_gbps\":%.4f,"
                + "\"loopback_both_ways_gbps\":%.4f}",
            w,
            params,
            n,
            step,
            compute / n / 1000,
            arS,
            arS / step,
            wait / n / 1000,
            busbw,
            loop1,
            loop2);
    System.out.print(md);
    System.out.println(json);
    Files.writeString(out, md + "\n```json\n" + json + "\n```\n");
    Files.writeString(Path.of(out + ".json"), json + "\n");
  }

  private static int relaunch(String[] args) throws Exception {
    Path home = Files.createTempDirectory("dp-spark-home-");
    Path jars = Files.createDirectories(home.resolve("jars"));
    List<String> dirs = new ArrayList<>();
    int i = 0;
    String cp = System.getProperty("java.class.path");
    for (String e : cp.split(File.pathSeparator)) {
      Path p = Path.of(e).toAbsolutePath();
      if (Files.isDirectory(p)) {
        dirs.add(p.toString());
      } else if (p.toString().endsWith(".jar") && Files.exists(p)) {
        Files.createSymbolicLink(jars.resolve(String.format("%04d-%s", i++, p.getFileName())), p);
      }
    }
    String opens =
        "--add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED"
            + " --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED"
            + " --add-opens=java.base/java.lang=ALL-UNNAMED";
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx1g");
    cmd.addAll(List.of(opens.split(" ")));
    cmd.add("-Ddp.executor.classpath=" + String.join(File.pathSeparator, dirs));
    cmd.add("-Ddp.executor.opts=-Dai.djl.offline=true " + opens);
    cmd.add("-cp");
    cmd.add(cp);
    cmd.add(DataParallelBenchmark.class.getName());
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).inheritIO();
    pb.environment().put("SPARK_HOME", home.toString());
    pb.environment().put("SPARK_SCALA_VERSION", "2.13");
    pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    return pb.start().waitFor();
  }
}
