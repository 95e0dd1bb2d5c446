package io.instructlake.train.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import io.instructlake.PipelineException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;

/**
 * A Llama-family decoder (Llama, Qwen2, DeepSeek-R1-Distill) on DJL's PyTorch engine: token
 * embedding, per layer RMSNorm, grouped-query attention with rotary position embeddings and a
 * causal + padding + packing mask, RMSNorm, SwiGLU MLP; final RMSNorm and LM head (optionally tied
 * to the embedding). Optional QKV bias (Qwen2). Optional LoRA adapters on any linear projection.
 *
 * <p>The network is a tree of DJL blocks mirroring HF's modules ({@link #block()}: {@code
 * LlamaBlock} over {@code EmbeddingBlock}, {@code DecoderLayerBlock} = {@code RmsNormBlock} +
 * {@code AttentionBlock} + {@code RmsNormBlock} + {@code MlpBlock}, with {@code ProjectionBlock}
 * for every linear layer). DJL ships no causal decoder block (its {@code TransformerEncoderBlock}
 * uses BatchNorm and drops masks after the first layer), so these blocks are ours, written with DJL
 * operators (torch {@code linear}, {@code embedding}, {@code matmul}, {@code softmax}) that DJL's
 * autograd differentiates. Their DJL {@code Parameter}s are named by HF names ({@code
 * model.layers.0.self_attn.q_proj.weight}, ...; LoRA {@code <module>.lora_A.weight} / {@code
 * <module>.lora_B.weight}); this class gives them their arrays (safetensors or random init) and
 * exposes them by name for the trainer, checkpoints and export.
 *
 * <p>fp32 on CPU (bf16 arrays crash DJL on CPU); fp64 is supported for gradient checks. Mixed
 * precision ({@link #setComputeType}): the parameters stay fp32 masters (so gradients and AdamW are
 * fp32) while the forward pass casts each weight to bf16 (fp16 for tests on CPU) where it is used
 * and keeps activations in that type, up to the logits; the log-softmax and the loss run in fp32.
 * DJL's {@code toType} detaches from autograd (checked on DJL 0.35.1: the cast of a parameter has
 * no gradient function), so (1) the half copies are leaves of their own, whose gradients {@link
 * #gradient(String)} reads back as fp32 and which {@link #refreshComputeCopies()} recasts after the
 * masters change (the classic master-weights scheme); (2) the only fp32 island is the loss, reached
 * by type promotion; unlike HF, RMSNorm and the attention softmax stay in the compute type, since
 * no differentiable downcast exists in DJL (PyTorch's reduction and softmax kernels still
 * accumulate bf16 in fp32 internally).
 */
public final class LlamaModel implements AutoCloseable {
  private final LlamaConfig config;
  private final NDManager manager;
  private final DataType dtype;
  private DataType computeType;
  private final Map<Parameter, NDArray> computeCopies = new HashMap<>();
  private final Map<String, NDArray> params = new LinkedHashMap<>();
  private final Map<String, NDArray> lora = new LinkedHashMap<>();
  private final LlamaBlock block;
  private final ParameterStore store;
  private final Map<String, Parameter> parameters; // every block parameter by HF name
  private LoraConfig loraConfig;

  /** Source of dropout masks for LoRA inputs (the trainer's seeded RNG); null = no dropout. */
  public interface DropoutSource {
    /** A {@code keep / (1 - p)} mask of the given shape for the named module. */
    NDArray mask(NDManager manager, Shape shape, DataType dtype, String module);
  }

  private LlamaModel(LlamaConfig config, NDManager parent, DataType dtype) {
    if (dtype != DataType.FLOAT32 && dtype != DataType.FLOAT64) {
      throw new IllegalArgumentException(
          "dtype " + dtype + " unsupported on this path (fp32 for training, fp64 for checks)");
    }
    this.config = config;
    this.manager = parent.newSubManager();
    this.dtype = dtype;
    this.computeType = dtype;
    this.block = new LlamaBlock(config);
    this.parameters = new LinkedHashMap<>(block.hfParameters());
    this.store = new ParameterStore(this.manager, false);
  }

