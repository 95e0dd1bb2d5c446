package io.instructlake.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.google.gson.JsonParser;
import io.instructlake.PipelineException;
import io.instructlake.config.ConfigError;
import io.instructlake.config.PipelineConfig;
import io.instructlake.lake.Lake;
import io.instructlake.lake.LakeTable;
import io.instructlake.lake.Run;
import io.instructlake.testkit.SparkTestBase;
import io.instructlake.train.model.Batch;
import io.instructlake.train.model.LlamaConfig;
import io.instructlake.train.model.LlamaModel;
import io.instructlake.train.model.Safetensors;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

class TrainJobTest extends SparkTestBase {
  static final StructType MESSAGE =
      new StructType().add("role", DataTypes.StringType).add("content", DataTypes.StringType);
  static final StructType SCHEMA =
      new StructType()
          .add("record_id", DataTypes.StringType)
          .add("system", DataTypes.StringType)
          .add("messages", DataTypes.createArrayType(MESSAGE))
          .add("prompt", DataTypes.StringType)
          .add("response", DataTypes.StringType);

  private static Lake shared;

  /** One lake with a silver.records table, shared by the tests (each run has its own output). */
  static synchronized Lake lakeWithRecords(String unused) {
    if (shared != null) {
      return shared;
    }
    Lake lake = newLake("records");
    List<Row> rows = new ArrayList<>();
    String[][] pairs = {
      {"What is the capital of France?", "Paris is the capital of France."},
      {"Name three primary colors.", "Red, blue and yellow."},
      {"What is two plus two?", "Two plus two is four."},
      {"计算 利息", "利息 等于 本金 乘 利率"},
      {"Who wrote Hamlet?", "Shakespeare wrote Hamlet."},
      {"What color is the sky?", "The sky is blue."},
    };
    for (int i = 0; i < pairs.length; i++) {
      rows.add(RowFactory.create("r" + i, null, null, pairs[i][0], pairs[i][1]));
    }
    rows.add(
        RowFactory.create(
            "r9",
            "Be brief.",
            List.of(
                RowFactory.create("user", "Hi"),
                RowFactory.create("assistant", "Hello."),
                RowFactory.create("user", "Bye"),
                RowFactory.create("assistant", "Goodbye.")),
            "Hi",
            "Hello."));
    rows.add(RowFactory.create("r10", null, null, "No answer here", ""));
    Dataset<Row> df = spark.createDataFrame(rows, SCHEMA);
    lake.append(LakeTable.SILVER_RECORDS, df, "test");
    shared = lake;
    return lake;
  }

  static PipelineConfig config(String... sets) {
    PipelineConfig.Builder b =
        PipelineConfig.builder()
            .optEnvironment(Map.of())
            .optSet("train.model.hidden-size", "32")
            .optSet("train.model.intermediate-size", "64")
            .optSet("train.model.layers", "2")
            .optSet("train.batch-size", "4")
            .optSet("train.max-seq-len", "48")
            .optSet("train.learning-rate", "0.01")
            .optSet("train.warmup-steps", "3")
            .optSet("train.log-every", "10");
    for (String s : sets) {
      b.optSet(s);
    }
    return b.build();
  }

