package io.instructlake.augment;

import io.instructlake.config.PipelineConfig;
import java.util.List;

/**
 * Augment options for tests, made the way a user makes them: keys set on the default configuration,
 * then read and validated by {@link AugmentOptions#from}.
 */
public final class AugmentConfigs {
  private AugmentConfigs() {}

  /** {@code augment.methods}, {@code copies-per-record} and the similarity band set. */
  public static PipelineConfig config(List<String> methods, int copies, double lo, double hi) {
    return PipelineConfig.defaults()
        .with("augment.methods", methods)
        .with("augment.copies-per-record", copies)
        .with("augment.min-similarity", lo)
        .with("augment.max-similarity", hi);
  }

  public static AugmentOptions options(List<String> methods, int copies, double lo, double hi) {
    return from(config(methods, copies, lo, hi));
  }

  public static AugmentOptions from(PipelineConfig config) {
    return AugmentOptions.from(config.section("augment"));
  }
}
