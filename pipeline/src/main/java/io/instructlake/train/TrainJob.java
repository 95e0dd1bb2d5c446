package io.instructlake.train;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.instructlake.PipelineException;
import io.instructlake.config.PipelineConfig;
import io.instructlake.export.HfExport;
import io.instructlake.export.Provenance;
import io.instructlake.lake.Lake;
import io.instructlake.lake.LakeTable;
import io.instructlake.lake.Run;
import io.instructlake.stage.Job;
import io.instructlake.train.data.ChatTemplate;
import io.instructlake.train.data.SftEncoder;
import io.instructlake.train.data.SftLoader;
import io.instructlake.train.data.TokenizerBuilder;
import io.instructlake.train.model.Batch;
import io.instructlake.train.model.LlamaConfig;
import io.instructlake.train.model.LlamaModel;
import io.instructlake.train.model.Safetensors;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
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
public final class TrainJob implements Job {
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

  @Override
  public void validate(PipelineConfig config) {
    TrainSettings s = TrainSettings.from(config.section("train"));
    if (s.bf16Mixed() && ai.djl.engine.Engine.getInstance().getGpuCount() == 0) {
      throw TrainSettings.bf16NeedsGpu("the PyTorch engine sees no GPU on this machine");
    }
  }

  @Override
  public void execute(Run run, PipelineConfig config) {
    TrainSettings s = TrainSettings.from(config.section("train"));
    if (s.threads() > 0) {
      System.setProperty("ai.djl.pytorch.num_threads", String.valueOf(s.threads()));
    }
    Lake lake = run.lake();
    LakeTable table = inputTable(lake, s);
    long version = lake.version(table);
    List<Conversation> convs = readConversations(lake.read(table), table, s.maxExamples());
    String outputUri = lake.sidePath("models/" + run.id());
    boolean local = isLocal(outputUri);
    Path outDir;
    try {
      outDir = local ? localPath(outputUri) : Files.createTempDirectory("instructlake-train-");
      Files.createDirectories(outDir);
    } catch (IOException e) {
      throw new PipelineException(
          "Cannot create " + outputUri, e.getMessage(), "check lake.root", e);
    }

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

    double finalLoss = Double.NaN;
    TrainMetrics metrics = new TrainMetrics(run.id());
    long start = System.nanoTime();
    try (NDManager nd = NDManager.newBaseManager();
        LlamaModel model = buildModel(s, tokenizer, nd);
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
      long tokens = 0;
      long startStep = trainer.step();
      long loopStart = System.nanoTime();
      while (trainer.step() < s.steps()) {
        double loss = 0;
        long stepTokens = 0;
        for (int k = 0; k < s.gradAccum(); k++) {
          Batch b = loader.next();
          loss += trainer.computeGradients(b) / s.gradAccum();
          stepTokens += b.realTokens();
        }
        Trainer.StepStats st = trainer.applyUpdate();
        tokens += stepTokens;
        finalLoss = loss;
        double secs = (System.nanoTime() - loopStart) / 1e9;
        double tps = tokens / Math.max(secs, 1e-9);
        long done = st.step() - startStep;
        double eta = secs / done * (s.steps() - st.step());
        metrics.add(st.step(), "loss", loss);
        metrics.add(st.step(), "lr", st.lr());
        metrics.add(st.step(), "grad_norm", st.gradNorm());
        metrics.add(st.step(), "tokens_per_s", tps);
        if (st.step() % s.logEvery() == 0 || st.step() == s.steps() || st.step() == 1) {
          out.printf(
              "train: step %d/%d loss %.4f lr %.2e tokens/s %.0f eta %s%n",
              st.step(), s.steps(), loss, st.lr(), tps, formatEta(eta));
        }
        if (s.checkpointEvery() > 0 && st.step() % s.checkpointEvery() == 0) {
          Checkpoints.save(ckptRoot, trainer, loader.position());
        }
      }
      Checkpoints.save(ckptRoot, trainer, loader.position());

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
              .put("train_config", renderSection(config));
      HfExport.writeModel(
          outDir.resolve("hf"), model.config(), model.mergedState(), tokenizer, prov);
      if (model.loraConfig() != null) {
        HfExport.writeAdapter(
            outDir.resolve("adapter"), model.loraConfig(), model.loraState(), s.baseModel(), prov);
      }
    }
    if (!local) {
      copyToLake(run, outDir, outputUri, Set.of());
    }
    Dataset<Row> df = lake.spark().createDataFrame(metrics.rows(), TrainMetrics.SCHEMA);
    run.append(LakeTable.METRICS, df);
    Map<String, Long> counts = new LinkedHashMap<>();
    counts.put("examples", (long) examples.size());
    counts.put("skipped_no_response_tokens", noLoss);
    counts.put("steps", (long) s.steps());
    run.recordStage("train", counts, (System.nanoTime() - start) / 1_000_000);
    run.summary().putDetail("train.output", outputUri);
    run.summary().putDetail("train.model", outputUri + "/hf");
    run.summary().putDetail("train.final_loss", finalLoss);
    run.summary().putDetail("train.input_table", table.sqlName());
    run.summary().putDetail("train.input_version", version);
  }

