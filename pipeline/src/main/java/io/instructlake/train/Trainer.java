package io.instructlake.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.instructlake.PipelineException;
import io.instructlake.train.model.Batch;
import io.instructlake.train.model.LlamaModel;
import io.instructlake.train.optim.AdamW;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * One worker's training loop, split so another component can combine gradients between the halves:
 *
 * <pre>
 *   float loss = trainer.computeGradients(batch);   // forward + backward; gradients accumulate
 *   float[] g = trainer.gradients();                 // all trainable gradients, one flat buffer
 *   ... all-reduce g across workers, divide by W ...
 *   trainer.writeGradients(g);                       // use these gradients for the update
 *   Trainer.StepStats s = trainer.applyUpdate();     // clip, AdamW, schedule, zero gradients
 * </pre>
 *
 * <p>With gradient accumulation of k, call {@code computeGradients} k times (each loss is scaled by
 * 1/k before backward) and then {@code applyUpdate} once. The flat buffer lists trainable
 * parameters in {@link #trainableNames()} order, each row-major; reading it copies once per tensor
 * (one JNI call each), and writing it back creates one array per tensor from the buffer (never
 * {@code NDArray.set(float[])} on a gradient, which crashes DJL). The zero-copy variant for large
 * models: {@link #gradientBuffer()} gathers the gradients into one native tensor and returns a
 * direct buffer over its memory, to be all-reduced in place, then {@link #useGradientBuffer()}.
 *
 * <p>Only one trainer may compute gradients at a time per JVM (DJL allows one gradient collector).
 */
public final class Trainer implements AutoCloseable {
  private final LlamaModel model;
  private final TrainerOptions options;
  private final AdamW adamw;
  private final List<String> trainable;
  private final Map<String, NDArray> overrides = new HashMap<>();
  private NDArray flat; // the gathered gradients while a gradientBuffer() is out
  private NDArray flatHost; // its CPU copy when training on a GPU
  private final NDManager manager;
  private long step;
  private long microStep;
  private boolean hasGradients;

  /** What one {@link #applyUpdate()} did. */
  public record StepStats(long step, double lr, double gradNorm, double clipScale) {}

  /** Sets trainable parameters on {@code model} (adding LoRA adapters if the method asks). */
  public Trainer(LlamaModel model, TrainerOptions options) {
    if (model.dtype() != DataType.FLOAT32) {
      throw new IllegalArgumentException("training runs in fp32; model is " + model.dtype());
    }
    this.model = model;
    this.options = options;
    LlamaModel.noGradOnThisThread();
    if (options.method() == TrainerOptions.Method.LORA && model.loraConfig() == null) {
      model.addLora(options.lora(), options.seed(), null);
    }
    int freeze = options.freezeLayers();
    if (freeze > model.config().numLayers()) {
      throw new IllegalArgumentException(
          "cannot freeze " + freeze + " of " + model.config().numLayers() + " layers");
    }
    List<String> names = new ArrayList<>();
    for (String n : model.allParameters().keySet()) {
      if (isTrainable(n, options)) {
        names.add(n);
      }
    }
    this.trainable = Collections.unmodifiableList(names);
    model.setTrainable(trainable::contains);
    this.manager = model.manager().newSubManager();
    this.adamw =
        new AdamW(manager, options.beta1(), options.beta2(), options.eps(), options.weightDecay());
    for (String n : trainable) {
      adamw.register(n, model.allParameters().get(n).getShape());
    }
  }

  static boolean isTrainable(String name, TrainerOptions o) {
    boolean isLora = name.contains(".lora_");
    if (o.method() == TrainerOptions.Method.LORA) {
      return isLora;
    }
    if (isLora) {
      return false;
    }
    int freeze = o.freezeLayers();
    if (freeze > 0 && name.startsWith("model.embed_tokens.")) {
      return false;
    }
    if (name.startsWith("model.layers.")) {
      int layer = Integer.parseInt(name.split("\\.")[2]);
      return layer >= freeze;
    }
    return true;
  }

  /** Names of trainable parameters, in flat-buffer order. */
  public List<String> trainableNames() {
    return trainable;
  }

  public LlamaModel model() {
    return model;
  }

  public TrainerOptions options() {
    return options;
  }

  /** Optimizer steps applied so far. */
  public long step() {
    return step;
  }

  /** Micro-batches seen so far (seeds dropout masks; part of the checkpointed RNG state). */
  public long microStep() {
    return microStep;
  }

  /**
   * Forward and backward on one micro-batch; gradients (scaled by 1/gradAccum) add to those already
   * held. Returns the batch's mean loss over its loss slots (unscaled).
   */
  public float computeGradients(Batch batch) {
    long micro = microStep;
    LlamaModel.DropoutSource drop =
        (m, shape, dtype, module) -> dropoutMask(m, shape, module, micro);
    float loss;
    try (NDScope scope = new NDScope();
        GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      scope.suppressNotUsedWarning();
      NDArray l = model.loss(batch, drop);
      loss = l.getFloat();
      gc.backward(l.div(options.gradAccum()));
    }
    if (!Float.isFinite(loss)) {
      throw new PipelineException(
          "Training diverged at step " + step, "loss is " + loss, "lower train.learning-rate");
    }
    microStep++;
    hasGradients = true;
    clearGradientState();
    return loss;
  }

  private NDArray dropoutMask(NDManager m, Shape shape, String module, long micro) {
    double p = model.loraConfig().dropout();
    Random r =
        new Random(options.seed() * 0x9E3779B97F4A7C15L + micro * 1_000_003L + module.hashCode());
    float[] v = new float[Math.toIntExact(shape.size())];
    float keep = (float) (1.0 / (1.0 - p));
    for (int i = 0; i < v.length; i++) {
      v[i] = r.nextDouble() < p ? 0f : keep;
    }
    return m.create(v, shape);
  }

  /** Number of floats in the flat gradient buffer. */
  public int gradientSize() {
    long n = 0;
    for (String name : trainable) {
      n += model.allParameters().get(name).size();
    }
    return Math.toIntExact(n);
  }

  /** The current gradients of all trainable parameters as one new flat buffer. */
  public float[] gradients() {
    float[] out = new float[gradientSize()];
    readGradients(out);
    return out;
  }

  /** Copies the current gradients into {@code dst} (length {@link #gradientSize()}). */
  public void readGradients(float[] dst) {
    requireGradients();
    if (dst.length != gradientSize()) {
      throw new IllegalArgumentException(
          "gradient buffer has " + dst.length + " floats, needs " + gradientSize());
    }
    int off = 0;
    for (String name : trainable) {
      float[] g;
      NDArray o = overrides.get(name);
      if (o != null) {
        g = o.toFloatArray();
      } else {
        try (NDArray grad = model.gradient(name)) {
          g = grad.toFloatArray();
        }
      }
      System.arraycopy(g, 0, dst, off, g.length);
      off += g.length;
    }
  }

  /**
   * Replaces the gradients the next {@link #applyUpdate()} uses with {@code src} (e.g. the average
   * over workers), one array per tensor created from the buffer.
   */
  public void writeGradients(float[] src) {
    requireGradients();
    if (src.length != gradientSize()) {
      throw new IllegalArgumentException(
          "gradient buffer has " + src.length + " floats, needs " + gradientSize());
    }
    clearGradientState();
    int off = 0;
    for (String name : trainable) {
      NDArray p = model.allParameters().get(name);
      int n = Math.toIntExact(p.size());
      float[] part = new float[n];
      System.arraycopy(src, off, part, 0, n);
      overrides.put(name, manager.create(part, p.getShape()));
      off += n;
    }
  }

  /**
   * Gathers the gradients of all trainable parameters, in {@link #trainableNames()} order, into one
   * flat fp32 tensor (a single native concatenation) and returns a direct buffer over that tensor's
   * own memory (native byte order), so that a transport can all-reduce it in place without any copy
   * through the Java heap. After changing it, call {@link #useGradientBuffer()}; the buffer is
   * valid until then (or until the next {@code computeGradients}, {@code zeroGradients} or {@code
   * applyUpdate}). On a GPU the buffer is over a CPU copy, copied back by {@code
   * useGradientBuffer()}.
   */
  public ByteBuffer gradientBuffer() {
    requireGradients();
    NDArray gathered;
    NDList parts = new NDList(trainable.size());
    try {
      for (String name : trainable) {
        NDArray o = overrides.get(name);
        NDArray g = o != null ? o : model.gradient(name);
        parts.add(g.reshape(-1));
        if (o == null) {
          g.close();
        }
      }
      gathered = NDArrays.concat(parts);
      gathered.attach(manager);
    } finally {
      parts.close();
    }
    clearGradientState();
    flat = gathered;
    NDArray host = flat;
    if (!flat.getDevice().equals(Device.cpu())) {
      flatHost = flat.toDevice(Device.cpu(), true);
      flatHost.attach(manager);
      host = flatHost;
    }
    return host.toByteBuffer(true).order(ByteOrder.nativeOrder());
  }

  /**
   * Makes the next {@link #applyUpdate()} use the values now in the {@link #gradientBuffer()} (e.g.
   * the average over workers), as views of that tensor: no copy on CPU.
   */
  public void useGradientBuffer() {
    if (flat == null) {
      throw new IllegalStateException("no gradient buffer: call gradientBuffer() first");
    }
    if (flatHost != null) {
      flat.close();
      flat = flatHost.toDevice(model.manager().getDevice(), true);
      flat.attach(manager);
      flatHost.close();
      flatHost = null;
    }
    clearOverrides();
    long off = 0;
    for (String name : trainable) {
      NDArray p = model.allParameters().get(name);
      long n = p.size();
      try (NDArray slice = flat.get(new NDIndex("{}:{}", off, off + n))) {
        overrides.put(name, slice.reshape(p.getShape()));
      }
      off += n;
    }
  }

  private void releaseFlat() {
    if (flatHost != null) {
      flatHost.close();
      flatHost = null;
    }
    if (flat != null) {
      flat.close();
      flat = null;
    }
  }

  private void requireGradients() {
    if (!hasGradients) {
      throw new IllegalStateException("no gradients yet: call computeGradients(batch) first");
    }
  }

  /** Zeroes the accumulated gradients without updating (e.g. to skip a bad batch). */
  public void zeroGradients() {
    if (!hasGradients) {
      return;
    }
    for (String name : trainable) {
      model.zeroGradient(name);
    }
    clearGradientState();
  }

  /**
   * Clips the gradients to the global norm, applies one AdamW step with the scheduled learning
   * rate, zeroes the gradients and advances the step.
   */
  public StepStats applyUpdate() {
    requireGradients();
    LlamaModel.noGradOnThisThread();
    double lr = options.schedule().lr(step);
    double norm;
    double scale = 1.0;
    try (NDScope scope = new NDScope()) {
      scope.suppressNotUsedWarning();
      Map<String, NDArray> grads = new LinkedHashMap<>();
      double sq = 0;
      for (String name : trainable) {
        NDArray g = overrides.get(name);
        if (g == null) {
          g = model.gradient(name);
        }
        grads.put(name, g);
        sq += g.square().sum().toType(DataType.FLOAT64, false).getDouble();
      }
      norm = Math.sqrt(sq);
      if (!Double.isFinite(norm)) {
        throw new PipelineException(
            "Training diverged at step " + step,
            "gradient norm is " + norm,
            "lower train.learning-rate or set train.max-grad-norm");
      }
      if (options.maxGradNorm() > 0 && norm > options.maxGradNorm()) {
        scale = options.maxGradNorm() / (norm + 1e-6);
      }
      adamw.beginStep();
      for (String name : trainable) {
        adamw.update(name, model.allParameters().get(name), grads.get(name), lr, scale);
      }
    }
    zeroGradients();
    model.refreshComputeCopies(); // mixed precision: recast the compute copies from the masters
    hasGradients = false;
    step++;
    return new StepStats(step, lr, norm, scale);
  }

  private void clearOverrides() {
    for (NDArray a : overrides.values()) {
      a.close();
    }
    overrides.clear();
  }

  /** Drops overrides and any gathered gradient tensor (after an update or a new backward). */
  private void clearGradientState() {
    clearOverrides();
    releaseFlat();
  }

  /** The optimizer (its state goes into checkpoints). */
  public AdamW optimizer() {
    return adamw;
  }

  /** Restores counters saved in a checkpoint (the optimizer state is loaded separately). */
  public void restoreCounters(long step, long microStep) {
    this.step = step;
    this.microStep = microStep;
  }

  @Override
  public void close() {
    clearGradientState();
    manager.close();
  }
}
