package io.instructlake.train.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.instructlake.train.model.HostTensor;
import io.instructlake.train.model.LlamaModel;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AdamW (Loshchilov and Hutter) with decoupled weight decay, as {@code torch.optim.AdamW}: {@code p
 * *= 1 - lr * wd} (only for parameters with decay), {@code m = b1 m + (1 - b1) g}, {@code v = b2 v
 * + (1 - b2) g^2}, {@code p -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)}.
 *
 * <p>Ours because DJL's optimizers keep their state private (it cannot be checkpointed); here the
 * moments are NDArrays this class owns and {@link #state()} / {@link #loadState} move them to and
 * from host tensors for checkpoints. Parameters whose name ends in {@code .bias} or contains {@code
 * norm} get no weight decay.
 */
public final class AdamW implements AutoCloseable {
  private final double beta1;
  private final double beta2;
  private final double eps;
  private final double weightDecay;
  private final NDManager manager;
  private final Map<String, NDArray> m = new LinkedHashMap<>();
  private final Map<String, NDArray> v = new LinkedHashMap<>();
  private long t;

  public AdamW(NDManager parent, double beta1, double beta2, double eps, double weightDecay) {
    if (!(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1 && eps > 0 && weightDecay >= 0)) {
      throw new IllegalArgumentException(
          "bad AdamW settings: betas "
              + beta1
              + ", "
              + beta2
              + ", eps "
              + eps
              + ", wd "
              + weightDecay);
    }
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.eps = eps;
    this.weightDecay = weightDecay;
    this.manager = parent.newSubManager();
  }

  /** True when weight decay applies to the named parameter. */
  public static boolean decays(String name) {
    return !name.endsWith(".bias") && !name.contains("norm");
  }

  /** Creates zero moments for a parameter (call once per parameter, outside any NDScope). */
  public void register(String name, Shape shape) {
    m.put(name, manager.zeros(shape));
    v.put(name, manager.zeros(shape));
  }

  /** Starts an optimizer step (advances the bias-correction counter). */
  public void beginStep() {
    t++;
  }

  /**
   * Updates {@code p} in place from gradient {@code g} scaled by {@code gradScale} (the clipping
   * factor). Temporaries are attached to {@code g}'s manager.
   */
  public void update(String name, NDArray p, NDArray g, double lr, double gradScale) {
    NDArray mm = m.get(name);
    NDArray vv = v.get(name);
    NDArray gg = gradScale == 1.0 ? g : g.mul(gradScale);
    mm.muli(beta1).addi(gg.mul(1 - beta1));
    vv.muli(beta2).addi(gg.square().muli(1 - beta2));
    if (weightDecay > 0 && decays(name)) {
      p.muli(1 - lr * weightDecay);
    }
    double bc1 = 1 - Math.pow(beta1, t);
    double bc2 = 1 - Math.pow(beta2, t);
    NDArray denom = vv.sqrt().divi(Math.sqrt(bc2)).addi(eps);
    p.subi(mm.div(denom).muli(lr / bc1));
  }

  /** Steps taken. */
  public long steps() {
    return t;
  }

  /** Moments as host tensors: {@code exp_avg.<name>}, {@code exp_avg_sq.<name>}. */
  public Map<String, HostTensor> state() {
    Map<String, HostTensor> s = new LinkedHashMap<>();
    for (String n : m.keySet()) {
      s.put("exp_avg." + n, LlamaModel.host(m.get(n)));
      s.put("exp_avg_sq." + n, LlamaModel.host(v.get(n)));
    }
    return s;
  }

  /** Restores moments and the step counter saved by {@link #state()}. */
  public void loadState(Map<String, HostTensor> s, long steps) {
    for (String n : m.keySet()) {
      HostTensor a = s.get("exp_avg." + n);
      HostTensor b = s.get("exp_avg_sq." + n);
      if (a == null || b == null) {
        throw new IllegalArgumentException("optimizer state has no moments for " + n);
      }
      m.put(n, replace(m.get(n), a));
      v.put(n, replace(v.get(n), b));
    }
    t = steps;
  }

  private NDArray replace(NDArray old, HostTensor t) {
    NDArray fresh = manager.create(t.data(), new Shape(t.shape()));
    old.close();
    return fresh;
  }

  @Override
  public void close() {
    manager.close();
  }
}
