package io.instructlake.config;

import io.instructlake.PipelineException;

/** A configuration problem found at start: names the key, the bad value and the fix. */
public final class ConfigError extends PipelineException {
  private static final long serialVersionUID = 1L;
  private final String key;

  private ConfigError(String key, String what, String why, String fix) {
    super(what, why, fix);
    this.key = key;
  }

  /** The offending configuration key, e.g. {@code ingest.max-bad-share}. */
  public String key() {
    return key;
  }

  /** A value of the wrong type or out of range. */
  public static ConfigError badValue(String key, Object value, String expected) {
    return new ConfigError(
        key,
        "Invalid configuration value for '" + key + "'",
        "got '" + value + "', expected " + expected,
        "set " + key + " to " + expected + " with --set " + key + "=... or in the --conf file");
  }

  /** A key the pipeline does not know; suggests the closest known key. */
  public static ConfigError unknownKey(String key, String suggestion) {
    String fix =
        suggestion == null
            ? "remove it; `bin/pipeline --help` lists every key"
            : "did you mean '" + suggestion + "'? `bin/pipeline --help` lists every key";
    return new ConfigError(key, "Unknown configuration key '" + key + "'", "no such key", fix);
  }

  /** A required key that has no value. */
  public static ConfigError missing(String key, String expected) {
    return new ConfigError(
        key,
        "Missing configuration value for '" + key + "'",
        "it has no default",
        "set " + key + " to " + expected);
  }

  /** A syntax error in a --set or --conf value. */
  public static ConfigError syntax(String source, String detail) {
    return new ConfigError(
        null,
        "Cannot parse configuration " + source,
        detail,
        "fix the HOCON syntax; values with ':' or '//' may need quotes");
  }
}
