package io.instructlake.gates;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The outcome of one quality-gate check.
 *
 * @param name stable check name, e.g. {@code empty-rate.response} or {@code drift.js.category}
 * @param metric what {@code value} measures, e.g. {@code share of rows} or {@code JS divergence}
 * @param value the measured value ({@link Double#NaN} when skipped before measuring)
 * @param threshold the limit as text: {@code "<= 0.05"}, {@code ">= 8"} or {@code "in [0.2, 5]"}
 * @param status passed, failed or skipped
 * @param detail a short human note (why skipped, which value had the largest share, ...)
 */
public record Check(
    String name, String metric, double value, String threshold, Status status, String detail) {

  /** Status of a check. */
  public enum Status {
    PASSED,
    FAILED,
    SKIPPED
  }

  /** A check with an upper limit: passes when {@code value <= max}. */
  static Check atMost(String name, String metric, double value, double max, String detail) {
    return new Check(
        name,
        metric,
        value,
        "<= " + format(max),
        value <= max ? Status.PASSED : Status.FAILED,
        detail);
  }

  /** A check with a lower limit: passes when {@code value >= min}. */
  static Check atLeast(String name, String metric, double value, double min, String detail) {
    return new Check(
        name,
        metric,
        value,
        ">= " + format(min),
        value >= min ? Status.PASSED : Status.FAILED,
        detail);
  }

  /** A check with a band: passes when {@code min <= value <= max}. */
  static Check within(
      String name, String metric, double value, double min, double max, String detail) {
    return new Check(
        name,
        metric,
        value,
        "in [" + format(min) + ", " + format(max) + "]",
        value >= min && value <= max ? Status.PASSED : Status.FAILED,
        detail);
  }

  /** A check that was not evaluated, with the reason. */
  static Check skipped(String name, String metric, String threshold, String why) {
    return new Check(name, metric, Double.NaN, threshold, Status.SKIPPED, why);
  }

  /**
   * The failure in a few words, e.g. {@code "empty-rate.response=0.48 > 0.05"}: the name, the value
   * and the violated limit.
   */
  public String violation() {
    String limit;
    if (threshold.startsWith("<= ")) {
      limit = "> " + threshold.substring(3);
    } else if (threshold.startsWith(">= ")) {
      limit = "< " + threshold.substring(3);
    } else if (threshold.startsWith("in ")) {
      limit = "outside " + threshold.substring(3);
    } else {
      limit = "violates " + threshold;
    }
    return name + "=" + format(value) + " " + limit;
  }

  Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", name);
    m.put("metric", metric);
    m.put("value", Double.isFinite(value) ? value : null);
    m.put("threshold", threshold);
    m.put("status", status.name());
    m.put("detail", detail);
    return m;
  }

  /**
   * A number for people: integers without a fraction, others with at most 4 decimals, trailing
   * zeros removed; {@code n/a} for NaN.
   */
  public static String format(double v) {
    if (Double.isNaN(v)) {
      return "n/a";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "+inf" : "-inf";
    }
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return String.valueOf((long) v);
    }
    String s = String.format(Locale.ROOT, "%.4f", v);
    s = s.replaceAll("0+$", "");
    return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
  }
}