  @Test
  void trainsExportsAndRecordsMetrics() throws Exception {
    Lake lake = lakeWithRecords("full");
    PipelineConfig cfg = config("train.steps=30", "train.pack=true");
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    TrainJob job = new TrainJob(new PrintStream(buf, true, StandardCharsets.UTF_8));
    Run run = Run.start(lake, "train", cfg, null);
    job.step(cfg).execute(run);
    run.succeed();
    String log = buf.toString(StandardCharsets.UTF_8);
    System.out.print(log);
    assertTrue(log.contains("7 examples (0 without response tokens skipped)"), log);
    assertTrue(log.contains("train: step 30/30 loss "), log);
    assertTrue(log.contains(" tokens/s ") && log.contains(" eta 0:00:00"), log);

    List<Row> losses =
        lake.read(LakeTable.METRICS)
            .filter("metric = 'loss' and command = 'train' and run_id = '" + run.id() + "'")
            .orderBy("step")
            .collectAsList();
    assertEquals(30, losses.size());
    double first = losses.get(0).getDouble(losses.get(0).fieldIndex("value"));
    double last = losses.get(29).getDouble(losses.get(29).fieldIndex("value"));
    assertTrue(last < first * 0.5, "loss fell from " + first + " to " + last);
    assertEquals(last, run.summary().result(TrainResult.class).orElseThrow().finalLoss(), 1e-12);

    Path out = Path.of(run.summary().result(TrainResult.class).orElseThrow().output());
    Path hf = out.resolve("hf");
    for (String f :
        List.of("config.json", "model.safetensors", "tokenizer.json", "provenance.json")) {
      assertTrue(Files.exists(hf.resolve(f)), f);
    }
    assertTrue(Checkpoints.latest(out.resolve("checkpoints")).isPresent());
    var prov =
        JsonParser.parseString(Files.readString(hf.resolve("provenance.json"))).getAsJsonObject();
    assertEquals("silver.records", prov.get("input_table").getAsString());
    assertEquals(lake.version(LakeTable.SILVER_RECORDS), prov.get("input_version").getAsLong());
    try (NDManager nd = NDManager.newBaseManager();
        LlamaModel m =
            LlamaModel.fromTensors(
                LlamaConfig.read(hf), nd, DataType.FLOAT32, Safetensors.readDir(hf))) {
      assertEquals(32, m.config().hiddenSize());
      float[] logits = m.logits(Batch.ofRows(new long[][] {{5, 6, 7}}), null).toFloatArray();
      for (float v : logits) {
        assertTrue(Float.isFinite(v));
      }
    }
  }

  @Test
  void loraRunWritesPeftAdapter() {
    Lake lake = lakeWithRecords("lora");
    PipelineConfig cfg =
        config(
            "train.steps=3",
            "train.method=lora",
            "train.template=deepseek",
            "train.input-table=silver.records");
    Run run = Run.start(lake, "train", cfg, null);
    new TrainJob(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))
        .step(cfg)
        .execute(run);
    run.succeed();
    Path out = Path.of(run.summary().result(TrainResult.class).orElseThrow().output());
    assertTrue(Files.exists(out.resolve("adapter/adapter_model.safetensors")));
    assertTrue(
        Safetensors.read(out.resolve("adapter/adapter_model.safetensors"))
            .containsKey("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight"));
  }

  @Test
  void badSettingsAndMissingInputFailClearly() {
    ConfigError e =
        assertThrows(
            ConfigError.class, () -> new TrainJob().options(config("train.model.kv-heads=3")));
    assertTrue(e.getMessage().contains("train.model.kv-heads"), e.getMessage());
    ConfigError t =
        assertThrows(
            ConfigError.class, () -> new TrainJob().options(config("train.template=vicuna")));
    assertTrue(t.getMessage().contains("train.template"), t.getMessage());
    ConfigError p16 =
        assertThrows(
            ConfigError.class, () -> new TrainJob().options(config("train.precision=fp16")));
    assertTrue(p16.getMessage().contains("train.precision"), p16.getMessage());
    // bf16 mixed precision is GPU-only (a bf16 array crashes DJL on CPU): refused at start here.
    PipelineConfig bf16 = config("train.precision=bf16-mixed");
    if (ai.djl.engine.Engine.getInstance().getGpuCount() == 0) {
      ConfigError b = assertThrows(ConfigError.class, () -> new TrainJob().options(bf16));
      assertTrue(
          b.getMessage().contains("train.precision") && b.getMessage().contains("no GPU"),
          b.getMessage());
    } else {
      new TrainJob().options(bf16);
    }
    Lake empty = newLake("empty");
    PipelineConfig cfg = config();
    Run run = Run.start(empty, "train", cfg, null);
    PipelineException p =
        assertThrows(PipelineException.class, () -> new TrainJob().step(cfg).execute(run));
    assertTrue(p.getMessage().contains("no input table"), p.getMessage());
  }
}
