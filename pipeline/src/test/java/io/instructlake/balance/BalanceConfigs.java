package io.instructlake.balance;

import io.instructlake.config.PipelineConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Balance options for tests, made the way a user makes them: keys set on the default configuration,
 * then read and validated by {@link BalanceOptions#from}.
 */
final class BalanceConfigs {
  private BalanceConfigs() {}

  /** {@code balance.mode = ratio} with the given column, ratio, oversampling and its cap. */
  static BalanceOptions ratio(String column, double maxRatio, String oversample, double factor) {
    return BalanceOptions.from(
        PipelineConfig.defaults()
            .with("balance.column", column)
            .with("balance.mode", "ratio")
            .with("balance.max-ratio", maxRatio)
            .with("balance.oversample", oversample)
            .with("balance.max-oversample-factor", factor)
            .section("balance"));
  }

  /** {@code balance.mode = weights} with {@code target-weights} as {@code class=weight} entries. */
  static BalanceOptions weights(
      String column, Map<String, Double> weights, long total, String oversample) {
    List<String> entries = new ArrayList<>();
    weights.forEach((k, v) -> entries.add(k + "=" + v));
    return BalanceOptions.from(
        PipelineConfig.defaults()
            .with("balance.column", column)
            .with("balance.mode", "weights")
            .with("balance.target-weights", entries)
            .with("balance.target-total", total)
            .with("balance.oversample", oversample)
            .section("balance"));
  }
}
