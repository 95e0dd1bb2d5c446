package io.instructlake.balance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instructlake.config.ConfigError;
import io.instructlake.config.PipelineConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BalancePlanTest {
  static final BalanceOptions DEFAULTS =
      BalanceOptions.from(PipelineConfig.defaults().section("balance"));
  static final Map<String, Long> COUNTS = Map.of("a", 100L, "b", 30L, "c", 10L);

  @Test
  void undersampleOnlyCapsAtRatioTimesSmallest() {
    // Smallest is 10, so 3:1 caps every class at 30.
    assertEquals(
        Map.of("a", 30L, "b", 30L, "c", 10L),
        BalancePlan.targets(COUNTS, BalanceConfigs.ratio("x", 3.0, "none", 1.0)));
  }

  @Test
  void oversampleRaisesMinoritiesThenCaps() {
    // Need ceil(100/3) = 34 per class; c may only double (20), b reaches 34; min 20 caps a at 60.
    Map<String, Long> t =
        BalancePlan.targets(COUNTS, BalanceConfigs.ratio("x", 3.0, "duplicate", 2));
    assertEquals(Map.of("a", 60L, "b", 34L, "c", 20L), t);
    long max = t.values().stream().mapToLong(Long::longValue).max().getAsLong();
    long min = t.values().stream().mapToLong(Long::longValue).min().getAsLong();
    assertTrue(max <= 3.0 * min);
  }

  @Test
  void weightsGiveProportionalTargets() {
    BalanceOptions o =
        BalanceConfigs.weights("x", Map.of("a", 0.5, "b", 0.25, "c", 0.25), 80, "duplicate");
    assertEquals(Map.of("a", 40L, "b", 20L, "c", 20L), BalancePlan.targets(COUNTS, o));
    // Without oversampling a class cannot grow past its rows.
    BalanceOptions none = BalanceConfigs.weights("x", Map.of("a", 0.5, "b", 0.5), 0, "none");
    assertEquals(Map.of("a", 65L, "b", 30L, "c", 10L), BalancePlan.targets(COUNTS, none));
  }

  @Test
  void weightsModeNeedsWeights() {
    PipelineConfig c =
        PipelineConfig.builder().optEnvironment(Map.of()).optSet("balance.mode", "weights").build();
    ConfigError e =
        assertThrows(ConfigError.class, () -> BalanceOptions.from(c.section("balance")));
    assertTrue(e.getMessage().contains("balance.target-weights"), e.getMessage());
  }

  @Test
  void weightsAreReadFromConfig() {
    PipelineConfig c =
        PipelineConfig.builder()
            .optEnvironment(Map.of())
            .optSet("balance.mode", "weights")
            .optSet("balance.target-weights", "[\"finance=2\", \"law=1\"]")
            .build();
    assertEquals(
        Map.of("finance", 2.0, "law", 1.0),
        BalanceOptions.from(c.section("balance")).targetWeights());
    PipelineConfig bad =
        PipelineConfig.builder()
            .optEnvironment(Map.of())
            .optSet("balance.target-weights", "[\"finance\"]")
            .build();
    ConfigError e =
        assertThrows(ConfigError.class, () -> BalanceOptions.from(bad.section("balance")));
    assertTrue(e.getMessage().contains("finance"), e.getMessage());
  }
}
