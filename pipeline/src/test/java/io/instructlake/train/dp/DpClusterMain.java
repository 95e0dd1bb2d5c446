package io.instructlake.train.dp;

import io.instructlake.config.PipelineConfig;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Child driver JVM of the multi-JVM tests (started by {@link ClusterHarness} with SPARK_HOME in its
 * environment): runs {@link DataParallelTrainer} on {@code local-cluster[W,1,1024]} over {@link
 * DpTestData} and writes the metrics to {@code <out>/metrics.tsv}.
 *
 * <p>Args: outDir workers steps checkpointEvery faultStep gpuScript(or "-") [jitterSeeds]. With
 * {@code jitterSeeds} (comma-separated, 0 = no jitter), the same training runs once per seed on the
 * same cluster: the first into outDir, the n-th (n >= 1) into {@code outDir-n}.
 */
public final class DpClusterMain {
  private DpClusterMain() {}

  public static void main(String[] args) throws Exception {
    Path out = Path.of(args[0]);
    int workers = Integer.parseInt(args[1]);
    int steps = Integer.parseInt(args[2]);
    int ckptEvery = Integer.parseInt(args[3]);
    long faultStep = Long.parseLong(args[4]);
    String gpuScript = args[5];
    SparkSession.Builder b =
        SparkSession.builder()
            .master("local-cluster[" + workers + ",1,1024]")
            .appName("dp-test")
            .config("spark.ui.enabled", "false")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.sql.shuffle.partitions", "2")
            .config("spark.executor.extraClassPath", System.getProperty("dp.executor.classpath"))
            .config("spark.executor.extraJavaOptions", System.getProperty("dp.executor.opts"));
    if (!"-".equals(gpuScript)) {
      b.config("spark.worker.resource.gpu.amount", "2")
          .config("spark.worker.resource.gpu.discoveryScript", gpuScript)
          .config("spark.executor.resource.gpu.amount", "1")
          .config("spark.executor.resource.gpu.discoveryScript", gpuScript)
          .config("spark.task.resource.gpu.amount", "1");
    }
    SparkSession spark = b.getOrCreate();
    try {
      List<Row> rows = new ArrayList<>();
      for (String[] r : DpTestData.rows()) {
        rows.add(RowFactory.create(r[0], r[1], r[2]));
      }
      StructType schema =
          new StructType()
              .add("record_id", DataTypes.StringType)
              .add("prompt", DataTypes.StringType)
              .add("response", DataTypes.StringType);
      Dataset<Row> df = spark.createDataFrame(rows, schema).repartition(3);
      PipelineConfig config = DpTestData.config(workers, steps, ckptEvery);
      String[] seeds = args.length > 6 ? args[6].split(",") : new String[] {"0"};
      for (int n = 0; n < seeds.length; n++) {
        Path dir = n == 0 ? out : Path.of(out + "-" + n);
        DataParallelTrainer.Builder tb =
            DataParallelTrainer.builder()
                .setTrainConfig(config.section("train"))
                .setOutputDir(dir)
                .optTimingJitter(Long.parseLong(seeds[n]));
        if (faultStep > 0) {
          tb.optFaultInjection(faultStep, dir.resolve("fault"));
        }
        DataParallelTrainer.Result res = tb.build().train(spark, df);
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(dir.resolve("metrics.tsv")))) {
          for (DpMetric m : res.metrics()) {
            w.printf(
                "%d\t%d\t%d\t%s\t%s%n",
                m.rank(), m.stageAttempt(), m.step(), m.metric(), Double.toString(m.value()));
          }
        }
      }
    } finally {
      spark.stop();
    }
  }
}
