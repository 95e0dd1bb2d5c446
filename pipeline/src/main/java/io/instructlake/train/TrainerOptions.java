package io.instructlake.train;

import io.instructlake.train.model.LoraConfig;
import io.instructlake.train.optim.LrSchedule;

/**
 * Settings of a {@link Trainer}. Required: {@link Builder#setTotalSteps}. Everything else optional
 * with the default stated on its {@code optX} method.
 */
public final class TrainerOptions {
  /** Fine-tuning methods. */
  public enum Method {
    FULL,
    LORA
  }

  private final Method method;
  private final LoraConfig lora;
  private final int freezeLayers;
  private final LrSchedule schedule;
  private final double weightDecay;
  private final double beta1;
  private final double beta2;
  private final double eps;
  private final double maxGradNorm;
  private final int gradAccum;
  private final long seed;

  private TrainerOptions(Builder b) {
    method = b.method;
    lora = b.lora;
    freezeLayers = b.freezeLayers;
    schedule = new LrSchedule(b.lr, b.warmupSteps, b.totalSteps, b.minLrRatio);
    weightDecay = b.weightDecay;
    beta1 = b.beta1;
    beta2 = b.beta2;
    eps = b.eps;
    maxGradNorm = b.maxGradNorm;
    gradAccum = b.gradAccum;
    seed = b.seed;
  }

  public static Builder builder() {
    return new Builder();
  }

  public Method method() {
    return method;
  }

  /** LoRA settings (null unless the method is LORA). */
  public LoraConfig lora() {
    return lora;
  }

  public int freezeLayers() {
    return freezeLayers;
  }

  public LrSchedule schedule() {
    return schedule;
  }

  public double weightDecay() {
    return weightDecay;
  }

  public double beta1() {
    return beta1;
  }

  public double beta2() {
    return beta2;
  }

  public double eps() {
    return eps;
  }

  public double maxGradNorm() {
    return maxGradNorm;
  }

  public int gradAccum() {
    return gradAccum;
  }

  public long seed() {
    return seed;
  }

  /** Builder; see {@link TrainerOptions}. */
  public static final class Builder {
    private Method method = Method.FULL;
    private LoraConfig lora;
    private int freezeLayers;
    private double lr = 1e-3;
    private int warmupSteps;
    private int totalSteps;
    private double minLrRatio = 0.1;
    private double weightDecay = 0.0;
    private double beta1 = 0.9;
    private double beta2 = 0.999;
    private double eps = 1e-8;
    private double maxGradNorm = 1.0;
    private int gradAccum = 1;
    private long seed = 42;

    private Builder() {}

    /** Optimizer steps of the whole run (for the cosine schedule). */
    public Builder setTotalSteps(int v) {
      totalSteps = v;
      return this;
    }

    /** Full fine-tuning; default. */
    public Builder optFull() {
      method = Method.FULL;
      lora = null;
      return this;
    }

    /** LoRA with a frozen base. */
    public Builder optLora(LoraConfig v) {
      method = Method.LORA;
      lora = v;
      return this;
    }

    /** Freeze the first N decoder layers (and the embedding when N > 0) in full fine-tuning. */
    public Builder optFreezeLayers(int v) {
      freezeLayers = v;
      return this;
    }

    /** Peak learning rate; default 1e-3. */
    public Builder optLearningRate(double v) {
      lr = v;
      return this;
    }

    /** Linear warm-up steps; default 0. */
    public Builder optWarmupSteps(int v) {
      warmupSteps = v;
      return this;
    }

    /** Final learning rate as a share of the peak; default 0.1. */
    public Builder optMinLrRatio(double v) {
      minLrRatio = v;
      return this;
    }

    /** Decoupled weight decay (not on norms and biases); default 0. */
    public Builder optWeightDecay(double v) {
      weightDecay = v;
      return this;
    }

    /** Adam betas; default 0.9, 0.999. */
    public Builder optBetas(double b1, double b2) {
      beta1 = b1;
      beta2 = b2;
      return this;
    }

    /** Adam epsilon; default 1e-8. */
    public Builder optEps(double v) {
      eps = v;
      return this;
    }

    /** Global gradient-norm clip; 0 turns clipping off; default 1.0. */
    public Builder optMaxGradNorm(double v) {
      maxGradNorm = v;
      return this;
    }

    /** Micro-batches per optimizer step; default 1. */
    public Builder optGradAccum(int v) {
      gradAccum = v;
      return this;
    }

    /** Seed of LoRA init and dropout masks; default 42. */
    public Builder optSeed(long v) {
      seed = v;
      return this;
    }

    public TrainerOptions build() {
      if (totalSteps <= 0) {
        throw new IllegalArgumentException("total steps must be > 0, got " + totalSteps);
      }
      if (gradAccum <= 0) {
        throw new IllegalArgumentException("grad accumulation must be > 0, got " + gradAccum);
      }
      if (freezeLayers < 0) {
        throw new IllegalArgumentException("freeze layers must be >= 0, got " + freezeLayers);
      }
      if (maxGradNorm < 0) {
        throw new IllegalArgumentException("max grad norm must be >= 0, got " + maxGradNorm);
      }
      if (method == Method.LORA && lora == null) {
        throw new IllegalArgumentException("LoRA method needs a LoraConfig");
      }
      return new TrainerOptions(this);
    }
  }
}
