package io.instructlake.train;

import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Rows of the {@code metrics} table written by training: one row per (step, metric) in long form,
 * so other commands (evaluate) can append their own metric names to the same table.
 */
public final class TrainMetrics {
  /** Schema of the {@code metrics} table. */
  public static final StructType SCHEMA =
      new StructType()
          .add("run_id", DataTypes.StringType, false)
          .add("command", DataTypes.StringType, false)
          .add("step", DataTypes.LongType, false)
          .add("metric", DataTypes.StringType, false)
          .add("value", DataTypes.DoubleType, false)
          .add("recorded_at", DataTypes.TimestampType, false);

  private final String runId;
  private final List<Row> rows = new ArrayList<>();

  public TrainMetrics(String runId) {
    this.runId = runId;
  }

  /** Records one metric value of a step. */
  public void add(long step, String metric, double value) {
    rows.add(
        RowFactory.create(
            runId, "train", step, metric, value, new Timestamp(System.currentTimeMillis())));
  }

  public List<Row> rows() {
    return rows;
  }
}