  /**
   * Gives the block parameter named {@code name} its array (the array keeps its HF name; its
   * identity never changes afterwards: loads and optimizer steps write into it in place).
   */
  private NDArray bind(String name, NDArray array) {
    Parameter p = parameters.get(name);
    if (p == null) {
      throw new IllegalStateException("the block tree has no parameter named " + name);
    }
    p.setArray(array);
    array.setName(name);
    return array;
  }

  /** The HF names and shapes of every base parameter, in HF order. */
  public static Map<String, long[]> expectedShapes(LlamaConfig c) {
    Map<String, long[]> s = new LinkedHashMap<>();
    long h = c.hiddenSize();
    long q = (long) c.numHeads() * c.headDim();
    long kv = (long) c.numKvHeads() * c.headDim();
    long i = c.intermediateSize();
    s.put("model.embed_tokens.weight", new long[] {c.vocabSize(), h});
    for (int l = 0; l < c.numLayers(); l++) {
      String p = "model.layers." + l + ".";
      s.put(p + "input_layernorm.weight", new long[] {h});
      s.put(p + "self_attn.q_proj.weight", new long[] {q, h});
      if (c.attentionBias()) {
        s.put(p + "self_attn.q_proj.bias", new long[] {q});
      }
      s.put(p + "self_attn.k_proj.weight", new long[] {kv, h});
      if (c.attentionBias()) {
        s.put(p + "self_attn.k_proj.bias", new long[] {kv});
      }
      s.put(p + "self_attn.v_proj.weight", new long[] {kv, h});
      if (c.attentionBias()) {
        s.put(p + "self_attn.v_proj.bias", new long[] {kv});
      }
      s.put(p + "self_attn.o_proj.weight", new long[] {h, q});
      s.put(p + "post_attention_layernorm.weight", new long[] {h});
      s.put(p + "mlp.gate_proj.weight", new long[] {i, h});
      s.put(p + "mlp.up_proj.weight", new long[] {i, h});
      s.put(p + "mlp.down_proj.weight", new long[] {h, i});
    }
    s.put("model.norm.weight", new long[] {h});
    if (!c.tieWordEmbeddings()) {
      s.put("lm_head.weight", new long[] {c.vocabSize(), h});
    }
    return s;
  }

  /**
   * A randomly initialized model: weights ~ N(0, initializer_range) from {@code seed} (each tensor
   * seeded by seed and name, so adding tensors does not shift others), norms 1, biases 0.
   */
  public static LlamaModel create(LlamaConfig c, NDManager parent, DataType dtype, long seed) {
    Map<String, HostTensor> w = new LinkedHashMap<>();
    for (Map.Entry<String, long[]> e : expectedShapes(c).entrySet()) {
      String n = e.getKey();
      float[] v = new float[Math.toIntExact(HostTensor.numel(e.getValue()))];
      if (n.endsWith("layernorm.weight") || n.equals("model.norm.weight")) {
        Arrays.fill(v, 1f);
      } else if (!n.endsWith(".bias")) {
        Random r = new Random(seed * 1_000_003L + n.hashCode());
        for (int k = 0; k < v.length; k++) {
          v[k] = (float) (r.nextGaussian() * c.initializerRange());
        }
      }
      w.put(n, new HostTensor(v, e.getValue()));
    }
    return fromTensors(c, parent, dtype, w);
  }

