package io.instructlake.dedupe;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.udf;
import static org.apache.spark.sql.functions.when;

import io.instructlake.PipelineException;
import io.instructlake.lake.Lake;
import io.instructlake.lake.RecordSchema;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Properties;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.DataTypes;

/**
 * The exact keys of {@code silver.records} in numeric form, which the Bloom path confirms its
 * positives against ({@link BloomGuardedLookup}): one row per history row with the 128-bit {@code
 * dedupe_key} as two signed bigints ({@code key_hi}, {@code key_lo}) and the record id as two more
 * ({@code rid_hi}, {@code rid_lo}), or as the string {@code rid} for an id that is not 32 lowercase
 * hex characters (ingest's ids always are).
 *
 * <p><b>Why a numeric copy.</b> Confirming the flagged keys reads every history key once, whatever
 * the layout: 10,000 true duplicates spread over 10M keys touch every file. Reading two
 * 32-character string columns ({@code dedupe_key}, {@code record_id}) for 10M rows took 2.3-2.8 s
 * on the 2-core benchmark machine, four bigint columns 1.0-1.5 s (vectorized fixed-width decoding,
 * 8-byte hash probes). See {@code benchmarks/dedupe.md}.
 *
 * <p><b>Storage and consistency.</b> A Delta table at {@code lake.sidePath("dedupe/keys")} plus one
 * manifest per covered silver version, {@code keys-v<silver version>.properties}, naming the index
 * table version that holds exactly silver's rows at that version. Like {@link HistoryBloom}, the
 * index is a derived cache that is never trusted blindly: {@link #load} returns it only when a
 * manifest for the current silver version exists (a rollback or a foreign write changes the
 * version, so the next run rebuilds it from silver), and reads it at the manifest's table version
 * (an append whose manifest was never written is ignored). The manifest is written after the index
 * commit, so a reader never sees a manifest without its data.
 */
public final class HistoryKeys {
  public static final String KEY_HI = "key_hi";
  public static final String KEY_LO = "key_lo";
  public static final String RID_HI = "rid_hi";
  public static final String RID_LO = "rid_lo";
  public static final String RID = "rid";

  private static final String MANIFEST_PREFIX = "keys-v";

  private final Dataset<Row> keys;
  private final long version;

  private HistoryKeys(Dataset<Row> keys, long version) {
    this.keys = keys;
    this.version = version;
  }

  /**
   * The index rows ({@link #KEY_HI}, {@link #KEY_LO}, {@link #RID_HI}, {@link #RID_LO}, {@link
   * #RID}).
   */
  public Dataset<Row> keys() {
    return keys;
  }

  /** The silver.records version whose rows the index holds. */
  public long version() {
    return version;
  }

  /**
   * The index columns computed from rows with {@code dedupe_key} and {@code record_id} (history
   * read directly, for callers without a persisted index, and what {@link #build} stores).
   */
  public static Dataset<Row> project(Dataset<Row> history) {
    Column key = col(DedupeStage.DEDUPE_KEY);
    Column id = col(RecordSchema.RECORD_ID);
    Column idHi = idHalf(true).apply(id);
    return history.select(
        keyHalf(true).apply(key).as(KEY_HI),
        keyHalf(false).apply(key).as(KEY_LO),
        idHi.as(RID_HI),
        idHalf(false).apply(id).as(RID_LO),
        when(idHi.isNull(), id).as(RID));
  }

  /**
   * Replaces the stored index with {@code history}'s rows ({@code silver.records} at {@code
   * version}) and writes the manifest.
   */
  public static HistoryKeys build(Lake lake, Dataset<Row> history, long version) {
    String path = tablePath(lake);
    project(history)
        .write()
        .format("delta")
        .mode("overwrite")
        .option("overwriteSchema", "true")
        .save(path);
    return commit(lake, version);
  }

  /**
   * Appends {@code added} (the rows that took silver.records from {@link #version()} to {@code
   * newVersion}) and writes the manifest for {@code newVersion}.
   */
  public HistoryKeys append(Lake lake, Dataset<Row> added, long newVersion) {
    if (newVersion == version) {
      return this;
    }
    project(added).write().format("delta").mode("append").save(tablePath(lake));
    return commit(lake, newVersion);
  }

