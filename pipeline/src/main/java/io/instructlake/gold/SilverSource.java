package io.instructlake.gold;

import io.instructlake.PipelineException;
import io.instructlake.lake.Lake;
import io.instructlake.lake.LakeTable;
import io.instructlake.lake.RecordSchema;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The one way the gold stages read their input: the newest {@code silver.records}, falling back to
 * {@code silver.cleaned} and then {@code bronze.records} when the later tables do not exist yet.
 * The rows are read at a pinned version (time travel), so everything a run builds comes from one
 * snapshot, and that version is what gold records in its table properties.
 *
 * <p>Only the bronze columns are required; extra silver columns ({@code lang}, {@code pii_counts},
 * {@code lineage}, {@code cluster_id}) are optional and carried through.
 */
public final class SilverSource {
  /** Tables tried in order. */
  public static final List<LakeTable> ORDER =
      List.of(LakeTable.SILVER_RECORDS, LakeTable.SILVER_CLEANED, LakeTable.BRONZE_RECORDS);

  /** A pinned snapshot: the table read, its version and its rows. */
  public record Snapshot(LakeTable table, long version, Dataset<Row> rows) {}

  /**
   * The silver table and version a gold side table was built from, as its provenance properties
   * name them (either null when the table has no such property).
   */
  public record Pin(String table, Long version) {}

  private SilverSource() {}

  /** Reads the newest available input table at its current version. */
  public static Snapshot read(Lake lake) {
    for (LakeTable t : ORDER) {
      if (lake.exists(t)) {
        return read(lake, t, lake.version(t));
      }
    }
    throw new PipelineException(
        "Cannot read the input of the gold stages",
        "none of silver.records, silver.cleaned, bronze.records exists under " + lake.root(),
        "run bin/pipeline ingest (and clean, dedupe) first");
  }

  /** Reads {@code table} at {@code version} (time travel); used to rebuild an old gold version. */
  public static Snapshot read(Lake lake, LakeTable table, long version) {
    Dataset<Row> rows = lake.readVersion(table, version);
    RecordSchema.require(
        "gold input (" + table.sqlName() + ")", rows.schema(), RecordSchema.BRONZE);
    return new Snapshot(table, version, rows);
  }

  /** True when {@code rows} has a column named {@code name}. */
  public static boolean hasColumn(Dataset<Row> rows, String name) {
    for (String f : rows.schema().fieldNames()) {
      if (f.equals(name)) {
        return true;
      }
    }
    return false;
  }
}
