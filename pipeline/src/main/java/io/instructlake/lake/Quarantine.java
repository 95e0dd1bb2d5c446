package io.instructlake.lake;

import static org.apache.spark.sql.types.DataTypes.DoubleType;
import static org.apache.spark.sql.types.DataTypes.LongType;
import static org.apache.spark.sql.types.DataTypes.StringType;
import static org.apache.spark.sql.types.DataTypes.TimestampType;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
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

  /**
   * The one way a stage turns the rows it drops into quarantine rows: {@code rows(dropped)
   * .setStage("clean").setReason(col("reason")).optRaw(...).build()}. Unset columns default to the
   * record's own {@code record_id}, {@code source_file} and {@code source_line} (the bronze record
   * schema) and to null; {@code run_id} is null (the run fills it in when it writes) and {@code
   * quarantined_at} is the current time.
   */
  public static Rows rows(Dataset<Row> dropped) {
    return new Rows(dropped);
  }

  /** Builder of quarantine rows over a dataset of dropped records; see {@link #rows}. */
  public static final class Rows {
    private final Dataset<Row> in;
    private Column runId = nullOf(StringType);
    private String stage;
    private Column reason;
    private Column recordId = functions.col(RecordSchema.RECORD_ID);
    private Column sourceFile = functions.col(RecordSchema.SOURCE_FILE);
    private Column sourceLine = functions.col(RecordSchema.SOURCE_LINE);
    private Column raw = nullOf(StringType);
    private Column detail = nullOf(StringType);
    private Column duplicateOf = nullOf(StringType);
    private Column similarity = nullOf(DoubleType);

    private Rows(Dataset<Row> in) {
      this.in = in;
    }

    /** The stage that dropped the rows (required). */
    public Rows setStage(String stage) {
      this.stage = stage;
      return this;
    }

    /** The reason code (required), e.g. {@code lit("duplicate_exact")} or a column of codes. */
    public Rows setReason(Column reason) {
      this.reason = reason;
      return this;
    }

    /** Default null: the run writing the rows fills it in. */
    public Rows optRunId(Column runId) {
      this.runId = runId;
      return this;
    }

    /** Default the {@code record_id} column; null where the record never got one. */
    public Rows optRecordId(Column recordId) {
      this.recordId = recordId;
      return this;
    }

    /** Default the {@code source_file} and {@code source_line} columns. */
    public Rows optSource(Column file, Column line) {
      this.sourceFile = file;
      this.sourceLine = line;
      return this;
    }

    /** Default null. */
    public Rows optRaw(Column raw) {
      this.raw = raw;
      return this;
    }

    /** Default null. */
    public Rows optDetail(Column detail) {
      this.detail = detail;
      return this;
    }

    /** For duplicates: the survivor and the similarity; default null. */
    public Rows optDuplicateOf(Column duplicateOf, Column similarity) {
      this.duplicateOf = duplicateOf;
      this.similarity = similarity;
      return this;
    }

    /** The rows in {@link #SCHEMA}, column for column. */
    public Dataset<Row> build() {
      java.util.Objects.requireNonNull(stage, "setStage is required");
      java.util.Objects.requireNonNull(reason, "setReason is required");
      return in.select(
          runId.cast(StringType).as(RUN_ID),
          functions.lit(stage).as(STAGE),
          reason.cast(StringType).as(REASON),
          recordId.cast(StringType).as(RECORD_ID),
          sourceFile.cast(StringType).as(SOURCE_FILE),
          sourceLine.cast(LongType).as(SOURCE_LINE),
          raw.cast(StringType).as(RAW),
          detail.cast(StringType).as(DETAIL),
          duplicateOf.cast(StringType).as(DUPLICATE_OF),
          similarity.cast(DoubleType).as(SIMILARITY),
          functions.current_timestamp().as(QUARANTINED_AT));
    }

    private static Column nullOf(org.apache.spark.sql.types.DataType t) {
      return functions.lit(null).cast(t);
    }
  }

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
