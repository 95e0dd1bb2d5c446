package io.instructlake.lake;

import static org.apache.spark.sql.types.DataTypes.LongType;
import static org.apache.spark.sql.types.DataTypes.StringType;
import static org.apache.spark.sql.types.DataTypes.TimestampType;

import io.instructlake.PipelineException;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The normalized record every stage reads and writes (bronze, silver, gold share these columns;
 * later stages add their own). One row is one training example:
 *
 * <ul>
 *   <li>{@code record_id}: hex SHA-256 (first 32 chars) of the canonical content (system, every
 *       turn's role and content, tools), so the same example always gets the same id;
 *   <li>{@code source_file}, {@code source_line} (1-based line for JSONL/text, element index for
 *       JSON arrays, row index for Parquet), {@code source_format};
 *   <li>{@code system}, {@code messages} (role in {@link #ROLES}, content), {@code tools} (JSON
 *       text);
 *   <li>{@code prompt} / {@code response}: convenience views (turns before the last assistant turn,
 *       and that turn);
 *   <li>{@code label}, {@code category}: optional, mapped from input fields;
 *   <li>{@code ingest_run_id}, {@code ingest_time}.
 * </ul>
 */
public final class RecordSchema {
  /** Roles a message may carry after ingest normalization. */
  public static final List<String> ROLES =
      List.of("user", "assistant", "function_call", "observation");

  public static final String RECORD_ID = "record_id";
  public static final String SOURCE_FILE = "source_file";
  public static final String SOURCE_LINE = "source_line";
  public static final String SOURCE_FORMAT = "source_format";
  public static final String SYSTEM = "system";
  public static final String MESSAGES = "messages";
  public static final String TOOLS = "tools";
  public static final String PROMPT = "prompt";
  public static final String RESPONSE = "response";
  public static final String LABEL = "label";
  public static final String CATEGORY = "category";
  public static final String INGEST_RUN_ID = "ingest_run_id";
  public static final String INGEST_TIME = "ingest_time";

  /** {@code struct<role: string, content: string>}. */
  public static final StructType MESSAGE =
      new StructType().add("role", StringType, false).add("content", StringType, false);

  public static final ArrayType MESSAGE_ARRAY = DataTypes.createArrayType(MESSAGE, false);

  /** The bronze schema. */
  public static final StructType BRONZE =
      new StructType()
          .add(RECORD_ID, StringType, false)
          .add(SOURCE_FILE, StringType, true)
          .add(SOURCE_LINE, LongType, true)
          .add(SOURCE_FORMAT, StringType, true)
          .add(SYSTEM, StringType, true)
          .add(MESSAGES, MESSAGE_ARRAY, false)
          .add(TOOLS, StringType, true)
          .add(PROMPT, StringType, true)
          .add(RESPONSE, StringType, true)
          .add(LABEL, StringType, true)
          .add(CATEGORY, StringType, true)
          .add(INGEST_RUN_ID, StringType, true)
          .add(INGEST_TIME, TimestampType, true);

  private RecordSchema() {}

  /**
   * Checks that {@code actual} has every column of {@code required} with a compatible type, before
   * any Spark job runs. Names every missing or mistyped column.
   *
   * @param stage the stage name for the message, e.g. "clean"
   */
  public static void require(String stage, StructType actual, StructType required) {
    List<String> problems = new ArrayList<>();
    for (StructField f : required.fields()) {
      int idx = indexOf(actual, f.name());
      if (idx < 0) {
        problems.add("missing column '" + f.name() + "' (" + f.dataType().simpleString() + ")");
      } else {
        DataType got = actual.fields()[idx].dataType();
        if (!sameShape(got, f.dataType())) {
          problems.add(
              "column '"
                  + f.name()
                  + "' is "
                  + got.simpleString()
                  + ", expected "
                  + f.dataType().simpleString());
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new PipelineException(
          "Stage '" + stage + "' cannot read its input",
          String.join("; ", problems),
          "feed it the output of the previous stage (bronze.records or later)");
    }
  }

  private static int indexOf(StructType s, String name) {
    String[] names = s.fieldNames();
    for (int i = 0; i < names.length; i++) {
      if (names[i].equals(name)) {
        return i;
      }
    }
    return -1;
  }

  /** Type equality ignoring nullability ({@code simpleString} omits it). */
  static boolean sameShape(DataType a, DataType b) {
    return a.simpleString().equals(b.simpleString());
  }
}
