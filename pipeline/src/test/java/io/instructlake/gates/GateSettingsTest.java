package io.instructlake.gates;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instructlake.config.ConfigError;
import io.instructlake.config.PipelineConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GateSettingsTest {
  private static GateSettings read(String... sets) {
    PipelineConfig.Builder b = PipelineConfig.builder().optEnvironment(Map.of());
    for (String s : sets) {
      b.optSet(s);
    }
    return GateSettings.from(b.build().section("gates"));
  }

  @Test
  void defaultsComeFromGatesConf() {
    GateSettings s = read();
    assertTrue(s.enabled());
    assertArrayEquals(new long[] {0, 32, 64, 128, 256, 512, 1024, 2048, 4096}, s.lengthBins());
    assertEquals(0.2, s.minRatio());
    assertEquals(5.0, s.maxRatio());
    assertEquals(1, s.minRows());
    assertEquals(0.5, s.maxDropTotal());
    assertEquals(0.05, s.maxEmptyResponse());
    assertEquals(8.0, s.minP50());
    assertEquals(0.1, s.jsMaxCategory());
    assertEquals(0.25, s.psiMaxLength());
    assertEquals(List.of(), s.categoryMix().required());
  }

  @Test
  void overridesAreRead() {
    GateSettings s =
        read(
            "gates.drop-share.max-per-reason=[\"exact_duplicate=0.4\", \"too_short=0.1\"]",
            "gates.category-mix.required=[finance, law]",
            "gates.length-bins=[0, 10, 100]");
    assertEquals(Map.of("exact_duplicate", 0.4, "too_short", 0.1), s.maxDropPerReason());
    assertEquals(List.of("finance", "law"), s.categoryMix().required());
    assertArrayEquals(new long[] {0, 10, 100}, s.lengthBins());
  }

  @Test
  void rateAboveOneNamesTheKey() {
    ConfigError e = assertThrows(ConfigError.class, () -> read("gates.empty-rate.response=1.5"));
    assertEquals("gates.empty-rate.response", e.key());
    assertTrue(e.getMessage().contains("gates.empty-rate.response"), e.getMessage());
    assertTrue(e.getMessage().contains("1.5"), e.getMessage());
  }

  @Test
  void minRatioAboveMaxRatioFails() {
    ConfigError e = assertThrows(ConfigError.class, () -> read("gates.row-count.min-ratio=6"));
    assertTrue(e.getMessage().contains("gates.row-count.min-ratio"), e.getMessage());
    assertTrue(e.getMessage().contains("max-ratio"), e.getMessage());
  }

  @Test
  void nonNumericValueNamesTheKey() {
    ConfigError e = assertThrows(ConfigError.class, () -> read("gates.drift.js-max-length=lots"));
    assertTrue(e.getMessage().contains("gates.drift.js-max-length"), e.getMessage());
  }

  @Test
  void badBinsAndPerReasonEntriesFail() {
    ConfigError bins = assertThrows(ConfigError.class, () -> read("gates.length-bins=[0, 64, 32]"));
    assertTrue(bins.getMessage().contains("gates.length-bins"), bins.getMessage());
    ConfigError first = assertThrows(ConfigError.class, () -> read("gates.length-bins=[5, 64]"));
    assertTrue(first.getMessage().contains("starting at 0"), first.getMessage());
    ConfigError reason =
        assertThrows(
            ConfigError.class, () -> read("gates.drop-share.max-per-reason=[\"too_short\"]"));
    assertTrue(
        reason.getMessage().contains("gates.drop-share.max-per-reason"), reason.getMessage());
  }

  @Test
  void builderValidatesToo() {
    ConfigError e =
        assertThrows(
            ConfigError.class, () -> GateSettings.builder().optLength(true, 100, 50).build());
    assertTrue(e.getMessage().contains("gates.length.min-p50"), e.getMessage());
  }
}