  /** One training conversation. */
  record Conversation(String system, List<ChatTemplate.Message> messages) {}

  /**
   * The table to train on: {@code train.input-table}, or with {@code auto} the first existing of
   * gold.train, silver.records, silver.cleaned, bronze.records. Shared with the data-parallel job.
   */
  public static LakeTable inputTable(Lake lake, TrainSettings s) {
    List<String> names =
        s.inputTable().equals("auto") ? TrainSettings.TABLE_ORDER : List.of(s.inputTable());
    for (String n : names) {
      LakeTable t =
          Arrays.stream(LakeTable.values())
              .filter(x -> x.sqlName().equals(n))
              .findFirst()
              .orElseThrow();
      if (lake.exists(t)) {
        return t;
      }
    }
    throw new PipelineException(
        "Cannot train",
        "no input table: " + String.join(", ", names) + " do(es) not exist in " + lake.root(),
        "run the data stages first (e.g. bin/pipeline demo) or set train.input-table");
  }

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

  /** Vocabulary size of a tokenizer.json: the largest id of its vocab or added tokens, plus 1. */
  static int vocabSize(Path tokenizerJson) {
    try {
      JsonObject o = JsonParser.parseString(Files.readString(tokenizerJson)).getAsJsonObject();
      int max = -1;
      JsonObject v = o.getAsJsonObject("model").getAsJsonObject("vocab");
      for (var e : v.entrySet()) {
        max = Math.max(max, e.getValue().getAsInt());
      }
      if (o.has("added_tokens")) {
        for (var e : o.getAsJsonArray("added_tokens")) {
          max = Math.max(max, e.getAsJsonObject().get("id").getAsInt());
        }
      }
      return max + 1;
    } catch (IOException | RuntimeException e) {
      throw new PipelineException(
          "Cannot read vocabulary of " + tokenizerJson,
          String.valueOf(e.getMessage()),
          "use a tokenizer.json with a vocab (WordLevel, BPE or WordPiece model)",
          e);
    }
  }

  private static LlamaModel buildModel(TrainSettings s, Path tokenizer, NDManager nd) {
    if ("random".equals(s.baseModel())) {
      return LlamaModel.create(
          s.randomModelConfig(vocabSize(tokenizer)), nd, DataType.FLOAT32, s.seed());
    }
    Path dir = Path.of(s.baseModel());
    LlamaConfig c = LlamaConfig.read(dir);
    return LlamaModel.fromTensors(c, nd, DataType.FLOAT32, Safetensors.readDir(dir));
  }

  /** {@code h:mm:ss} of a duration in seconds, for progress lines. */
  public static String formatEta(double seconds) {
    if (!Double.isFinite(seconds)) {
      return "?";
    }
    long t = Math.round(seconds);
    return String.format("%d:%02d:%02d", t / 3600, (t / 60) % 60, t % 60);
  }

  private static String renderSection(PipelineConfig config) {
    return config
        .raw()
        .getConfig("train")
        .root()
        .render(com.typesafe.config.ConfigRenderOptions.concise());
  }

  /** Whether a lake URI is a local path (no scheme, or {@code file:}). */
  public static boolean isLocal(String uri) {
    return !uri.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*") || uri.startsWith("file:");
  }

  /** The local path of a URI for which {@link #isLocal} holds. */
  public static Path localPath(String uri) {
    return uri.startsWith("file:") ? Path.of(URI.create(uri)) : Path.of(uri);
  }

  /**
   * Copies what was staged locally for a non-local lake (s3a://, dbfs:/, abfss://) into {@code
   * target} via Hadoop, entry by entry (so {@code target} may already exist, e.g. holding the
   * checkpoints data-parallel training wrote there), skipping the entries named in {@code skip};
   * then deletes the staging directory.
   */
  public static void copyToLake(Run run, Path staged, String target, Set<String> skip) {
    org.apache.hadoop.conf.Configuration conf =
        run.lake().spark().sparkContext().hadoopConfiguration();
    try (Stream<Path> children = Files.list(staged)) {
      for (Path c : children.toList()) {
        if (skip.contains(c.getFileName().toString())) {
          continue;
        }
        org.apache.hadoop.fs.Path dst =
            new org.apache.hadoop.fs.Path(target + "/" + c.getFileName());
        org.apache.hadoop.fs.FileSystem fs = dst.getFileSystem(conf);
        fs.delete(dst, true);
        fs.copyFromLocalFile(false, true, new org.apache.hadoop.fs.Path(c.toUri()), dst);
      }
      Checkpoints.deleteTree(staged);
    } catch (IOException e) {
      throw new PipelineException(
          "Cannot copy the trained model to " + target,
          e.toString(),
          "check that the lake is writable (fs.s3a.* settings, credentials)",
          e);
    }
  }
}
