package io.instructlake.clean;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.sum;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.instructlake.lake.Quarantine;
import io.instructlake.lake.RecordSchema;
import io.instructlake.lake.StageOutput;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The clean stage: bronze-schema rows in, {@link StageOutput} ("clean") out. Kept rows carry the
 * normalized and PII-redacted {@code system}, {@code messages}, {@code prompt}, {@code response}
 * (other input columns unchanged) plus {@code lang} (ISO 639-1 or {@code und}) and {@code
 * pii_counts} (map type -> hits). Dropped rows are in the quarantine schema with the reason code of
 * the first filter that fired ({@link CleanPipeline#STEPS}), {@code detail} naming the rule and the
 * value, and {@code raw} holding the record's redacted JSON only when {@code
 * clean.quarantine-keep-raw} is on; raw PII never leaves this stage.
 *
 * <p>Counters: {@code pii_<type>} (hits over all input rows, kept and dropped). The per-row work
 * runs once: the cleaned rows are locally checkpointed before kept and dropped are split.
 */
public final class CleanStage {
  /** Stage name in quarantine and run summaries. */
  public static final String NAME = "clean";

  public static final String LANG = "lang";
  public static final String PII_COUNTS = "pii_counts";
  static final String REASON = "_clean_reason";
  static final String DETAIL = "_clean_detail";
  static final String RAW = "_clean_raw";

  private final CleanOptions options;

  public CleanStage(CleanOptions options) {
    this.options = Objects.requireNonNull(options, "options");
  }

  /** Cleans {@code input} (checked against {@link RecordSchema#BRONZE} before any Spark job). */
  public StageOutput apply(Dataset<Row> input) {
    RecordSchema.require(NAME, input.schema(), RecordSchema.BRONZE);
    StructType in = input.schema();
    StructType out =
        in.add(LANG, DataTypes.StringType, true)
            .add(
                PII_COUNTS,
                DataTypes.createMapType(DataTypes.StringType, DataTypes.IntegerType),
                true)
            .add(REASON, DataTypes.StringType, true)
            .add(DETAIL, DataTypes.StringType, true)
            .add(RAW, DataTypes.StringType, true);
    Dataset<Row> cleaned =
        input.mapPartitions(new CleanRows(options, in), Encoders.row(out)).localCheckpoint(true);
    Dataset<Row> kept = cleaned.where(col(REASON).isNull()).drop(REASON, DETAIL, RAW);
    Dataset<Row> dropped =
        cleaned
            .where(col(REASON).isNotNull())
            .transform(
                d ->
                    Quarantine.rows(d)
                        .setStage(NAME)
                        .setReason(col(REASON))
                        .optRaw(col(RAW))
                        .optDetail(col(DETAIL))
                        .build());
    StageOutput.Builder b = StageOutput.builder().setStage(NAME).setKept(kept).setDropped(dropped);
    for (Map.Entry<String, Long> e : piiTotals(cleaned).entrySet()) {
      b.optCounter("pii_" + e.getKey(), e.getValue());
    }
    return b.build();
  }

  /** PII hits per type over all rows (sorted by type). */
  static Map<String, Long> piiTotals(Dataset<Row> cleaned) {
    Map<String, Long> totals = new LinkedHashMap<>();
    List<Row> rows =
        cleaned
            .select(explode(col(PII_COUNTS)))
            .groupBy("key")
            .agg(sum("value"))
            .orderBy("key")
            .collectAsList();
    for (Row r : rows) {
      totals.put(r.getString(0), r.getLong(1));
    }
    return totals;
  }

  /** The per-partition function: only serializable options and column indices travel. */
  static final class CleanRows implements MapPartitionsFunction<Row, Row> {
    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final CleanOptions options;
    private final int width;
    private final int system;
    private final int messages;
    private final int prompt;
    private final int response;
    private final int recordId;

    CleanRows(CleanOptions options, StructType in) {
      this.options = options;
      this.width = in.size();
      this.system = in.fieldIndex(RecordSchema.SYSTEM);
      this.messages = in.fieldIndex(RecordSchema.MESSAGES);
      this.prompt = in.fieldIndex(RecordSchema.PROMPT);
      this.response = in.fieldIndex(RecordSchema.RESPONSE);
      this.recordId = in.fieldIndex(RecordSchema.RECORD_ID);
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
      CleanPipeline pipeline = CleanPipeline.forOptions(options);
      return new Iterator<>() {
        @Override
        public boolean hasNext() {
          return rows.hasNext();
        }

        @Override
        public Row next() {
          return clean(pipeline, rows.next());
        }
      };
    }

    private Row clean(CleanPipeline pipeline, Row row) {
      List<CleanRecord.Message> msgs = new ArrayList<>();
      if (!row.isNullAt(messages)) {
        for (Row m : row.<Row>getList(messages)) {
          msgs.add(new CleanRecord.Message(m.getString(0), m.getString(1)));
        }
      }
      CleanRecord rec =
          new CleanRecord(str(row, system), msgs, str(row, prompt), str(row, response));
      CleanPipeline.Result res = pipeline.clean(rec);
      CleanRecord c = res.record();
      Object[] v = new Object[width + 5];
      for (int i = 0; i < width; i++) {
        v[i] = row.get(i);
      }
      List<Row> outMsgs = new ArrayList<>(c.messages().size());
      for (CleanRecord.Message m : c.messages()) {
        outMsgs.add(RowFactory.create(m.role(), m.content() == null ? "" : m.content()));
      }
      v[system] = c.system();
      v[messages] = CollectionConverters.asScala(outMsgs).toSeq();
      v[prompt] = c.prompt();
      v[response] = c.response();
      v[width] = res.lang();
      v[width + 1] = CollectionConverters.asScala(res.piiCounts());
      if (!res.kept()) {
        v[width + 2] = res.drop().reason();
        v[width + 3] = res.drop().detail();
        v[width + 4] =
            options.quarantineKeepRaw()
                ? Quarantine.truncate(
                    redactedJson(row.getString(recordId), c), options.quarantineRawChars())
                : null;
      }
      return RowFactory.create(v);
    }

    private static String str(Row row, int i) {
      return row.isNullAt(i) ? null : row.getString(i);
    }

    /** The record after normalization and redaction, as JSON: never the raw text. */
    static String redactedJson(String recordId, CleanRecord c) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("record_id", recordId);
      m.put("system", c.system());
      List<Map<String, String>> turns = new ArrayList<>();
      for (CleanRecord.Message t : c.messages()) {
        Map<String, String> tm = new LinkedHashMap<>();
        tm.put("role", t.role());
        tm.put("content", t.content());
        turns.add(tm);
      }
      m.put("messages", turns);
      try {
        return JSON.writeValueAsString(m);
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("Cannot render record " + recordId + " as JSON", e);
      }
    }
  }
}
