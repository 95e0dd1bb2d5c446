package io.instructlake.lake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Typed job results and how the run summary renders them into {@code details}. */
class JobResultTest {
  /** Package-private on purpose: results nested in jobs often are. */
  record Trained(String output, double finalLoss, Long inputVersion, List<String> skippedFiles)
      implements JobResult {
    @Override
    public String prefix() {
      return "train";
    }
  }

  record Gates(int failed, int passed) implements JobResult {
    @Override
    public String prefix() {
      return "gates";
    }
  }

  static final class NotARecord implements JobResult {
    @Override
    public String prefix() {
      return "x";
    }
  }

  private static RunSummary summary() {
    return new RunSummary("r1", "train", "d", "in", "lake", Instant.EPOCH);
  }

  @Test
  void componentsBecomePrefixedSnakeCaseKeysInOrderAndNullsAreLeftOut() {
    RunSummary s = summary();
    s.addResult(new Trained("/m", 0.25, null, List.of("README.md")));
    s.addResult(new Gates(1, 7));
    assertEquals(
        List.of(
            "train.output",
            "train.final_loss",
            "train.skipped_files",
            "gates.failed",
            "gates.passed"),
        List.copyOf(s.details().keySet()));
    assertEquals(0.25, s.details().get("train.final_loss"));
    assertEquals(List.of("README.md"), s.details().get("train.skipped_files"));
    assertFalse(s.details().containsKey("train.input_version"));
    assertEquals("final_loss", JobResult.snakeCase("finalLoss"));
    assertEquals("history_lineage_updated", JobResult.snakeCase("historyLineageUpdated"));
  }

  @Test
  void typedLookupByClassAndTheSameClassAddedAgainReplacesIt() {
    RunSummary s = summary();
    assertTrue(s.result(Trained.class).isEmpty());
    s.addResult(new Trained("/a", 1.0, 3L, List.of()));
    s.addResult(new Trained("/b", 2.0, 4L, List.of()));
    Trained t = s.result(Trained.class).orElseThrow();
    assertEquals("/b", t.output());
    assertEquals(4L, t.inputVersion());
    assertEquals(1, s.results().size());
  }

  @Test
  void theJsonSummaryCarriesTheRenderedDetails() throws Exception {
    RunSummary s = summary();
    s.addResult(new Trained("/m", 0.5, 2L, List.of()));
    JsonNode details = new ObjectMapper().readTree(s.toJson()).path("details");
    assertEquals("/m", details.path("train.output").asText());
    assertEquals(0.5, details.path("train.final_loss").asDouble());
    assertEquals(2, details.path("train.input_version").asLong());
    assertThrows(
        UnsupportedOperationException.class, () -> s.details().put("train.output", "/other"));
  }

  @Test
  void aResultThatCannotBeRenderedIsRefusedWhenAdded() {
    RunSummary s = summary();
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> s.addResult(new NotARecord()));
    assertTrue(e.getMessage().contains("override JobResult.details()"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> s.addResult(null));
    assertEquals(Map.of(), s.details());
  }
}