  /** The stored index covering {@code version} of silver.records, or empty when there is none. */
  public static Optional<HistoryKeys> load(Lake lake, long version) {
    Path meta = manifest(lake, version);
    try {
      FileSystem fs = meta.getFileSystem(lake.spark().sparkContext().hadoopConfiguration());
      if (!fs.exists(meta)) {
        return Optional.empty();
      }
      Properties p = new Properties();
      try (InputStream in = fs.open(meta)) {
        p.load(new InputStreamReader(in, StandardCharsets.UTF_8));
      }
      long indexVersion = Long.parseLong(p.getProperty("index_version"));
      if (Long.parseLong(p.getProperty("version")) != version) {
        return Optional.empty();
      }
      Dataset<Row> keys =
          lake.spark()
              .read()
              .format("delta")
              .option("versionAsOf", indexVersion)
              .load(tablePath(lake));
      return Optional.of(new HistoryKeys(keys, version));
    } catch (IOException | RuntimeException e) {
      throw new PipelineException(
          "Cannot read the dedupe key index for silver.records version " + version,
          e.getClass().getSimpleName() + ": " + e.getMessage(),
          "delete "
              + lake.sidePath("dedupe/")
              + "keys and keys-v*.properties; the next run rebuilds"
              + " them",
          e);
    }
  }

  /**
   * Deletes every manifest that does not cover {@code version} (e.g. one a rolled-back run wrote),
   * so the next dedupe rebuilds the index instead of trusting rows of a version that RESTORE
   * replaced.
   */
  public static void pruneExcept(Lake lake, long version) {
    HistoryBloom.pruneSideFiles(
        lake, MANIFEST_PREFIX, MANIFEST_PREFIX + version + ".", "key index manifests");
  }

  private static HistoryKeys commit(Lake lake, long version) {
    SparkSession spark = lake.spark();
    String path = tablePath(lake);
    long indexVersion =
        io.delta.tables.DeltaTable.forPath(spark, path)
            .history(1)
            .select("version")
            .first()
            .getLong(0);
    Path meta = manifest(lake, version);
    try {
      FileSystem fs = meta.getFileSystem(spark.sparkContext().hadoopConfiguration());
      Properties p = new Properties();
      p.setProperty("version", Long.toString(version));
      p.setProperty("index_version", Long.toString(indexVersion));
      try (OutputStream out = fs.create(meta, true)) {
        p.store(
            new OutputStreamWriter(out, StandardCharsets.UTF_8),
            "instructlake dedupe key index: silver.records version -> index table version");
      }
    } catch (IOException e) {
      throw new PipelineException(
          "Cannot write the dedupe key index manifest " + meta,
          e.getMessage(),
          "check that lake.root is writable",
          e);
    }
    pruneExcept(lake, version);
    Dataset<Row> keys = spark.read().format("delta").option("versionAsOf", indexVersion).load(path);
    return new HistoryKeys(keys, version);
  }

  private static String tablePath(Lake lake) {
    return lake.sidePath("dedupe/keys");
  }

  private static Path manifest(Lake lake, long version) {
    return new Path(lake.sidePath("dedupe/" + MANIFEST_PREFIX + version + ".properties"));
  }

  /**
   * The high ({@code hi}) or low 64 bits of a 32-character lowercase hex string as a signed long,
   * or null when {@code s} is not one.
   */
  static Long half(String s, boolean hi) {
    if (s == null || s.length() != 32) {
      return null;
    }
    for (int i = 0; i < 32; i++) {
      char c = s.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return null;
      }
    }
    return Long.parseUnsignedLong(hi ? s.substring(0, 16) : s.substring(16), 16);
  }

  /** The 32-character lowercase hex string of two halves ({@link #half}'s inverse). */
  static String hex(long hi, long lo) {
    HexFormat f = HexFormat.of();
    return f.toHexDigits(hi) + f.toHexDigits(lo);
  }

  /** {@link #half} of a dedupe key; fails on a key that is not 32 lowercase hex characters. */
  static long keyHalf(String key, boolean hi) {
    Long v = half(key, hi);
    if (v == null) {
      throw new IllegalStateException(
          "dedupe_key '"
              + key
              + "' is not 32 lowercase hex characters; keys are written by the dedupe stage"
              + " (DedupeKey), so this table was written by something else");
    }
    return v;
  }

  /** {@link #keyHalf(String, boolean)} as a Spark UDF. */
  static UserDefinedFunction keyHalf(boolean hi) {
    return udf((UDF1<String, Long>) s -> keyHalf(s, hi), DataTypes.LongType).asNonNullable();
  }

  /** A half of a record id, null when the id is not 32 lowercase hex characters. */
  static UserDefinedFunction idHalf(boolean hi) {
    return udf((UDF1<String, Long>) s -> half(s, hi), DataTypes.LongType);
  }
}
