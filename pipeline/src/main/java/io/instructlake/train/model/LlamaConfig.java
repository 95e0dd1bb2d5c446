package io.instructlake.train.model;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.instructlake.PipelineException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Architecture of a Llama-family decoder, read from and written to an HF {@code config.json}
 * ({@code LlamaForCausalLM}, {@code Qwen2ForCausalLM}; DeepSeek-R1-Distill models use these). Built
 * with {@link #builder()}: sizes are required ({@code setX}), the rest optional ({@code optX},
 * defaults documented on each method).
 */
public final class LlamaConfig {
  /** HF architecture names this engine understands. */
  public static final String LLAMA = "LlamaForCausalLM";

  public static final String QWEN2 = "Qwen2ForCausalLM";

  private final String architecture;
  private final int vocabSize;
  private final int hiddenSize;
  private final int intermediateSize;
  private final int numLayers;
  private final int numHeads;
  private final int numKvHeads;
  private final int headDim;
  private final double rmsNormEps;
  private final double ropeTheta;
  private final int maxPositions;
  private final boolean tieWordEmbeddings;
  private final boolean attentionBias;
  private final double initializerRange;
  private final int bosTokenId;
  private final int eosTokenId;

  private LlamaConfig(Builder b) {
    architecture = b.architecture;
    vocabSize = b.vocabSize;
    hiddenSize = b.hiddenSize;
    intermediateSize = b.intermediateSize;
    numLayers = b.numLayers;
    numHeads = b.numHeads;
    numKvHeads = b.numKvHeads == 0 ? b.numHeads : b.numKvHeads;
    headDim = b.headDim == 0 ? b.hiddenSize / b.numHeads : b.headDim;
    rmsNormEps = b.rmsNormEps;
    ropeTheta = b.ropeTheta;
    maxPositions = b.maxPositions;
    tieWordEmbeddings = b.tieWordEmbeddings;
    attentionBias = b.attentionBias == null ? QWEN2.equals(b.architecture) : b.attentionBias;
    initializerRange = b.initializerRange;
    bosTokenId = b.bosTokenId;
    eosTokenId = b.eosTokenId;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Parses an HF config.json text. */
  public static LlamaConfig fromJson(String json) {
    JsonObject o = JsonParser.parseString(json).getAsJsonObject();
    String arch = LLAMA;
    if (o.has("architectures") && o.getAsJsonArray("architectures").size() > 0) {
      arch = o.getAsJsonArray("architectures").get(0).getAsString();
    } else if (o.has("model_type") && "qwen2".equals(o.get("model_type").getAsString())) {
      arch = QWEN2;
    }
    if (!arch.equals(LLAMA) && !arch.equals(QWEN2)) {
      throw new PipelineException(
          "Cannot build model from config.json",
          "architecture " + arch + " is not supported",
          "use a " + LLAMA + " or " + QWEN2 + " checkpoint");
    }
    Builder b =
        builder()
            .optArchitecture(arch)
            .setVocabSize(o.get("vocab_size").getAsInt())
            .setHiddenSize(o.get("hidden_size").getAsInt())
            .setIntermediateSize(o.get("intermediate_size").getAsInt())
            .setNumLayers(o.get("num_hidden_layers").getAsInt())
            .setNumHeads(o.get("num_attention_heads").getAsInt());
    if (has(o, "num_key_value_heads")) {
      b.optNumKvHeads(o.get("num_key_value_heads").getAsInt());
    }
    if (has(o, "head_dim")) {
      b.optHeadDim(o.get("head_dim").getAsInt());
    }
    if (has(o, "rms_norm_eps")) {
      b.optRmsNormEps(o.get("rms_norm_eps").getAsDouble());
    }
    if (has(o, "rope_theta")) {
      b.optRopeTheta(o.get("rope_theta").getAsDouble());
    }
    if (has(o, "max_position_embeddings")) {
      b.optMaxPositions(o.get("max_position_embeddings").getAsInt());
    }
    if (has(o, "tie_word_embeddings")) {
      b.optTieWordEmbeddings(o.get("tie_word_embeddings").getAsBoolean());
    }
    if (has(o, "attention_bias")) {
      b.optAttentionBias(o.get("attention_bias").getAsBoolean());
    }
    if (has(o, "initializer_range")) {
      b.optInitializerRange(o.get("initializer_range").getAsDouble());
    }
    if (has(o, "bos_token_id")) {
      b.optBosTokenId(firstInt(o.get("bos_token_id")));
    }
    if (has(o, "eos_token_id")) {
      b.optEosTokenId(firstInt(o.get("eos_token_id")));
    }
    if (has(o, "rope_scaling")) {
      throw new PipelineException(
          "Cannot build model from config.json",
          "rope_scaling is set (" + o.get("rope_scaling") + ") and is not implemented",
          "use a checkpoint without rope_scaling");
    }
    return b.build();
  }

  /** Reads {@code dir/config.json}. */
  public static LlamaConfig read(Path dir) {
    try {
      return fromJson(Files.readString(dir.resolve("config.json")));
    } catch (IOException e) {
      throw new PipelineException(
          "Cannot read " + dir.resolve("config.json"), e.getMessage(), "check the model dir", e);
    }
  }

  /** The HF config.json text (fp32 weights). */
  public String toJson() {
    JsonObject o = new JsonObject();
    JsonArray arch = new JsonArray();
    arch.add(architecture);
    o.add("architectures", arch);
    o.addProperty("model_type", architecture.equals(QWEN2) ? "qwen2" : "llama");
    o.addProperty("vocab_size", vocabSize);
    o.addProperty("hidden_size", hiddenSize);
    o.addProperty("intermediate_size", intermediateSize);
    o.addProperty("num_hidden_layers", numLayers);
    o.addProperty("num_attention_heads", numHeads);
    o.addProperty("num_key_value_heads", numKvHeads);
    o.addProperty("head_dim", headDim);
    o.addProperty("hidden_act", "silu");
    o.addProperty("rms_norm_eps", rmsNormEps);
    o.addProperty("rope_theta", ropeTheta);
    o.addProperty("max_position_embeddings", maxPositions);
    o.addProperty("tie_word_embeddings", tieWordEmbeddings);
    if (!architecture.equals(QWEN2)) {
      o.addProperty("attention_bias", attentionBias);
      o.addProperty("mlp_bias", false);
    }
    o.addProperty("initializer_range", initializerRange);
    o.addProperty("bos_token_id", bosTokenId);
    o.addProperty("eos_token_id", eosTokenId);
    o.addProperty("torch_dtype", "float32");
    o.addProperty("use_cache", true);
    return new GsonBuilder().setPrettyPrinting().create().toJson(o);
  }

  private static boolean has(JsonObject o, String k) {
    return o.has(k) && !o.get(k).isJsonNull();
  }

  private static int firstInt(JsonElement e) {
    return e.isJsonArray() ? e.getAsJsonArray().get(0).getAsInt() : e.getAsInt();
  }

  public String architecture() {
    return architecture;
  }

  public int vocabSize() {
    return vocabSize;
  }

  public int hiddenSize() {
    return hiddenSize;
  }

  public int intermediateSize() {
    return intermediateSize;
  }

  public int numLayers() {
    return numLayers;
  }

  public int numHeads() {
    return numHeads;
  }

  public int numKvHeads() {
    return numKvHeads;
  }

  public int headDim() {
    return headDim;
  }

  public double rmsNormEps() {
    return rmsNormEps;
  }

  public double ropeTheta() {
    return ropeTheta;
  }

  public int maxPositions() {
    return maxPositions;
  }

  public boolean tieWordEmbeddings() {
    return tieWordEmbeddings;
  }

  public boolean attentionBias() {
    return attentionBias;
  }

  public double initializerRange() {
    return initializerRange;
  }

  public int bosTokenId() {
    return bosTokenId;
  }

  public int eosTokenId() {
    return eosTokenId;
  }

  /** Number of parameters of the base model. */
  public long parameterCount() {
    long h = hiddenSize;
    long q = (long) numHeads * headDim;
    long kv = (long) numKvHeads * headDim;
    long perLayer = 2 * h + h * q + 2 * h * kv + q * h + 3 * h * intermediateSize;
    if (attentionBias) {
      perLayer += q + 2 * kv;
    }
    long emb = (long) vocabSize * h;
    return emb + (tieWordEmbeddings ? 0 : emb) + h + numLayers * perLayer;
  }

  /** Builder; see {@link LlamaConfig}. */
  public static final class Builder {
    private String architecture = LLAMA;
    private int vocabSize;
    private int hiddenSize;
    private int intermediateSize;
    private int numLayers;
    private int numHeads;
    private int numKvHeads;
    private int headDim;
    private double rmsNormEps = 1e-6;
    private double ropeTheta = 10000.0;
    private int maxPositions = 2048;
    private boolean tieWordEmbeddings;
    private Boolean attentionBias;
    private double initializerRange = 0.02;
    private int bosTokenId = 1;
    private int eosTokenId = 2;

    private Builder() {}

    public Builder setVocabSize(int v) {
      vocabSize = v;
      return this;
    }

    public Builder setHiddenSize(int v) {
      hiddenSize = v;
      return this;
    }

    public Builder setIntermediateSize(int v) {
      intermediateSize = v;
      return this;
    }

    public Builder setNumLayers(int v) {
      numLayers = v;
      return this;
    }

    public Builder setNumHeads(int v) {
      numHeads = v;
      return this;
    }

    /** Default {@link #LLAMA}; {@link #QWEN2} turns QKV bias on unless set. */
    public Builder optArchitecture(String v) {
      architecture = v;
      return this;
    }

    /** Key/value heads for grouped-query attention; default = number of heads. */
    public Builder optNumKvHeads(int v) {
      numKvHeads = v;
      return this;
    }

    /** Default hidden / heads. */
    public Builder optHeadDim(int v) {
      headDim = v;
      return this;
    }

    /** Default 1e-6. */
    public Builder optRmsNormEps(double v) {
      rmsNormEps = v;
      return this;
    }

    /** Default 10000. */
    public Builder optRopeTheta(double v) {
      ropeTheta = v;
      return this;
    }

    /** Default 2048. */
    public Builder optMaxPositions(int v) {
      maxPositions = v;
      return this;
    }

    /** Default false. */
    public Builder optTieWordEmbeddings(boolean v) {
      tieWordEmbeddings = v;
      return this;
    }

    /** Default: true for Qwen2, false for Llama. */
    public Builder optAttentionBias(boolean v) {
      attentionBias = v;
      return this;
    }

    /** Std-dev of the normal init; default 0.02. */
    public Builder optInitializerRange(double v) {
      initializerRange = v;
      return this;
    }

    /** Default 1. */
    public Builder optBosTokenId(int v) {
      bosTokenId = v;
      return this;
    }

    /** Default 2. */
    public Builder optEosTokenId(int v) {
      eosTokenId = v;
      return this;
    }

    public LlamaConfig build() {
      positive("vocab_size", vocabSize);
      positive("hidden_size", hiddenSize);
      positive("intermediate_size", intermediateSize);
      positive("num_hidden_layers", numLayers);
      positive("num_attention_heads", numHeads);
      int kv = numKvHeads == 0 ? numHeads : numKvHeads;
      if (kv <= 0 || numHeads % kv != 0) {
        throw new IllegalArgumentException(
            "num_key_value_heads " + kv + " must divide num_attention_heads " + numHeads);
      }
      int hd = headDim == 0 ? (numHeads == 0 ? 0 : hiddenSize / numHeads) : headDim;
      if (hd <= 0 || hd % 2 != 0 || (headDim == 0 && hiddenSize % numHeads != 0)) {
        throw new IllegalArgumentException(
            "head_dim " + hd + " must be even and positive (hidden_size " + hiddenSize + ")");
      }
      if (!(rmsNormEps > 0) || !(ropeTheta > 0)) {
        throw new IllegalArgumentException(
            "rms_norm_eps " + rmsNormEps + " and rope_theta " + ropeTheta + " must be > 0");
      }
      return new LlamaConfig(this);
    }

    private static void positive(String key, int v) {
      if (v <= 0) {
        throw new IllegalArgumentException(key + " must be > 0, got " + v);
      }
    }
  }
}
