package io.instructlake.nightly;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.sha2;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_json;

import io.instructlake.lake.Lake;
import io.instructlake.lake.LakeTable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Content digests of lake tables for equality checks: the sorted SHA-256 of every row's JSON (its
 * columns in name order), leaving out the columns that name a run or a wall-clock time.
 */
final class LakeDigest {
  /** The data tables a nightly run writes (runs, the log of runs, is compared separately). */
  static final List<LakeTable> DATA_TABLES =
      List.of(
          LakeTable.BRONZE_RECORDS,
          LakeTable.SILVER_CLEANED,
          LakeTable.SILVER_RECORDS,
          LakeTable.GOLD_TRAIN,
          LakeTable.GOLD_EVAL,
          LakeTable.QUARANTINE,
          LakeTable.INGESTED_FILES);

  private LakeDigest() {}

  /** Sorted row hashes of {@code rows} without the {@code excluded} columns. */
  static List<String> rowHashes(Dataset<Row> rows, Set<String> excluded) {
    String[] cols =
        Arrays.stream(rows.columns())
            .filter(c -> !excluded.contains(c))
            .sorted()
            .toArray(String[]::new);
    Column[] cs = Arrays.stream(cols).map(c -> col("`" + c + "`")).toArray(Column[]::new);
    List<String> out = new ArrayList<>();
    for (Row r : rows.select(sha2(to_json(struct(cs)), 256)).collectAsList()) {
      out.add(r.getString(0));
    }
    out.sort(null);
    return out;
  }

  /** Row hashes of every data table ({@code <missing>} for a table that does not exist). */
  static Map<String, List<String>> of(Lake lake, Set<String> excluded) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (LakeTable t : DATA_TABLES) {
      out.put(
          t.sqlName(), lake.exists(t) ? rowHashes(lake.read(t), excluded) : List.of("<missing>"));
    }
    return out;
  }
}
