package io.instructlake.train.optim;

/**
 * Linear warm-up then cosine decay to {@code minRatio * base}: for optimizer step s (0-based),
 * {@code base * (s + 1) / warmup} while {@code s < warmup}, then {@code base * (min + (1 - min) *
 * (1 + cos(pi * p)) / 2)} with {@code p = (s - warmup) / (total - warmup)} clamped to [0, 1].
 * (DJL's {@code CosineTracker} decays to an absolute final value, which rises when the base is
 * small.)
 */
public record LrSchedule(double base, int warmupSteps, int totalSteps, double minRatio) {
  public LrSchedule {
    if (!(base > 0) || warmupSteps < 0 || totalSteps <= 0 || minRatio < 0 || minRatio > 1) {
      throw new IllegalArgumentException(
          "bad schedule: lr "
              + base
              + ", warmup "
              + warmupSteps
              + ", total "
              + totalSteps
              + ", min ratio "
              + minRatio);
    }
  }

  /** Learning rate for optimizer step {@code step} (0-based). */
  public double lr(long step) {
    if (step < warmupSteps) {
      return base * (step + 1) / warmupSteps;
    }
    double p = (double) (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
    p = Math.min(1.0, Math.max(0.0, p));
    return base * (minRatio + (1 - minRatio) * 0.5 * (1 + Math.cos(Math.PI * p)));
  }
}
