package io.instructlake.train.dp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instructlake.config.ConfigError;
import io.instructlake.config.PipelineConfig;
import io.instructlake.lake.Lake;
import io.instructlake.lake.LakeTable;
import io.instructlake.lake.Run;
import io.instructlake.testkit.SparkTestBase;
import io.instructlake.train.Checkpoints;
import io.instructlake.train.TrainJob;
import io.instructlake.train.TrainResult;
import io.instructlake.train.model.HostTensor;
import io.instructlake.train.model.Safetensors;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * The {@code train --workers W} job in this JVM with one worker (a barrier stage of one task on
 * {@code local[2]}): it must produce exactly the weights of the single-worker {@code train} job on
 * the same table and config, append per-rank and global metrics, and export an HF model directory.
 */
class DataParallelTrainJobTest extends SparkTestBase {
  static final StructType SCHEMA =
      new StructType()
          .add("record_id", DataTypes.StringType)
          .add("system", DataTypes.StringType)
          .add("prompt", DataTypes.StringType)
          .add("response", DataTypes.StringType);

  @Test
  void oneWorkerEqualsTheTrainJobAndRecordsMetrics() throws Exception {
    Lake lake = newLake("dp");
    List<Row> rows = new ArrayList<>();
    for (String[] r : DpTestData.rows()) {
      rows.add(RowFactory.create(r[0], null, r[1], r[2]));
    }
    lake.append(LakeTable.SILVER_RECORDS, spark.createDataFrame(rows, SCHEMA), "test");
    PipelineConfig cfg = DpTestData.config(1, 6, 0).with("train.threads", 0);

    // The plain job first: the engine starts on this thread, so the task thread of the
    // data-parallel job must set its own grad mode (a regression check of that).
    Run one = Run.start(lake, "train", cfg, null);
    new TrainJob(new PrintStream(new ByteArrayOutputStream())).step(cfg).execute(one);
    one.succeed();

    Run dpRun = Run.start(lake, "train", cfg, null);
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    DataParallelTrainJob job =
        new DataParallelTrainJob(new PrintStream(buf, true, StandardCharsets.UTF_8));
    assertEquals("train", job.name(), "data-parallel runs are recorded as train runs");
    job.step(cfg).execute(dpRun);
    dpRun.succeed();
    String log = buf.toString(StandardCharsets.UTF_8);
    assertTrue(log.contains("train-dp: step 6/6 loss "), log);

    TrainResult dpResult = dpRun.summary().result(TrainResult.class).orElseThrow();
    // Both paths report the same typed result: the table and the version they trained on.
    assertEquals("silver.records", dpResult.inputTable());
    assertEquals(lake.version(LakeTable.SILVER_RECORDS), dpResult.inputVersion());
    assertEquals(dpResult.output() + "/hf", dpResult.model());
    Path dpOut = Path.of(dpResult.output());
    Path oneOut = Path.of(one.summary().result(TrainResult.class).orElseThrow().output());
    Map<String, HostTensor> a = weights(dpOut);
    Map<String, HostTensor> b = weights(oneOut);
    assertEquals(b.keySet(), a.keySet());
    for (String n : b.keySet()) {
      assertArrayEquals(b.get(n).data(), a.get(n).data(), 0f, n);
    }
    assertTrue(Files.exists(dpOut.resolve("hf").resolve("model.safetensors")));

    List<Row> m =
        lake.read(LakeTable.METRICS)
            .filter("command = 'train' and run_id = '" + dpRun.id() + "'")
            .collectAsList();
    for (String name : List.of("loss", "tokens_per_s", "rank0.loss", "rank0.allreduce_ms")) {
      long steps = m.stream().filter(r -> r.getString(3).equals(name)).count();
      assertEquals(6, steps, name);
    }
    double last =
        m.stream()
            .filter(r -> r.getString(3).equals("loss") && r.getLong(2) == 6)
            .findFirst()
            .orElseThrow()
            .getDouble(4);
    assertEquals(last, dpRun.summary().result(TrainResult.class).orElseThrow().finalLoss(), 0);
    // The live progress line from rank 0 (through the driver's progress socket), with the global
    // loss of the step as the metrics table has it (there through a float all-reduce).
    Matcher live =
        Pattern.compile("train-dp: step 6/6 loss (\\S+) lr \\S+ tokens/s \\d+ eta 0:00:00")
            .matcher(log);
    assertTrue(live.find(), log);
    assertEquals(last, Double.parseDouble(live.group(1)), 1e-4);
    assertTrue(log.contains("train-dp: step 1/6 loss "), log);

    // bf16 mixed precision on executors without GPUs fails at start, naming the key and why.
    PipelineConfig bf16 = cfg.with("train.precision", "bf16-mixed");
    Run bad = Run.start(lake, "train", bf16, null);
    ConfigError e = assertThrows(ConfigError.class, () -> job.step(bf16).execute(bad));
    bad.fail(e);
    assertTrue(
        e.getMessage().contains("train.precision")
            && e.getMessage().contains("spark.executor.resource.gpu.amount"),
        e.getMessage());
  }

  /**
   * With LoRA, data-parallel training exports what the single worker does, through the same export
   * step: the merged HF model and the PEFT adapter (config and weights), the same bits.
   */
  @Test
  void withLoraBothExportTheSameMergedModelAndPeftAdapter() throws Exception {
    Lake lake = newLake("dp-lora");
    List<Row> rows = new ArrayList<>();
    for (String[] r : DpTestData.rows()) {
      rows.add(RowFactory.create(r[0], null, r[1], r[2]));
    }
    lake.append(LakeTable.SILVER_RECORDS, spark.createDataFrame(rows, SCHEMA), "test");
    PipelineConfig cfg =
        DpTestData.config(1, 3, 0)
            .with("train.threads", 0)
            .with("train.method", "lora")
            .with("train.lora.dropout", 0.0);
    Run one = Run.start(lake, "train", cfg, null);
    new TrainJob(new PrintStream(new ByteArrayOutputStream())).step(cfg).execute(one);
    one.succeed();
    Run dp = Run.start(lake, "train", cfg, null);
    new DataParallelTrainJob(new PrintStream(new ByteArrayOutputStream())).step(cfg).execute(dp);
    dp.succeed();
    Path a = Path.of(one.summary().result(TrainResult.class).orElseThrow().output());
    Path b = Path.of(dp.summary().result(TrainResult.class).orElseThrow().output());
    for (String f : List.of("adapter/adapter_model.safetensors", "hf/model.safetensors")) {
      assertTrue(Files.exists(b.resolve(f)), "data-parallel export lacks " + f);
      Map<String, HostTensor> x = Safetensors.read(a.resolve(f));
      Map<String, HostTensor> y = Safetensors.read(b.resolve(f));
      assertEquals(x.keySet(), y.keySet(), f);
      for (String n : x.keySet()) {
        assertArrayEquals(x.get(n).data(), y.get(n).data(), 0f, f + ": " + n);
      }
    }
    assertEquals(
        Files.readString(a.resolve("adapter/adapter_config.json")),
        Files.readString(b.resolve("adapter/adapter_config.json")));
  }

  private static Map<String, HostTensor> weights(Path out) {
    Path c = Checkpoints.latest(out.resolve("checkpoints")).orElseThrow();
    return Safetensors.read(c.resolve("weights.safetensors"));
  }
}
