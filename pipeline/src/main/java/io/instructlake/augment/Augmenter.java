package io.instructlake.augment;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.when;

import io.instructlake.PipelineException;
import io.instructlake.gold.GoldColumns;
import io.instructlake.gold.SilverSource;
import io.instructlake.gold.StableHash;
import io.instructlake.lake.Quarantine;
import io.instructlake.lake.RecordSchema;
import io.instructlake.lake.StageOutput;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Random;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stage "augment": adds augmented copies of train records (original rows with {@code split = train}
 * and no {@code parent_id}); eval and test rows pass through untouched, and so does every original
 * row. The text changed is the instruction: the last {@code user} turn (and the {@code prompt} view
 * where it contains that turn); the response, system prompt, tool JSON and tool turns never change.
 *
 * <p>Each augmented row copies its parent's columns (so it keeps the parent's {@code split}, {@code
 * cluster_id}, {@code label}, {@code category}), gets {@code aug_method}, {@code parent_id} and a
 * new content-hash {@code record_id}. Rows outside the similarity band go to quarantine as {@code
 * aug_too_similar} / {@code aug_too_different}; rows over the per-category cap as {@code
 * aug_category_cap}.
 */
public final class Augmenter {
  public static final String STAGE = "augment";

  /** Optional input column: copies to make of this row, overriding copies-per-record. */
  public static final String COPIES = "_aug_copies";

  static final String SIM = "_aug_similarity";
  static final String REJECT = "_aug_reject";
  static final String DETAIL = "_aug_detail";
  static final String TEXT = "_aug_text";

  private static final Logger LOG = LoggerFactory.getLogger(Augmenter.class);

  private final AugmentOptions options;

