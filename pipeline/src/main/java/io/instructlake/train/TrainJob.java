package io.instructlake.train;

import ai.djl.ndarray.NDManager;
import io.instructlake.PipelineException;
import io.instructlake.config.PipelineConfig;
import io.instructlake.export.Provenance;
import io.instructlake.lake.Lake;
import io.instructlake.lake.LakeTable;
import io.instructlake.lake.Run;
import io.instructlake.stage.Job;
import io.instructlake.train.data.ChatTemplate;
import io.instructlake.train.data.SftEncoder;
import io.instructlake.train.data.SftLoader;
import io.instructlake.train.data.TokenizerBuilder;
import io.instructlake.train.model.LlamaModel;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * The {@code train} command (single worker): reads prompt/response rows (or {@code messages}
 * conversations) from the input table, tokenizes them with a chat template, fine-tunes a model
 * (random-init tiny model or a local HF checkpoint) for {@code train.steps} steps with a progress
 * line, appends per-step metrics to the {@code metrics} table and exports the result under {@code
 * <lake>/_state/models/<run id>/}: {@code hf/} (HF model directory; merged weights for LoRA),
 * {@code adapter/} (PEFT, LoRA only), {@code checkpoints/}, each export with {@code
 * provenance.json}.
 */
public final class TrainJob implements Job<TrainSettings> {
  private final PrintStream out;

  public TrainJob() {
    this(System.out);
  }

  /** A job that prints its progress lines to {@code out}. */
  public TrainJob(PrintStream out) {
    this.out = out;
  }

  @Override
  public String name() {
    return "train";
  }

  /** The {@code train} section; {@code bf16-mixed} is refused here when no GPU is seen. */
  @Override
  public TrainSettings options(PipelineConfig config) {
    TrainSettings s = TrainSettings.from(config.section("train"));
    if (s.bf16Mixed() && ai.djl.engine.Engine.getInstance().getGpuCount() == 0) {
      throw TrainSettings.bf16NeedsGpu("the PyTorch engine sees no GPU on this machine");
    }
    return s;
  }

  @Override
  public TrainResult execute(Run run, TrainSettings s) {
    if (s.threads() > 0) {
      System.setProperty("ai.djl.pytorch.num_threads", String.valueOf(s.threads()));
    }
    Lake lake = run.lake();
    LakeTable table = TrainInput.table(lake, s);
    long version = lake.version(table);
    List<Conversation> convs = readConversations(lake.read(table), table, s.maxExamples());
    ModelOutput output = ModelOutput.of(run);
    Path outDir = output.dir();

    Path tokenizer = tokenizerPath(s, convs, outDir);
    List<SftEncoder.Encoded> examples = new ArrayList<>();
    long noLoss = 0;
    try (SftEncoder enc = new SftEncoder(tokenizer, s.template(), s.maxSeqLen())) {
      for (Conversation c : convs) {
        SftEncoder.Encoded e = enc.encode(c.system(), c.messages());
        if (e.trainableTokens() == 0) {
          noLoss++;
        } else {
          examples.add(e);
        }
      }
    }
    if (examples.isEmpty()) {
      throw new PipelineException(
          "Cannot train on " + table.sqlName(),
          "none of its " + convs.size() + " rows has a response token left after truncation",
          "check the prompt/response columns or raise train.max-seq-len");
    }

    double finalLoss;
    TrainMetrics metrics = new TrainMetrics(run.id());
    long start = System.nanoTime();
    try (NDManager nd = NDManager.newBaseManager();
        LlamaModel model = Models.build(s, vocabSize(tokenizer), nd);
        Trainer trainer = new Trainer(model, s.trainerOptions())) {
      s.applyPrecision(model);
      SftLoader loader = new SftLoader(examples, s.batchSize(), s.maxSeqLen(), s.pack(), s.seed());
      Path ckptRoot = outDir.resolve("checkpoints");
      if (!s.resumeFrom().isEmpty()) {
        Path from =
            Checkpoints.latest(Path.of(s.resumeFrom()))
                .orElseThrow(
                    () ->
                        new PipelineException(
                            "Cannot resume training",
                            "no complete checkpoint under " + s.resumeFrom(),
                            "fix train.resume-from or leave it empty"));
        loader.seek(Checkpoints.restore(from, trainer));
        out.println("train: resumed from " + from + " at step " + trainer.step());
      }
      out.printf(
          "train: %s, %d examples (%d without response tokens skipped), %s, %d params (%d"
              + " trainable), %d steps%n",
          table.sqlName(),
          examples.size(),
          noLoss,
          model.config().architecture(),
          model.config().parameterCount(),
          trainer.gradientSize(),
          s.steps());
      long[] tokens = {0};
      finalLoss =
          TrainingLoop.builder()
              .setTrainer(trainer)
              .setLoader(loader)
              .setSteps(s.steps())
              .optGradAccum(s.gradAccum())
              .optListener(
                  new TrainingLoop.Listener() {
                    @Override
                    public void onStep(TrainingLoop.Step st) {
                      tokens[0] += st.tokens();
                      double tps = tokens[0] / Math.max(st.sinceStartNanos() / 1e9, 1e-9);
                      metrics.add(st.step(), "loss", st.loss());
                      metrics.add(st.step(), "lr", st.lr());
                      metrics.add(st.step(), "grad_norm", st.gradNorm());
                      metrics.add(st.step(), "tokens_per_s", tps);
                      if (TrainingLoop.logs(st, s.logEvery())) {
                        out.println(TrainingLoop.progressLine("train", st, st.loss(), tps));
                      }
                    }
                  })
              .optListener(
                  new CheckpointListener(
                      trainer,
                      loader,
                      s.checkpointEvery(),
                      (t, position) -> Checkpoints.save(ckptRoot, t, position)))
              .build()
              .run();

      Provenance prov =
          Provenance.create()
              .put("run_id", run.id())
              .put("input_table", table.sqlName())
              .put("input_version", version)
              .put("seed", s.seed())
              .put("steps", trainer.step())
              .put("final_loss", finalLoss)
              .put("method", s.method().name().toLowerCase(java.util.Locale.ROOT))
              .put("base_model", s.baseModel())
              .put("train_config", s.source());
      ModelExport.write(outDir, model, tokenizer, s, prov);
    }
    output.publish(run, Set.of());
    Dataset<Row> df = lake.spark().createDataFrame(metrics.rows(), TrainMetrics.SCHEMA);
    run.append(LakeTable.METRICS, df);
    Map<String, Long> counts = new LinkedHashMap<>();
    counts.put("examples", (long) examples.size());
    counts.put("skipped_no_response_tokens", noLoss);
    counts.put("steps", (long) s.steps());
    run.recordStage("train", counts, (System.nanoTime() - start) / 1_000_000);
    return new TrainResult(
        output.uri(), output.uri() + "/hf", finalLoss, table.sqlName(), version, 1);
  }

