package io.instructlake.balance;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sequence;
import static org.apache.spark.sql.functions.udf;
import static org.apache.spark.sql.functions.when;

import io.instructlake.PipelineException;
import io.instructlake.augment.AugmentOptions;
import io.instructlake.augment.Augmenter;
import io.instructlake.gold.GoldColumns;
import io.instructlake.gold.SilverSource;
import io.instructlake.gold.StableHash;
import io.instructlake.lake.Quarantine;
import io.instructlake.lake.RecordSchema;
import io.instructlake.lake.StageOutput;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Stage "balance": resamples the train split (rows with {@code split = train}, or every row when
 * there is no split column) by the configured class column to the targets of {@link BalancePlan}.
 * Other splits pass through unchanged. Undersampled rows go to quarantine as {@code
 * balance_undersampled}. Counters: {@code before_<class>} and {@code target_<class>} (the
 * distribution before and the planned one after).
 */
public final class Balancer {
  public static final String STAGE = "balance";

  /** Class value used for rows whose class column is null. */
  public static final String NULL_CLASS = "(null)";

  private final BalanceOptions options;
  private final AugmentOptions augment;

  private Balancer(Builder b) {
    this.options = b.options;
    this.augment = b.augment;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Balances the train split. */
  public StageOutput balance(Dataset<Row> records) {
    RecordSchema.require(STAGE, records.schema(), RecordSchema.BRONZE);
    if (!SilverSource.hasColumn(records, options.column())) {
      throw new PipelineException(
          "Stage 'balance' cannot balance by '" + options.column() + "'",
          "the input has no such column",
          "set balance.column to label or category (or another existing column)");
    }
    Dataset<Row> base = Augmenter.withAugColumns(records);
    boolean hasSplit = SilverSource.hasColumn(base, GoldColumns.SPLIT);
    Column isTrain = hasSplit ? col(GoldColumns.SPLIT).equalTo(GoldColumns.TRAIN) : lit(true);
    Dataset<Row> pass =
        base.where(isTrain.isNull().or(org.apache.spark.sql.functions.not(isTrain)));
    Column cls = coalesce(col(options.column()).cast("string"), lit(NULL_CLASS));
    Dataset<Row> train = base.where(isTrain).withColumn("_class", cls);
    String features = options.featuresColumn();
    if ("smote".equals(options.oversample()) && !SilverSource.hasColumn(train, features)) {
      train = Smote.textFeatures(train, features, options.numFeatures());
    }
    Map<String, Long> before = new java.util.TreeMap<>();
    for (Row r : train.groupBy("_class").count().collectAsList()) {
      before.put(r.getString(0), r.getLong(1));
    }
    Map<String, Long> targets = BalancePlan.targets(before, options);
    List<Row> planRows = new ArrayList<>();
    for (Map.Entry<String, Long> e : targets.entrySet()) {
      planRows.add(RowFactory.create(e.getKey(), before.get(e.getKey()), e.getValue()));
    }
    StructType planSchema =
        new StructType()
            .add("_class", DataTypes.StringType)
            .add("_n", DataTypes.LongType)
            .add("_target", DataTypes.LongType);
    Dataset<Row> plan = base.sparkSession().createDataFrame(planRows, planSchema);
    String seed = Long.toString(options.seed());
    UserDefinedFunction h =
        udf((UDF1<String, Long>) id -> StableHash.hash64("balance", seed, id), DataTypes.LongType);
    Dataset<Row> ranked =
        train
            .withColumn("_h", h.apply(col(RecordSchema.RECORD_ID)))
            .withColumn(
                "_rank",
                row_number()
                    .over(
                        Window.partitionBy("_class")
                            .orderBy(col("_h"), col(RecordSchema.RECORD_ID))))
            .join(broadcast(plan), "_class");
    Dataset<Row> keptTrain = ranked.where(col("_rank").leq(col("_target")));
    Dataset<Row> under = ranked.where(col("_rank").gt(col("_target")));
    Column extra = col("_target").minus(col("_n"));
    Dataset<Row> synthetic;
    Dataset<Row> synthDropped = null;
    switch (options.oversample()) {
      case "none" -> synthetic = null;
      case "smote" -> synthetic = Smote.synthesize(ranked, options, features);
      case "augment" -> {
        if (augment == null) {
          throw new PipelineException(
              "Stage 'balance' cannot oversample by augmentation",
              "no augment options were given",
              "build the Balancer with optAugmentOptions or set balance.oversample = duplicate");
        }
        Dataset<Row> sources =
            ranked
                .where(col("_target").gt(col("_n")))
                .withColumn(Augmenter.COPIES, copies(extra).cast("int"))
                .where(col(Augmenter.COPIES).gt(0));
        Dataset<Row> cands =
            Augmenter.builder()
                .setOptions(augment) // each source row carries its own COPIES
                .build()
                .candidates(sources)
                .persist();
        synthetic = cands.where(col("_aug_reject").isNull());
        synthDropped =
            cands
                .where(col("_aug_reject").isNotNull())
                .transform(
                    d ->
                        Quarantine.rows(d)
                            .setStage(STAGE)
                            .setReason(col("_aug_reject"))
                            .optRaw(col("_aug_text"))
                            .optDetail(col("_aug_detail"))
                            .optDuplicateOf(col(GoldColumns.PARENT_ID), col("_aug_similarity"))
                            .build());
      }
      default -> {
        UserDefinedFunction dupId =
            udf(
                (UDF2<String, Integer, String>)
                    (id, copy) -> StableHash.id("balance-dup", seed, id, "" + copy),
                DataTypes.StringType);
        synthetic =
            ranked
                .where(col("_target").gt(col("_n")))
                .withColumn("_copies", copies(extra).cast("int"))
                .where(col("_copies").gt(0))
                .withColumn("_copy", explode(sequence(lit(1), col("_copies"))))
                .withColumn(
                    GoldColumns.PARENT_ID,
                    coalesce(col(GoldColumns.PARENT_ID), col(RecordSchema.RECORD_ID)))
                .withColumn(
                    RecordSchema.RECORD_ID, dupId.apply(col(RecordSchema.RECORD_ID), col("_copy")))
                .withColumn(GoldColumns.AUG_METHOD, lit("duplicate"));
      }
    }
    List<String> helpers =
        List.of(
            "_class",
            "_h",
            "_rank",
            "_n",
            "_target",
            "_copies",
            "_copy",
            Augmenter.COPIES,
            "_aug_similarity",
            "_aug_reject",
            "_aug_detail",
            "_aug_text");
    Dataset<Row> kept = dropAll(keptTrain, helpers);
    if (synthetic != null) {
      kept = kept.unionByName(dropAll(synthetic, helpers), true);
    }
    kept = kept.unionByName(pass, true);
    Dataset<Row> dropped =
        Quarantine.rows(under)
            .setStage(STAGE)
            .setReason(lit("balance_undersampled"))
            .optDetail(
                org.apache.spark.sql.functions.concat(
                    lit(options.column() + "="),
                    col("_class"),
                    lit(" target="),
                    col("_target").cast("string"),
                    lit(" of "),
                    col("_n").cast("string")))
            .build();
    if (synthDropped != null) {
      dropped = dropped.unionByName(synthDropped);
    }
    StageOutput.Builder out =
        StageOutput.builder().setStage(STAGE).setKept(kept).setDropped(dropped);
    for (Map.Entry<String, Long> e : before.entrySet()) {
      out.optCounter("before_" + e.getKey(), e.getValue());
    }
    for (Map.Entry<String, Long> e : targets.entrySet()) {
      out.optCounter("target_" + e.getKey(), e.getValue());
    }
    return out.build();
  }

  /** Planned distribution, for reports: class to {@code [before, target]}. */
  public static Map<String, long[]> distribution(StageOutput out) {
    Map<String, long[]> d = new LinkedHashMap<>();
    for (Map.Entry<String, Long> e : out.counters().entrySet()) {
      if (e.getKey().startsWith("before_")) {
        d.computeIfAbsent(e.getKey().substring(7), k -> new long[2])[0] = e.getValue();
      } else if (e.getKey().startsWith("target_")) {
        d.computeIfAbsent(e.getKey().substring(7), k -> new long[2])[1] = e.getValue();
      }
    }
    return d;
  }

  /** {@code after_<class>} counts of the train rows of {@code rows}. */
  public static Map<String, Long> afterCounts(Dataset<Row> rows, String column) {
    Dataset<Row> train =
        io.instructlake.gold.SilverSource.hasColumn(rows, GoldColumns.SPLIT)
            ? rows.where(col(GoldColumns.SPLIT).equalTo(GoldColumns.TRAIN))
            : rows;
    Map<String, Long> out = new LinkedHashMap<>();
    for (Row r :
        train
            .groupBy(
                org.apache.spark.sql.functions.coalesce(
                    col(column).cast("string"), org.apache.spark.sql.functions.lit(NULL_CLASS)))
            .count()
            .collectAsList()) {
      out.put("after_" + r.getString(0), r.getLong(1));
    }
    return out;
  }

  /** {@code {class: {before, target, after}}} for the run summary. */
  public static Map<String, Map<String, Long>> distribution(
      StageOutput out, Map<String, Long> after) {
    Map<String, Map<String, Long>> d = new java.util.TreeMap<>();
    for (Map.Entry<String, long[]> e : distribution(out).entrySet()) {
      Map<String, Long> m = new LinkedHashMap<>();
      m.put("before", e.getValue()[0]);
      m.put("target", e.getValue()[1]);
      m.put("after", after.getOrDefault("after_" + e.getKey(), 0L));
      d.put(e.getKey(), m);
    }
    return d;
  }

  /** Copies of a seed row: {@code extra / n} plus one for the first {@code extra mod n} ranks. */
  private static Column copies(Column extra) {
    return floor(extra.divide(col("_n")))
        .plus(when(col("_rank").leq(extra.mod(col("_n"))), lit(1)).otherwise(lit(0)));
  }

  private static Dataset<Row> dropAll(Dataset<Row> d, List<String> cols) {
    return d.drop(cols.toArray(new String[0]));
  }

  /** Builder; {@code setOptions} is required. */
  public static final class Builder {
    private BalanceOptions options;
    private AugmentOptions augment;

    public Builder setOptions(BalanceOptions options) {
      this.options = options;
      return this;
    }

    /** Augmentation used when {@code oversample = augment}; default none (then it fails). */
    public Builder optAugmentOptions(AugmentOptions augment) {
      this.augment = augment;
      return this;
    }

    public Balancer build() {
      Objects.requireNonNull(options, "balance options are required (setOptions)");
      return new Balancer(this);
    }
  }
}
