package io.instructlake.train;

import ai.djl.ndarray.types.DataType;
import io.instructlake.config.ConfigError;
import io.instructlake.config.ConfigReader;
import io.instructlake.train.data.ChatTemplate;
import io.instructlake.train.data.TokenizerBuilder;
import io.instructlake.train.model.LlamaConfig;
import io.instructlake.train.model.LlamaModel;
import io.instructlake.train.model.LoraConfig;
import java.util.List;

/**
 * The {@code train} section, typed and validated (every bad value names its key). Defaults and
 * documentation live in {@code instructlake/train.conf}.
 */
public record TrainSettings(
    String inputTable,
    int maxExamples,
    String baseModel,
    String architecture,
    int hiddenSize,
    int intermediateSize,
    int layers,
    int heads,
    int kvHeads,
    double ropeTheta,
    boolean tieEmbeddings,
    String tokenizer,
    int vocabSize,
    ChatTemplate template,
    int maxSeqLen,
    int batchSize,
    boolean pack,
    int steps,
    TrainerOptions.Method method,
    LoraConfig lora,
    int freezeLayers,
    double learningRate,
    int warmupSteps,
    double minLrRatio,
    double weightDecay,
    double maxGradNorm,
    int gradAccum,
    long seed,
    int threads,
    int checkpointEvery,
    String resumeFrom,
    int logEvery,
    String precision,
    String source) {

  /** {@code train.precision} value for bf16 compute over fp32 master weights (GPU only). */
  public static final String BF16_MIXED = "bf16-mixed";

  /**
   * Reads and validates {@code train.*}; {@link #source} keeps the section as read (concise JSON),
   * for provenance and for the data-parallel tasks, which read it again on their executors.
   */
  public static TrainSettings from(ConfigReader r) {
    ConfigReader m = r.section("model");
    ConfigReader l = r.section("lora");
    String method = r.oneOf("method", "full", "lora");
    LoraConfig lora;
    try {
      lora =
          new LoraConfig(
              l.intValue("r", 1, 4096),
              l.doubleValue("alpha", 0, 1e6),
              l.doubleValue("dropout", 0, 0.99),
              l.bool("rslora"),
              l.stringList("targets"));
    } catch (IllegalArgumentException e) {
      throw ConfigError.badValue(l.key("targets"), l.stringList("targets"), e.getMessage());
    }
    int heads = m.intValue("heads", 1, 1024);
    int kv = m.intValue("kv-heads", 1, 1024);
    if (heads % kv != 0) {
      throw ConfigError.badValue(
          m.key("kv-heads"), kv, "a divisor of " + m.key("heads") + " = " + heads);
    }
    int hidden = m.intValue("hidden-size", 2, 65536);
    if (hidden % heads != 0 || (hidden / heads) % 2 != 0) {
      throw ConfigError.badValue(
          m.key("hidden-size"), hidden, "a multiple of 2 x heads (" + heads + ") for RoPE");
    }
    int layers = m.intValue("layers", 1, 1000);
    int freeze = r.intValue("freeze-layers", 0, 1000);
    if (freeze > layers && "random".equals(r.string("base-model"))) {
      throw ConfigError.badValue(
          r.key("freeze-layers"), freeze, "at most model.layers = " + layers);
    }
    ChatTemplate template;
    try {
      template = ChatTemplate.of(r.string("template"));
    } catch (IllegalArgumentException e) {
      throw ConfigError.badValue(
          r.key("template"), r.string("template"), "alpaca, chatml or deepseek");
    }
    String input =
        r.oneOf(
            "input-table",
            "auto",
            "gold.train",
            "silver.records",
            "silver.cleaned",
            "bronze.records");
    return new TrainSettings(
        input,
        r.intValue("max-examples", 0, Integer.MAX_VALUE),
        r.string("base-model"),
        m.oneOf("architecture", "llama", "qwen2"),
        hidden,
        m.intValue("intermediate-size", 1, 1 << 20),
        layers,
        heads,
        kv,
        m.doubleValue("rope-theta", 1, 1e9),
        m.bool("tie-embeddings"),
        r.string("tokenizer"),
        r.intValue("vocab-size", TokenizerBuilder.SPECIALS.size() + 1, 1 << 22),
        template,
        r.intValue("max-seq-len", 2, 1 << 20),
        r.intValue("batch-size", 1, 1 << 16),
        r.bool("pack"),
        r.intValue("steps", 1, Integer.MAX_VALUE),
        method.equals("lora") ? TrainerOptions.Method.LORA : TrainerOptions.Method.FULL,
        lora,
        freeze,
        r.doubleValue("learning-rate", 1e-12, 10),
        r.intValue("warmup-steps", 0, Integer.MAX_VALUE),
        r.fraction("min-lr-ratio"),
        r.doubleValue("weight-decay", 0, 10),
        r.doubleValue("max-grad-norm", 0, 1e9),
        r.intValue("grad-accum", 1, 1 << 16),
        r.longValue("seed", Long.MIN_VALUE, Long.MAX_VALUE),
        r.intValue("threads", 0, 1024),
        r.intValue("checkpoint-every", 0, Integer.MAX_VALUE),
        r.string("resume-from"),
        r.intValue("log-every", 1, Integer.MAX_VALUE),
        r.oneOf("precision", "fp32", BF16_MIXED),
        r.raw().root().render(com.typesafe.config.ConfigRenderOptions.concise()));
  }

  /** Whether {@code train.precision} asks for bf16 mixed precision. */
  public boolean bf16Mixed() {
    return BF16_MIXED.equals(precision);
  }

  /**
   * Applies {@code train.precision} to a freshly built model.
   *
   * @throws ConfigError naming {@code train.precision} when bf16 is asked for on a CPU
   */
  public void applyPrecision(LlamaModel model) {
    if (!bf16Mixed()) {
      return;
    }
    if (!model.manager().getDevice().isGpu()) {
      throw bf16NeedsGpu("this trainer runs on " + model.manager().getDevice());
    }
    model.setComputeType(DataType.BFLOAT16);
  }

  /** The error for {@code train.precision = bf16-mixed} where no GPU will train. */
  public static ConfigError bf16NeedsGpu(String why) {
    return ConfigError.badValue(
        "train.precision",
        BF16_MIXED,
        "fp32 (bf16-mixed needs a GPU and "
            + why
            + "; bf16 arrays crash DJL's PyTorch engine on CPU)");
  }

  /** Trainer options for these settings. */
  public TrainerOptions trainerOptions() {
    TrainerOptions.Builder b =
        TrainerOptions.builder()
            .setTotalSteps(steps)
            .optLearningRate(learningRate)
            .optWarmupSteps(warmupSteps)
            .optMinLrRatio(minLrRatio)
            .optWeightDecay(weightDecay)
            .optMaxGradNorm(maxGradNorm)
            .optGradAccum(gradAccum)
            .optFreezeLayers(freezeLayers)
            .optSeed(seed);
    if (method == TrainerOptions.Method.LORA) {
      b.optLora(lora);
    }
    return b.build();
  }

  /** Config of the random-init model for a vocabulary size. */
  public LlamaConfig randomModelConfig(int vocab) {
    return LlamaConfig.builder()
        .optArchitecture(architecture.equals("qwen2") ? LlamaConfig.QWEN2 : LlamaConfig.LLAMA)
        .setVocabSize(vocab)
        .setHiddenSize(hiddenSize)
        .setIntermediateSize(intermediateSize)
        .setNumLayers(layers)
        .setNumHeads(heads)
        .optNumKvHeads(kvHeads)
        .optRopeTheta(ropeTheta)
        .optTieWordEmbeddings(tieEmbeddings)
        .optMaxPositions(Math.max(2048, maxSeqLen))
        .build();
  }

  static final List<String> TABLE_ORDER =
      List.of("gold.train", "silver.records", "silver.cleaned", "bronze.records");
}
