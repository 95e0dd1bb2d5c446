package io.instructlake.ingest;

import java.util.Locale;

/** Input formats ingest understands; {@link #AUTO} detects per file and per record. */
public enum SourceFormat {
  AUTO,
  /** instruction / input / output (+ optional system, history); also self-instruct seed tasks. */
  ALPACA,
  /** conversations (from/value) or messages (role/content), optional tools and system. */
  SHAREGPT,
  /** prompt / response pairs. */
  PROMPT_RESPONSE,
  /** One document per line, or JSON(L) objects with only a text field (pre-training style). */
  TEXT,
  PARQUET;

  /** The value of the {@code source_format} column. */
  public String code() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** Parses a config value such as {@code prompt-response}. */
  public static SourceFormat parse(String s) {
    return valueOf(s.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
  }
}
