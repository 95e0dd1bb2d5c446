package io.instructlake.ingest;

import io.instructlake.config.ConfigError;
import io.instructlake.config.PipelineConfig;

/**
 * Typed, validated {@code input.*} and {@code ingest.*} settings (defaults and documentation in
 * reference.conf).
 */
public record IngestOptions(
    String inputPath,
    SourceFormat format,
    String datasetInfo,
    String datasetName,
    long maxRecordBytes,
    double maxBadShare,
    int quarantineRawChars,
    boolean quarantineKeepRaw,
    String textField,
    String labelField,
    String categoryField) {

  /** Reads and validates; throws {@link ConfigError} naming the key. */
  public static IngestOptions from(PipelineConfig config) {
    var in = config.section("input");
    var ing = config.section("ingest");
    String fmt =
        in.oneOf("format", "auto", "alpaca", "sharegpt", "prompt-response", "text", "parquet");
    String textField = ing.string("text-field");
    if (textField.isBlank()) {
      throw ConfigError.badValue("ingest.text-field", textField, "a non-empty field name");
    }
    return new IngestOptions(
        in.string("path"),
        SourceFormat.parse(fmt),
        in.string("dataset-info"),
        in.string("dataset-name"),
        ing.bytes("max-record-bytes", 64),
        ing.fraction("max-bad-share"),
        ing.intValue("quarantine-raw-chars", 0, 1 << 20),
        ing.bool("quarantine-keep-raw"),
        textField,
        ing.string("label-field"),
        ing.string("category-field"));
  }

  /** The input path, or a clear error when none is configured. */
  public String requireInput() {
    if (inputPath == null || inputPath.isBlank()) {
      throw ConfigError.missing(
          "input.path", "a file, directory or glob of raw corpus files (or pass --input PATH)");
    }
    return inputPath;
  }

  RecordParser parser() {
    return new RecordParser(textField, labelField, categoryField);
  }
}
