package io.instructlake.lake;

import static org.apache.spark.sql.types.DataTypes.DoubleType;
import static org.apache.spark.sql.types.DataTypes.LongType;
import static org.apache.spark.sql.types.DataTypes.StringType;
import static org.apache.spark.sql.types.DataTypes.TimestampType;

import org.apache.spark.sql.types.StructType;

/**
 * The quarantine table: every record a stage did not keep, with why. Nothing is dropped silently.
 *
 * <ul>
 *   <li>{@code run_id}, {@code stage} (ingest, clean, dedupe, ...), {@code reason} (a stable reason
 *       code such as {@code malformed_json}, {@code duplicate_exact});
 *   <li>{@code record_id} when the record parsed far enough to have one;
 *   <li>{@code source_file}, {@code source_line}: where it came from;
 *   <li>{@code raw}: the raw text truncated to {@code ingest.quarantine-raw-chars} (null when
 *       {@code ingest.quarantine-keep-raw} is off or after PII redaction rules forbid it);
 *   <li>{@code detail}: human-readable specifics (the parser's message, the rule that fired);
 *   <li>{@code duplicate_of}, {@code similarity}: for dedupe drops, the survivor and the Jaccard
 *       similarity (1.0 for exact duplicates);
 *   <li>{@code quarantined_at}.
 * </ul>
 */
public final class Quarantine {
  public static final String RUN_ID = "run_id";
  public static final String STAGE = "stage";
  public static final String REASON = "reason";
  public static final String RECORD_ID = "record_id";
  public static final String SOURCE_FILE = "source_file";
  public static final String SOURCE_LINE = "source_line";
  public static final String RAW = "raw";
  public static final String DETAIL = "detail";
  public static final String DUPLICATE_OF = "duplicate_of";
  public static final String SIMILARITY = "similarity";
  public static final String QUARANTINED_AT = "quarantined_at";

  public static final StructType SCHEMA =
      new StructType()
          .add(RUN_ID, StringType, true)
          .add(STAGE, StringType, false)
          .add(REASON, StringType, false)
          .add(RECORD_ID, StringType, true)
          .add(SOURCE_FILE, StringType, true)
          .add(SOURCE_LINE, LongType, true)
          .add(RAW, StringType, true)
          .add(DETAIL, StringType, true)
          .add(DUPLICATE_OF, StringType, true)
          .add(SIMILARITY, DoubleType, true)
          .add(QUARANTINED_AT, TimestampType, true);

  private Quarantine() {}

  /** Truncates raw text for storage, marking the cut. */
  public static String truncate(String raw, int maxChars) {
    if (raw == null || raw.length() <= maxChars) {
      return raw;
    }
    int end = maxChars;
    if (end > 0 && Character.isHighSurrogate(raw.charAt(end - 1))) {
      end--;
    }
    return raw.substring(0, end) + "…[truncated " + (raw.length() - end) + " chars]";
  }
}
