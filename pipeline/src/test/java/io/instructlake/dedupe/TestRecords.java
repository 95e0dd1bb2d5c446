package io.instructlake.dedupe;

import io.instructlake.lake.RecordSchema;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;

/** Builds bronze-schema rows for dedupe tests. */
final class TestRecords {
  private TestRecords() {}

  /** One record: a user prompt and an assistant response. */
  record Rec(
      String id, String system, String user, String assistant, long ingestMillis, String run) {
    Row row() {
      List<Row> msgs = new ArrayList<>();
      msgs.add(RowFactory.create("user", user));
      msgs.add(RowFactory.create("assistant", assistant));
      return RowFactory.create(
          id,
          "test.jsonl",
          1L,
          "alpaca",
          system,
          msgs.toArray(new Row[0]),
          null,
          user,
          assistant,
          null,
          null,
          run,
          new Timestamp(ingestMillis));
    }

    /** The text the stage shingles (system and contents joined by spaces). */
    String text() {
      StringBuilder sb = new StringBuilder();
      for (String s : new String[] {system, user, assistant}) {
        if (s != null && !s.isEmpty()) {
          if (sb.length() > 0) {
            sb.append(' ');
          }
          sb.append(s);
        }
      }
      return sb.toString();
    }
  }

  static Dataset<Row> frame(SparkSession spark, List<Rec> recs) {
    List<Row> rows = new ArrayList<>();
    for (Rec r : recs) {
      rows.add(r.row());
    }
    return spark.createDataFrame(rows, RecordSchema.BRONZE);
  }
}