  /** One training conversation. */
  record Conversation(String system, List<ChatTemplate.Message> messages) {}

  static List<Conversation> readConversations(Dataset<Row> df, LakeTable table, int max) {
    List<String> cols = Arrays.asList(df.columns());
    boolean hasPair = cols.contains("prompt") && cols.contains("response");
    boolean hasMessages = cols.contains("messages");
    if (!hasPair && !hasMessages) {
      throw new PipelineException(
          "Cannot train on " + table.sqlName(),
          "it has neither prompt/response nor messages columns (has " + cols + ")",
          "point train.input-table at a table with the bronze record schema");
    }
    List<org.apache.spark.sql.Column> sel = new ArrayList<>();
    sel.add(
        cols.contains("system")
            ? functions.col("system")
            : functions.lit(null).cast("string").as("system"));
    sel.add(hasPair ? functions.col("prompt") : functions.lit(null).cast("string").as("prompt"));
    sel.add(
        hasPair ? functions.col("response") : functions.lit(null).cast("string").as("response"));
    if (hasMessages) {
      sel.add(functions.col("messages"));
    }
    Dataset<Row> d = df.select(sel.toArray(new org.apache.spark.sql.Column[0]));
    if (cols.contains("record_id")) {
      d = df.orderBy("record_id").select(sel.toArray(new org.apache.spark.sql.Column[0]));
    }
    if (max > 0) {
      d = d.limit(max);
    }
    List<Conversation> out = new ArrayList<>();
    for (Row r : d.collectAsList()) {
      List<ChatTemplate.Message> msgs = new ArrayList<>();
      if (hasMessages && !r.isNullAt(3)) {
        for (Object o : r.getList(3)) {
          Row m = (Row) o;
          String role = m.getString(m.fieldIndex("role"));
          String content = m.getString(m.fieldIndex("content"));
          if (role != null && content != null) {
            msgs.add(new ChatTemplate.Message(role, content));
          }
        }
      }
      if (msgs.stream().noneMatch(m -> m.role().equals("assistant"))) {
        msgs.clear();
        String p = r.getString(1);
        String a = r.getString(2);
        if (p == null || a == null || a.isEmpty()) {
          continue;
        }
        msgs.add(new ChatTemplate.Message("user", p));
        msgs.add(new ChatTemplate.Message("assistant", a));
      }
      out.add(new Conversation(r.getString(0), msgs));
    }
    return out;
  }

  private static Path tokenizerPath(TrainSettings s, List<Conversation> convs, Path outDir) {
    if (!s.tokenizer().isEmpty()) {
      return Path.of(s.tokenizer());
    }
    if (!"random".equals(s.baseModel())) {
      Path t = Path.of(s.baseModel()).resolve("tokenizer.json");
      if (Files.exists(t)) {
        return t;
      }
    }
    List<String> texts = new ArrayList<>();
    for (Conversation c : convs) {
      texts.add(c.system());
      for (ChatTemplate.Message m : c.messages()) {
        texts.add(m.content());
      }
    }
    Path t = outDir.resolve("tokenizer.json");
    TokenizerBuilder.write(texts, s.vocabSize(), t);
    return t;
  }

  /** Vocabulary size of a tokenizer.json file (see {@link Models#vocabSize}). */
  static int vocabSize(Path tokenizerJson) {
    try {
      return Models.vocabSize(Files.readString(tokenizerJson));
    } catch (IOException e) {
      throw new PipelineException(
          "Cannot read " + tokenizerJson, e.toString(), "check train.tokenizer", e);
    }
  }
}