  /**
   * A model from HF-named tensors (e.g. {@link Safetensors#readDir}). Every expected name must be
   * present with its shape; {@code lm_head.weight} is ignored when embeddings are tied.
   */
  public static LlamaModel fromTensors(
      LlamaConfig c, NDManager parent, DataType dtype, Map<String, HostTensor> tensors) {
    LlamaModel m = new LlamaModel(c, parent, dtype);
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, long[]> e : expectedShapes(c).entrySet()) {
      HostTensor t = tensors.get(e.getKey());
      if (t == null) {
        problems.add("missing " + e.getKey());
      } else if (!Arrays.equals(t.shape(), e.getValue())) {
        problems.add(
            e.getKey()
                + " has shape "
                + Arrays.toString(t.shape())
                + ", config needs "
                + Arrays.toString(e.getValue()));
      } else {
        m.params.put(e.getKey(), m.bind(e.getKey(), m.toArray(e.getKey(), t)));
      }
    }
    if (!problems.isEmpty()) {
      m.close();
      throw new PipelineException(
          "Cannot load model weights",
          String.join("; ", problems.subList(0, Math.min(5, problems.size())))
              + (problems.size() > 5 ? " (+" + (problems.size() - 5) + " more)" : ""),
          "check that config.json matches the checkpoint");
    }
    return m;
  }

  private NDArray toArray(String name, HostTensor t) {
    NDArray a = manager.create(t.data(), new Shape(t.shape()));
    if (dtype != DataType.FLOAT32) {
      NDArray b = a.toType(dtype, true);
      a.close();
      a = b;
    }
    a.setName(name);
    return a;
  }

  /**
   * Adds LoRA adapters: A ~ U(-1/sqrt(in), 1/sqrt(in)) (PEFT's kaiming-uniform default), B = 0, so
   * the model equals the base until B moves. Pass {@code tensors} to load saved adapters instead
   * (keys {@code <module>.lora_A.weight}).
   */
  public void addLora(LoraConfig cfg, long seed, Map<String, HostTensor> tensors) {
    if (loraConfig != null) {
      throw new IllegalStateException("LoRA already added");
    }
    loraConfig = cfg;
    for (String module : loraModules(cfg)) {
      long[] w = shape(module + ".weight");
      String ka = module + ".lora_A.weight";
      String kb = module + ".lora_B.weight";
      HostTensor a;
      HostTensor b;
      if (tensors != null) {
        a = tensors.get(ka);
        b = tensors.get(kb);
        if (a == null || b == null) {
          throw new PipelineException(
              "Cannot load LoRA adapter", "missing " + ka + " or " + kb, "check the adapter");
        }
      } else {
        float[] av = new float[Math.toIntExact((long) cfg.r() * w[1])];
        Random r = new Random(seed * 1_000_003L + ka.hashCode());
        double bound = 1.0 / Math.sqrt(w[1]);
        for (int k = 0; k < av.length; k++) {
          av[k] = (float) ((r.nextDouble() * 2 - 1) * bound);
        }
        a = new HostTensor(av, new long[] {cfg.r(), w[1]});
        b = new HostTensor(new float[Math.toIntExact(w[0] * cfg.r())], new long[] {w[0], cfg.r()});
      }
      block.projections().get(module).addLora(cfg.scale());
      parameters.putAll(block.projections().get(module).hfParameters());
      lora.put(ka, bind(ka, toArray(ka, a)));
      lora.put(kb, bind(kb, toArray(kb, b)));
    }
    refreshComputeCopies();
  }

  /** Module names (without {@code .weight}) that get adapters under {@code cfg}. */
  public List<String> loraModules(LoraConfig cfg) {
    List<String> out = new ArrayList<>();
    for (String n : params.keySet()) {
      if (n.startsWith("model.layers.") && n.endsWith("_proj.weight")) {
        String module = n.substring(0, n.length() - ".weight".length());
        String leaf = module.substring(module.lastIndexOf('.') + 1);
        if (cfg.targets().contains(leaf)) {
          out.add(module);
        }
      }
    }
    return out;
  }

  /** Marks which parameters (base and LoRA, by name) get gradients. */
  public void setTrainable(Predicate<String> trainable) {
    for (Map.Entry<String, NDArray> e : allParameters().entrySet()) {
      parameters.get(e.getKey()).freeze(!trainable.test(e.getKey()));
      NDArray copy = computeCopies.get(parameters.get(e.getKey()));
      if (copy != null) {
        copy.setRequiresGradient(trainable.test(e.getKey()));
      }
    }
  }

  /** Base then LoRA parameters by name (live arrays; do not close). */
  public Map<String, NDArray> allParameters() {
    Map<String, NDArray> all = new LinkedHashMap<>(params);
    all.putAll(lora);
    return Collections.unmodifiableMap(all);
  }

  public LlamaConfig config() {
    return config;
  }

  public DataType dtype() {
    return dtype;
  }

  /** The type the forward pass computes in: {@link #dtype()} unless mixed precision is on. */
  public DataType computeType() {
    return computeType;
  }

  /**
   * Mixed precision: compute the forward pass in {@code type} (BFLOAT16 on a GPU; FLOAT16, which
   * DJL runs on CPU, for tests) over fp32 master parameters; FLOAT32 turns it off. fp16 has no loss
   * scaling here, so only bf16 is offered to users ({@code train.precision}).
   *
   * @throws IllegalArgumentException for a non-fp32 model, another type, or bf16 on a CPU (where a
   *     bf16 array crashes DJL's PyTorch engine, taking the JVM down)
   */
  public void setComputeType(DataType type) {
    if (type == DataType.FLOAT32 && dtype == DataType.FLOAT32) {
      computeType = type;
      return;
    }
    if (dtype != DataType.FLOAT32) {
      throw new IllegalArgumentException("mixed precision needs fp32 master weights, not " + dtype);
    }
    if (type != DataType.BFLOAT16 && type != DataType.FLOAT16) {
      throw new IllegalArgumentException("compute type must be BFLOAT16 or FLOAT16, got " + type);
    }
    if (type == DataType.BFLOAT16 && !manager.getDevice().isGpu()) {
      throw new IllegalArgumentException(
          "bf16 mixed precision needs a GPU: bf16 arrays crash DJL's PyTorch engine on CPU"
              + " (model is on "
              + manager.getDevice()
              + ")");
    }
    computeType = type;
    refreshComputeCopies();
  }

  /**
   * Recasts every parameter's compute-type copy from its fp32 master (call after the masters
   * change: an optimizer step, a load). A no-op without mixed precision.
   */
  public void refreshComputeCopies() {
    for (NDArray old : computeCopies.values()) {
      old.close();
    }
    computeCopies.clear();
    if (!mixed()) {
      return;
    }
    for (Map.Entry<String, NDArray> e : allParameters().entrySet()) {
      NDArray copy = e.getValue().toType(computeType, true);
      copy.setRequiresGradient(e.getValue().hasGradient());
      computeCopies.put(parameters.get(e.getKey()), copy);
    }
  }

  /**
   * The gradient of trainable parameter {@code name} in the master type, as a new array the caller
   * closes (with mixed precision: the compute copy's gradient, cast to fp32).
   */
  public NDArray gradient(String name) {
    NDArray copy = computeCopies.get(parameters.get(name));
    if (copy == null) {
      return allParameters().get(name).getGradient();
    }
    try (NDArray g = copy.getGradient()) {
      return g.toType(dtype, true);
    }
  }

  /** Sets the accumulated gradient of trainable parameter {@code name} to zero. */
  public void zeroGradient(String name) {
    NDArray copy = computeCopies.get(parameters.get(name));
    try (NDArray g = copy != null ? copy.getGradient() : allParameters().get(name).getGradient()) {
      g.subi(g);
    }
  }

  private boolean mixed() {
    return computeType != dtype;
  }

  /** Block parameter {@code p} as the forward pass uses it: its compute-type copy when mixed. */
  NDArray computeWeight(Parameter p) {
    return mixed() ? computeCopies.get(p) : p.getArray();
  }

  /** The model as a DJL block tree (ids in, logits out); run it through {@link #logits}. */
  public ai.djl.nn.Block block() {
    return block;
  }

  public NDManager manager() {
    return manager;
  }

  /** The LoRA settings, or null without adapters. */
  public LoraConfig loraConfig() {
    return loraConfig;
  }

  private long[] shape(String name) {
    return params.get(name).getShape().getShape();
  }

  /**
   * Logits {@code (batch, seqLen, vocab)} of a batch, in the master type, from a forward pass of
   * the {@link #block()} tree. Arrays are attached to the model manager.
   */
  public NDArray logits(Batch b, DropoutSource drop) {
    NDArray ids = manager.create(b.inputIds(), new Shape(b.batch(), b.seqLen()));
    NDArray[] rope = ropeTables(b);
    ForwardContext ctx = new ForwardContext(this, rope[0], rope[1], attentionMask(b), drop);
    NDArray logits =
        block.forward(store, new NDList(ids), drop != null, ctx.asParams()).singletonOrThrow();
    if (!mixed()) {
      return logits;
    }
    // A differentiable upcast: adding a 1-element fp32 tensor promotes to fp32 (toType would cut
    // the graph), so the log-softmax and the loss run in fp32.
    return logits.add(manager.zeros(new Shape(1), dtype));
  }

  /**
   * One forward pass of generation over a {@link KvCache}: the new tokens {@code ids} ({@code batch
   * x t}, row-major) fill cache slots {@code [cache.length(), cache.length() + t)} and attend to
   * every earlier slot of their row. Row {@code r} is left padded: its first {@code padLeft[r]}
   * slots are padding, which no real token sees, and its real tokens have RoPE positions {@code
   * slot - padLeft[r]} (as HF's {@code position_ids} from the attention mask). Prefill passes the
   * whole padded prompt ({@code t} = its length), each decode step one token per row.
   *
   * <p>Run with autograd off ({@link #noGradOnThisThread()}); arrays are attached to the model
   * manager, so call inside an {@code NDScope}.
   *
   * @return logits {@code (batch, vocab)} of each row's last new slot, in the master type
   */
  public NDArray decode(KvCache cache, long[] ids, int t, int[] padLeft) {
    int b = cache.batch();
    if (t < 1 || ids.length != (long) b * t || padLeft.length != b) {
      throw new IllegalArgumentException(
          "decode needs batch x t = " + b + " x " + t + " ids and " + b + " padding counts");
    }
    int start = cache.length();
    int len = start + t;
    long[] pos = new long[b * t];
    float[] mask = new float[b * t * len];
    for (int r = 0; r < b; r++) {
      int pad = padLeft[r];
      for (int i = 0; i < t; i++) {
        int s = start + i;
        pos[r * t + i] = Math.max(0, s - pad);
        for (int j = 0; j < len; j++) {
          // A padding slot sees itself only, so no softmax row is empty and nothing real sees it.
          boolean ok = s >= pad ? j <= s && j >= pad : j == s;
          mask[(r * t + i) * len + j] = ok ? 0f : -1e9f;
        }
      }
    }
    NDArray[] rope = ropeTables(b, t, pos);
    NDArray m = manager.create(mask, new Shape(b, 1, 1, t, len)).toType(computeType, false);
    ForwardContext ctx = new ForwardContext(this, rope[0], rope[1], m, null, cache);
    NDArray in = manager.create(ids, new Shape(b, t));
    NDArray logits = block.forward(store, new NDList(in), false, ctx.asParams()).singletonOrThrow();
    cache.advance(t);
    NDArray last = logits.get(new NDIndex(":, -1, :"));
    return last.getDataType() == dtype ? last : last.toType(dtype, false);
  }

  /**
   * Mean negative log-likelihood of the batch's targets over its loss slots (0 when it has none).
   */
  public NDArray loss(Batch b, DropoutSource drop) {
    NDArray logits = logits(b, drop);
    NDArray logp = logits.logSoftmax(-1);
    NDArray tgt = manager.create(b.targets(), new Shape(b.batch(), b.seqLen(), 1));
    NDArray picked = logp.gather(tgt, -1).reshape(b.batch(), b.seqLen());
    NDArray lm =
        manager.create(b.lossMask(), new Shape(b.batch(), b.seqLen())).toType(dtype, false);
    double n = Math.max(1, b.lossTokens());
    // float scalars: a 0-dim fp64 operand would promote an fp32 loss to fp64.
    return picked.mul(lm).sum().neg().div((float) n);
  }

  /**
   * The attention block of the layer named by {@code prefix} ({@code model.layers.N.self_attn.}).
   */
  NDArray attention(
      String prefix, NDArray x, NDArray cos, NDArray sin, NDArray mask, DropoutSource drop) {
    int layer = Integer.parseInt(prefix.split("\\.")[2]);
    ForwardContext ctx = new ForwardContext(this, cos, sin, mask, drop);
    return block
        .layer(layer)
        .attention()
        .forward(store, new NDList(x), drop != null, ctx.asParams())
        .singletonOrThrow();
  }

  static NDArray linear(NDArray x, NDArray w, NDArray bias) {
    return x.getNDArrayInternal().linear(x, w, bias).singletonOrThrow();
  }

  /** RMSNorm: {@code x / sqrt(mean(x^2) + eps) * w} over the last axis. */
  static NDArray rmsNorm(NDArray x, NDArray w, double eps) {
    NDArray ms = x.square().mean(new int[] {-1}, true);
    return x.div(ms.add((float) eps).sqrt()).mul(w);
  }

  /** HF's {@code q * cos + rotate_half(q) * sin}, {@code rotate_half(x) = [-x2, x1]}. */
  static NDArray applyRope(NDArray x, NDArray cos, NDArray sin) {
    long d = x.getShape().get(x.getShape().dimension() - 1);
    long half = d / 2;
    NDArray x1 = x.get(new NDIndex("..., :" + half));
    NDArray x2 = x.get(new NDIndex("..., " + half + ":"));
    NDArray rot = NDArrays.concat(new NDList(x2.neg(), x1), -1);
    return x.mul(cos).add(rot.mul(sin));
  }

  /**
   * cos and sin tables {@code (B,1,1,T,D)} for each slot's position: angle {@code pos *
   * theta^(-2i/D)} for i in [0, D/2), repeated for both halves (HF layout).
   */
  NDArray[] ropeTables(Batch b) {
    return ropeTables(b.batch(), b.seqLen(), b.positions());
  }

  private NDArray[] ropeTables(int batch, int seqLen, long[] positions) {
    int d = config.headDim();
    int n = batch * seqLen;
    double[] inv = new double[d / 2];
    for (int i = 0; i < d / 2; i++) {
      inv[i] = 1.0 / Math.pow(config.ropeTheta(), (2.0 * i) / d);
    }
    float[] cos = new float[n * d];
    float[] sin = new float[n * d];
    for (int s = 0; s < n; s++) {
      long pos = positions[s];
      for (int i = 0; i < d / 2; i++) {
        double a = pos * inv[i];
        float c = (float) Math.cos(a);
        float si = (float) Math.sin(a);
        cos[s * d + i] = c;
        cos[s * d + i + d / 2] = c;
        sin[s * d + i] = si;
        sin[s * d + i + d / 2] = si;
      }
    }
    Shape shape = new Shape(batch, 1, 1, seqLen, d);
    return new NDArray[] {
      manager.create(cos, shape).toType(computeType, false),
      manager.create(sin, shape).toType(computeType, false)
    };
  }

  /**
   * Additive mask {@code (B,1,1,T,T)}: 0 where query i may see key j (j <= i, same segment), else
   * -1e9. Padding slots (segment 0) see only padding, so no softmax row is empty.
   */
  NDArray attentionMask(Batch b) {
    int t = b.seqLen();
    float[] m = new float[b.batch() * t * t];
    for (int r = 0; r < b.batch(); r++) {
      for (int i = 0; i < t; i++) {
        int si = b.segments()[r * t + i];
        for (int j = 0; j < t; j++) {
          boolean ok = j <= i && b.segments()[r * t + j] == si;
          m[(r * t + i) * t + j] = ok ? 0f : -1e9f;
        }
      }
    }
    // In fp16 -1e9 becomes -inf, which softmax handles: no row is fully masked.
    return manager.create(m, new Shape(b.batch(), 1, 1, t, t)).toType(computeType, false);
  }

  /** Base weights by HF name, as fp32 host tensors. */
  public Map<String, HostTensor> baseState() {
    return toHost(params);
  }

  /** LoRA weights by {@code <module>.lora_A.weight} name (empty without adapters). */
  public Map<String, HostTensor> loraState() {
    return toHost(lora);
  }

  /** Base weights with every adapter merged in: {@code W + scale * B A}. */
  public Map<String, HostTensor> mergedState() {
    Map<String, HostTensor> out = baseState();
    if (loraConfig == null) {
      return out;
    }
    for (String module : loraModules(loraConfig)) {
      NDArray a = lora.get(module + ".lora_A.weight");
      NDArray b = lora.get(module + ".lora_B.weight");
      NDArray w = params.get(module + ".weight");
      try (NDArray ba = b.matMul(a);
          NDArray scaled = ba.mul((float) loraConfig.scale());
          NDArray merged = w.add(scaled)) {
        out.put(module + ".weight", host(merged));
      }
    }
    return out;
  }

  /** Replaces one parameter's values (shape must match); used when restoring checkpoints. */
  public void load(String name, HostTensor t) {
    NDArray old = params.containsKey(name) ? params.get(name) : lora.get(name);
    if (old == null) {
      throw new IllegalArgumentException("no parameter named " + name);
    }
    if (!Arrays.equals(old.getShape().getShape(), t.shape())) {
      throw new IllegalArgumentException(
          name + ": shape " + Arrays.toString(t.shape()) + " != " + old.getShape());
    }
    // In place (the block parameter keeps its array), with autograd off on this thread: an
    // in-place write into a leaf that requires grad is refused while grad mode is on.
    noGradOnThisThread();
    try (NDArray fresh = toArray(name, t)) {
      old.set(new NDIndex("..."), fresh);
    }
    Parameter p = parameters.get(name);
    NDArray oldCopy = computeCopies.remove(p);
    if (oldCopy != null) {
      oldCopy.close();
      NDArray copy = old.toType(computeType, true);
      copy.setRequiresGradient(old.hasGradient());
      computeCopies.put(p, copy);
    }
  }

  private static Map<String, HostTensor> toHost(Map<String, NDArray> m) {
    Map<String, HostTensor> out = new LinkedHashMap<>();
    for (Map.Entry<String, NDArray> e : m.entrySet()) {
      out.put(e.getKey(), host(e.getValue()));
    }
    return out;
  }

  /**
   * PyTorch's grad mode is per thread and DJL turns it off only on the thread that started the
   * engine; an in-place write into a leaf parameter (an optimizer update, a weight load) then fails
   * on any other thread (Spark task threads, task retries) with "a leaf Variable that requires grad
   * is being used in an in-place operation". Call before such writes.
   */
  public static void noGradOnThisThread() {
    if ("PyTorch".equals(ai.djl.engine.Engine.getInstance().getEngineName())) {
      ai.djl.pytorch.jni.JniUtils.setGradMode(false);
    }
  }

  /** A copy of {@code a} on the host as fp32 (cast first when it is another type). */
  public static HostTensor host(NDArray a) {
    float[] v;
    if (a.getDataType() == DataType.FLOAT32) {
      v = a.toFloatArray();
    } else {
      try (NDArray f = a.toType(DataType.FLOAT32, true)) {
        v = f.toFloatArray();
      }
    }
    return new HostTensor(v, a.getShape().getShape());
  }

  @Override
  public void close() {
    manager.close();
  }
}
