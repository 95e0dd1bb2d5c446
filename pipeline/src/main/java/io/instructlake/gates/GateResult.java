package io.instructlake.gates;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The ordered outcome of every quality-gate check of one run. */
public final class GateResult {
  private final List<Check> checks;

  /**
   * @param checks the checks in evaluation order
   */
  public GateResult(List<Check> checks) {
    this.checks = List.copyOf(checks);
  }

  /** Every check, in evaluation order. */
  public List<Check> checks() {
    return checks;
  }

  /** True when no check failed (skipped checks do not fail a run). */
  public boolean passed() {
    return failed().isEmpty();
  }

  /** The failed checks, in evaluation order. */
  public List<Check> failed() {
    return withStatus(Check.Status.FAILED);
  }

  /** The skipped checks, in evaluation order. */
  public List<Check> skipped() {
    return withStatus(Check.Status.SKIPPED);
  }

  /** The check with this name, or null. */
  public Check check(String name) {
    for (Check c : checks) {
      if (c.name().equals(name)) {
        return c;
      }
    }
    return null;
  }

  private List<Check> withStatus(Check.Status s) {
    List<Check> out = new ArrayList<>();
    for (Check c : checks) {
      if (c.status() == s) {
        out.add(c);
      }
    }
    return out;
  }

  /**
   * One line for logs and the run summary: {@code "gates failed: empty-rate.response=0.48 > 0.05;
   * drift.js.category=0.31 > 0.1"} naming every failed check, or {@code "gates passed: 14 checks (3
   * skipped)"}.
   */
  public String summary() {
    List<Check> failed = failed();
    if (failed.isEmpty()) {
      return "gates passed: " + checks.size() + " checks (" + skipped().size() + " skipped)";
    }
    return "gates failed: "
        + failed.stream().map(Check::violation).collect(Collectors.joining("; "));
  }

  Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("passed", passed());
    m.put("summary", summary());
    m.put("failed", failed().stream().map(Check::name).collect(Collectors.toList()));
    m.put("checks", checks.stream().map(Check::toMap).collect(Collectors.toList()));
    return m;
  }

  @Override
  public String toString() {
    return summary();
  }
}
