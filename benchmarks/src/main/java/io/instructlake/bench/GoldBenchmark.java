package io.instructlake.bench;

import io.instructlake.config.PipelineConfig;
import io.instructlake.gold.StableHash;
import io.instructlake.lake.Lake;
import io.instructlake.lake.LakeTable;
import io.instructlake.lake.RecordSchema;
import io.instructlake.lake.Run;
import io.instructlake.publish.PublishJob;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;

/**
 * Benchmark of {@code publish} (split, augment with synonym/EDA/template, balance by duplication)
 * against a copy-through job (read silver, write gold.train) on the same silver table in the same
 * run. {@code args[0]}: result path prefix (writes {@code .md} and {@code .json}); {@code args[1]}
 * (optional): records, default 5000.
 */
public final class GoldBenchmark {
  private GoldBenchmark() {}

  public static void main(String[] args) throws IOException {
    String outPrefix = args.length > 0 ? args[0] : "gold-benchmark";
    int n = args.length > 1 ? Integer.parseInt(args[1]) : 5000;
    Path dir = Files.createTempDirectory("gold-bench-");
    SparkSession spark = BenchSessions.local("local[*]", "gold-benchmark", 4);
    Lake lake = new Lake(spark, dir.resolve("lake").toString());
    lake.overwrite(LakeTable.SILVER_RECORDS, records(spark, n), "bench");
    PipelineConfig config = PipelineConfig.builder().optEnvironment(Map.of()).build();

    long t0 = System.nanoTime();
    lake.overwrite(LakeTable.GOLD_EVAL, lake.read(LakeTable.SILVER_RECORDS), "copy");
    double copySec = (System.nanoTime() - t0) / 1e9;

    long t1 = System.nanoTime();
    Run run = Run.start(lake, "publish", config, null);
    new PublishJob().step(config).execute(run);
    run.succeed();
    double publishSec = (System.nanoTime() - t1) / 1e9;
    long trainRows = lake.read(LakeTable.GOLD_TRAIN).count();
    spark.stop();

    String md =
        String.format(
            Locale.ROOT,
            "# gold publish benchmark%n%n| records | copy-through s | publish s | ratio | gold.train"
                + " rows |%n|---|---|---|---|---|%n| %d | %.1f | %.1f | %.1f | %d |%n",
            n,
            copySec,
            publishSec,
            publishSec / copySec,
            trainRows);
    String json =
        String.format(
            Locale.ROOT,
            "{\"records\": %d, \"copy_s\": %.3f, \"publish_s\": %.3f, \"ratio\": %.3f,"
                + " \"gold_train_rows\": %d}%n",
            n,
            copySec,
            publishSec,
            publishSec / copySec,
            trainRows);
    Files.writeString(Path.of(outPrefix + ".md"), md, StandardCharsets.UTF_8);
    Files.writeString(Path.of(outPrefix + ".json"), json, StandardCharsets.UTF_8);
    System.out.print(md);
  }

  private static final String[] EN = {
    "Explain how a car engine works in simple words",
    "Describe the big house near the quiet river",
    "Write a short story about a happy dog that finds a lost ball",
    "Give some reasons why regular exercise is good for health"
  };
  private static final String[] ZH = {"请解释汽车发动机的工作原理", "写一个关于快乐的小狗的故事", "分析股票市场的风险，并提出合理的投资建议"};

  static Dataset<Row> records(SparkSession spark, int n) {
    List<Row> rows = new ArrayList<>();
    Timestamp ts = Timestamp.valueOf("2026-01-01 00:00:00");
    for (int i = 0; i < n; i++) {
      boolean zh = i % 3 == 2;
      String prompt = (zh ? ZH[i % ZH.length] : EN[i % EN.length]) + " #" + i;
      String response = "answer " + i;
      int c = i % 10;
      List<Row> msgs =
          List.of(RowFactory.create("user", prompt), RowFactory.create("assistant", response));
      rows.add(
          RowFactory.create(
              StableHash.id("bench", prompt),
              "bench.jsonl",
              (long) i + 1,
              "alpaca",
              null,
              scala.jdk.javaapi.CollectionConverters.asScala(msgs).toSeq(),
              null,
              prompt,
              response,
              i % 4 == 3 ? "neg" : "pos",
              c < 6 ? "finance" : c < 9 ? "medical" : "law",
              "bench",
              ts,
              zh ? "zh" : "en"));
    }
    return spark.createDataFrame(rows, RecordSchema.BRONZE.add("lang", DataTypes.StringType, true));
  }
}