  private Augmenter(Builder b) {
    this.options = b.options;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The input with {@code aug_method} and {@code parent_id} columns (null when absent). */
  public static Dataset<Row> withAugColumns(Dataset<Row> in) {
    Dataset<Row> out = in;
    for (String c : List.of(GoldColumns.AUG_METHOD, GoldColumns.PARENT_ID)) {
      if (!SilverSource.hasColumn(out, c)) {
        out = out.withColumn(c, lit(null).cast(DataTypes.StringType));
      }
    }
    return out;
  }

  /** Augments the train split. */
  public StageOutput augment(Dataset<Row> records) {
    RecordSchema.require(STAGE, records.schema(), RecordSchema.BRONZE);
    if (!SilverSource.hasColumn(records, GoldColumns.SPLIT)) {
      throw new PipelineException(
          "Stage 'augment' cannot read its input",
          "missing column 'split' (augmentation applies to the train split only)",
          "run split first (bin/pipeline split) or use bin/pipeline publish");
    }
    Dataset<Row> base = withAugColumns(records);
    Dataset<Row> sources =
        base.where(
            col(GoldColumns.SPLIT)
                .equalTo(GoldColumns.TRAIN)
                .and(col(GoldColumns.PARENT_ID).isNull()));
    Dataset<Row> candidates = candidates(sources).persist();
    Dataset<Row> accepted = candidates.where(col(REJECT).isNull());
    if (options.maxPerCategory() > 0) {
      Column cat =
          SilverSource.hasColumn(accepted, options.categoryColumn())
              ? coalesce(col(options.categoryColumn()).cast("string"), lit(""))
              : lit("");
      accepted =
          accepted
              .withColumn(
                  "_rank",
                  row_number().over(Window.partitionBy(cat).orderBy(col(RecordSchema.RECORD_ID))))
              .withColumn(
                  REJECT, when(col("_rank").gt(options.maxPerCategory()), lit("aug_category_cap")))
              .drop("_rank");
    }
    Dataset<Row> rejected =
        candidates
            .where(col(REJECT).isNotNull())
            .unionByName(accepted.where(col(REJECT).isNotNull()));
    Dataset<Row> kept =
        base.unionByName(accepted.where(col(REJECT).isNull()).select(cols(base.schema())));
    return StageOutput.builder()
        .setStage(STAGE)
        .setKept(kept)
        .setDropped(toQuarantine(rejected, STAGE))
        .build();
  }

  /**
   * Augmented candidates of {@code sources} (every row is a source), with helper columns {@code
   * _aug_similarity}, {@code _aug_reject} (null when inside the band), {@code _aug_detail}, {@code
   * _aug_text}. Used by {@link #augment} and by balance's oversampling by augmentation.
   */
  public Dataset<Row> candidates(Dataset<Row> sources) {
    Dataset<Row> src = withAugColumns(sources);
    StructType in = src.schema();
    StructType out =
        (SilverSource.hasColumn(src, COPIES) ? dropField(in, COPIES) : in)
            .add(SIM, DataTypes.DoubleType, true)
            .add(REJECT, DataTypes.StringType, true)
            .add(DETAIL, DataTypes.StringType, true)
            .add(TEXT, DataTypes.StringType, true);
    List<String> methods = new ArrayList<>(options.methods());
    if (methods.contains(AugmentOptions.BACK_TRANSLATION) && !options.translation().configured()) {
      LOG.warn(options.translation().offMessage());
      methods.remove(AugmentOptions.BACK_TRANSLATION);
    }
    RowAugmenter fn = new RowAugmenter(options, methods, in, out);
    return src.flatMap(fn, Encoders.row(out));
  }

  /** True when back-translation was asked for but cannot run; the message says why. */
  public String backTranslationNotice() {
    if (options.methods().contains(AugmentOptions.BACK_TRANSLATION)
        && !options.translation().configured()) {
      return options.translation().offMessage();
    }
    return null;
  }

  static Dataset<Row> toQuarantine(Dataset<Row> rejected, String stage) {
    return Quarantine.rows(rejected)
        .setStage(stage)
        .setReason(col(REJECT))
        .optRaw(col(TEXT))
        .optDetail(col(DETAIL))
        .optDuplicateOf(col(GoldColumns.PARENT_ID), col(SIM))
        .build();
  }

  static Column[] cols(StructType schema) {
    return java.util.Arrays.stream(schema.fieldNames()).map(n -> col(n)).toArray(Column[]::new);
  }

  private static StructType dropField(StructType s, String name) {
    StructType out = new StructType();
    for (var f : s.fields()) {
      if (!f.name().equals(name)) {
        out = out.add(f);
      }
    }
    return out;
  }

  /** Makes the augmented rows of one source row; runs on executors. */
  static final class RowAugmenter implements FlatMapFunction<Row, Row>, Serializable {
    private static final long serialVersionUID = 1L;

    private final AugmentOptions options;
    private final List<String> methods;
    private final TextAugmenter text;
    private final int nOut;
    private final int idIdx;
    private final int messagesIdx;
    private final int promptIdx;
    private final int langIdx;
    private final int copiesIdx;
    private final int methodIdx;
    private final int parentIdx;
    private final int[] outFromIn;

    RowAugmenter(AugmentOptions options, List<String> methods, StructType in, StructType out) {
      this.options = options;
      this.methods = List.copyOf(methods);
      this.text = new TextAugmenter(options);
      this.nOut = out.size();
      this.idIdx = in.fieldIndex(RecordSchema.RECORD_ID);
      this.messagesIdx = in.fieldIndex(RecordSchema.MESSAGES);
      this.promptIdx = in.fieldIndex(RecordSchema.PROMPT);
      this.langIdx = index(in, GoldColumns.LANG);
      this.copiesIdx = index(in, COPIES);
      this.methodIdx = out.fieldIndex(GoldColumns.AUG_METHOD);
      this.parentIdx = out.fieldIndex(GoldColumns.PARENT_ID);
      this.outFromIn = new int[out.size() - 4];
      for (int i = 0; i < outFromIn.length; i++) {
        outFromIn[i] = in.fieldIndex(out.fields()[i].name());
      }
    }

    private static int index(StructType s, String name) {
      for (int i = 0; i < s.size(); i++) {
        if (s.fields()[i].name().equals(name)) {
          return i;
        }
      }
      return -1;
    }

    @Override
    public Iterator<Row> call(Row row) {
      List<Row> out = new ArrayList<>();
      int copies =
          copiesIdx >= 0 && !row.isNullAt(copiesIdx)
              ? row.getInt(copiesIdx)
              : options.copiesPerRecord();
      if (methods.isEmpty() || copies <= 0) {
        return out.iterator();
      }
      String id = row.getString(idIdx);
      List<Row> msgs = row.isNullAt(messagesIdx) ? List.of() : row.getList(messagesIdx);
      int turn = -1;
      for (int i = msgs.size() - 1; i >= 0; i--) {
        if ("user".equals(msgs.get(i).getAs("role"))) {
          turn = i;
          break;
        }
      }
      String prompt = row.isNullAt(promptIdx) ? null : row.getString(promptIdx);
      String original = turn >= 0 ? msgs.get(turn).getAs("content") : prompt;
      if (original == null || original.isBlank()) {
        return out.iterator();
      }
      String lang = langIdx >= 0 && !row.isNullAt(langIdx) ? row.getString(langIdx) : null;
      boolean chinese =
          lang != null
              ? lang.toLowerCase(Locale.ROOT).startsWith("zh")
              : Tokens.isChinese(original);
      for (int c = 0; c < copies; c++) {
        String method = methods.get(c % methods.size());
        Random rng = new Random(StableHash.hash64("augment", "" + options.seed(), id, "" + c));
        String changed = text.apply(method, original, chinese, rng);
        if (changed == null) {
          continue;
        }
        double sim = Similarity.jaccard(original, changed);
        String reject = null;
        if (sim > options.maxSimilarity()) {
          reject = "aug_too_similar";
        } else if (sim < options.minSimilarity()) {
          reject = "aug_too_different";
        }
        Object[] v = new Object[nOut];
        for (int i = 0; i < outFromIn.length; i++) {
          v[i] = row.get(outFromIn[i]);
        }
        int msgOut = indexOfOut(messagesIdx);
        if (turn >= 0) {
          List<Row> copy = new ArrayList<>(msgs);
          Row m = copy.get(turn);
          Object[] mv = new Object[m.size()];
          for (int k = 0; k < m.size(); k++) {
            mv[k] = m.get(k);
          }
          mv[m.fieldIndex("content")] = changed;
          copy.set(turn, RowFactory.create(mv));
          v[msgOut] = scala.jdk.javaapi.CollectionConverters.asScala(copy).toSeq();
        }
        int promptOut = indexOfOut(promptIdx);
        if (prompt == null || prompt.equals(original) || turn < 0) {
          v[promptOut] = changed;
        } else {
          v[promptOut] = prompt.replace(original, changed);
        }
        v[indexOfOut(idIdx)] = StableHash.id("aug", id, method, Integer.toString(c), changed);
        v[methodIdx] = method;
        v[parentIdx] = id;
        v[nOut - 4] = sim;
        v[nOut - 3] = reject;
        v[nOut - 2] =
            String.format(
                Locale.ROOT,
                "method=%s parent=%s similarity=%.4f band=[%.2f, %.2f]",
                method,
                id,
                sim,
                options.minSimilarity(),
                options.maxSimilarity());
        v[nOut - 1] = changed;
        out.add(RowFactory.create(v));
      }
      return out.iterator();
    }

    private int indexOfOut(int inIdx) {
      for (int i = 0; i < outFromIn.length; i++) {
        if (outFromIn[i] == inIdx) {
          return i;
        }
      }
      throw new IllegalStateException("column " + inIdx + " not in output");
    }
  }

  /** Builder; {@code setOptions} is required. */
  public static final class Builder {
    private AugmentOptions options;

    public Builder setOptions(AugmentOptions options) {
      this.options = options;
      return this;
    }

    public Augmenter build() {
      Objects.requireNonNull(options, "augment options are required (setOptions)");
      return new Augmenter(this);
    }
  }
}
