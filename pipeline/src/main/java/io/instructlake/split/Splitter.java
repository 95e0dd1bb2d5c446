package io.instructlake.split;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.udf;

import io.instructlake.gold.GoldColumns;
import io.instructlake.gold.SilverSource;
import io.instructlake.lake.Quarantine;
import io.instructlake.lake.RecordSchema;
import io.instructlake.lake.StageOutput;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.DataTypes;

/**
 * Stage "split": adds (or replaces) the {@code split} column. Drops nothing.
 *
 * <p>Group key with {@code by = hash}: {@code cluster_id} when the column exists and is set (a
 * near-duplicate cluster stays on one side), else {@code parent_id} when set (an augmented row
 * follows its parent), else {@code record_id}. With {@code by = column}: the configured column's
 * value (records without a value fall back to the hash key).
 */
public final class Splitter {
  public static final String STAGE = "split";

  private final SplitOptions options;

  private Splitter(Builder b) {
    this.options = b.options;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Adds the {@code split} column. */
  public StageOutput split(Dataset<Row> records) {
    RecordSchema.require(
        STAGE,
        records.schema(),
        new org.apache.spark.sql.types.StructType()
            .add(RecordSchema.RECORD_ID, DataTypes.StringType));
    List<Column> keys = new ArrayList<>();
    if ("column".equals(options.by())) {
      if (!SilverSource.hasColumn(records, options.column())) {
        throw new io.instructlake.PipelineException(
            "Stage 'split' cannot split by column '" + options.column() + "'",
            "the input has no such column (it has " + String.join(", ", records.columns()) + ")",
            "set split.column to an existing column or split.by = hash");
      }
      keys.add(col(options.column()).cast("string"));
    }
    if (SilverSource.hasColumn(records, GoldColumns.CLUSTER_ID)) {
      keys.add(col(GoldColumns.CLUSTER_ID).cast("string"));
    }
    if (SilverSource.hasColumn(records, GoldColumns.PARENT_ID)) {
      keys.add(col(GoldColumns.PARENT_ID));
    }
    keys.add(col(RecordSchema.RECORD_ID));
    SplitAssigner assigner = new SplitAssigner(options);
    UserDefinedFunction assign = udf((UDF1<String, String>) assigner::assign, DataTypes.StringType);
    Dataset<Row> kept =
        records.withColumn(GoldColumns.SPLIT, assign.apply(coalesce(keys.toArray(new Column[0]))));
    Dataset<Row> dropped = records.sparkSession().createDataFrame(List.of(), Quarantine.SCHEMA);
    return StageOutput.builder().setStage(STAGE).setKept(kept).setDropped(dropped).build();
  }

  /** {@code in}, {@code kept} and {@code split_<side>} counts of a split table. */
  public static java.util.Map<String, Long> counts(
      org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> split) {
    java.util.Map<String, Long> counts = new java.util.LinkedHashMap<>();
    long total = 0;
    java.util.List<org.apache.spark.sql.Row> rows =
        split.groupBy(GoldColumns.SPLIT).count().orderBy(GoldColumns.SPLIT).collectAsList();
    for (org.apache.spark.sql.Row r : rows) {
      counts.put("split_" + r.getString(0), r.getLong(1));
      total += r.getLong(1);
    }
    java.util.Map<String, Long> out = new java.util.LinkedHashMap<>();
    out.put("in", total);
    out.put("kept", total);
    out.putAll(counts);
    return out;
  }

  /** Builder; {@code setOptions} is required. */
  public static final class Builder {
    private SplitOptions options;

    public Builder setOptions(SplitOptions options) {
      this.options = options;
      return this;
    }

    public Splitter build() {
      Objects.requireNonNull(options, "split options are required (setOptions)");
      return new Splitter(this);
    }
  }
}
