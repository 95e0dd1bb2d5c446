package io.instructlake.train.model;

import java.util.List;

/**
 * LoRA settings: rank {@code r}, {@code alpha}, dropout on the adapter input, rsLoRA scaling
 * ({@code alpha / sqrt(r)} instead of {@code alpha / r}) and the target modules by name (the last
 * component of an HF module name, e.g. {@code q_proj}, {@code down_proj}).
 */
public record LoraConfig(
    int r, double alpha, double dropout, boolean rsLora, List<String> targets) {
  /** Every linear projection of a Llama block. */
  public static final List<String> ALL_LINEAR =
      List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj");

  public LoraConfig {
    if (r <= 0) {
      throw new IllegalArgumentException("LoRA r must be > 0, got " + r);
    }
    if (!(dropout >= 0 && dropout < 1)) {
      throw new IllegalArgumentException("LoRA dropout must be in [0, 1), got " + dropout);
    }
    if (targets == null || targets.isEmpty()) {
      throw new IllegalArgumentException("LoRA needs at least one target module");
    }
    for (String t : targets) {
      if (!ALL_LINEAR.contains(t)) {
        throw new IllegalArgumentException(
            "unknown LoRA target module " + t + "; use some of " + ALL_LINEAR);
      }
    }
    targets = List.copyOf(targets);
  }

  /** The factor applied to {@code B A x}. */
  public double scale() {
    return rsLora ? alpha / Math.sqrt(r) : alpha / r;
  }
}
