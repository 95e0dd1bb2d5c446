package io.instructlake.dedupe;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.not;

import io.instructlake.lake.RecordSchema;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.sketch.BloomFilter;

/**
 * Splits candidate rows (with a {@code dedupe_key} column) into those whose key is in history and
 * those whose key is not, using a Bloom filter over history's keys as a pre-filter: rows the filter
 * says are new skip the lookup entirely; only flagged rows are confirmed against the exact keys (a
 * join of history's key column with the broadcast flagged keys). A false positive therefore costs a
 * lookup and never marks a unique row as a duplicate.
 *
 * <p>The filter is broadcast once and probed in a filter expression (Spark SQL's {@code
 * might_contain} is not callable by name, so the Java {@link BloomFilter} API is used).
 */
public final class BloomGuardedLookup {
  /** Column holding the matched history record id in {@link #duplicates()}. */
  public static final String HISTORY_ID = "_hist_id";

  /** Above this many positives the flagged keys are not broadcast (plain join instead). */
  static final long BROADCAST_LIMIT = 2_000_000L;

  private final Dataset<Row> unique;
  private final Dataset<Row> duplicates;
  private final Dataset<Row> hits;
  private final long positives;
  private final long confirmed;

  private BloomGuardedLookup(
      Dataset<Row> unique,
      Dataset<Row> duplicates,
      Dataset<Row> hits,
      long positives,
      long confirmed) {
    this.unique = unique;
    this.duplicates = duplicates;
    this.hits = hits;
    this.positives = positives;
    this.confirmed = confirmed;
  }

  /**
   * Runs the lookup (two small Spark jobs: counting positives and confirmed duplicates).
   *
   * @param candidates rows with {@code dedupe_key}, distinct keys
   * @param history rows with {@code dedupe_key} and {@code record_id}
   * @param filter a Bloom filter holding every key of {@code history}
   */
  public static BloomGuardedLookup run(
      Dataset<Row> candidates, Dataset<Row> history, BloomFilter filter) {
    Broadcast<BloomFilter> bc =
        JavaSparkContext.fromSparkContext(candidates.sparkSession().sparkContext())
            .broadcast(filter);
    Dataset<Row> probed =
        candidates
            .withColumn("_flag", DedupeUdfs.mightContain(bc).apply(col(DedupeStage.DEDUPE_KEY)))
            .persist(StorageLevel.MEMORY_AND_DISK());
    Dataset<Row> flagged = probed.where(col("_flag"));
    long positives = flagged.count();
    Dataset<Row> flaggedKeys = flagged.select(DedupeStage.DEDUPE_KEY);
    if (positives <= BROADCAST_LIMIT) {
      flaggedKeys = broadcast(flaggedKeys);
    }
    Dataset<Row> hits =
        history
            .select(col(DedupeStage.DEDUPE_KEY), col(RecordSchema.RECORD_ID).as(HISTORY_ID))
            .join(flaggedKeys, DedupeStage.DEDUPE_KEY)
            .groupBy(DedupeStage.DEDUPE_KEY)
            .agg(min(HISTORY_ID).as(HISTORY_ID))
            .persist(StorageLevel.MEMORY_AND_DISK());
    Dataset<Row> dups = flagged.join(hits, DedupeStage.DEDUPE_KEY).drop("_flag");
    long confirmed = dups.count();
    Dataset<Row> unique =
        probed
            .where(not(col("_flag")))
            .unionByName(
                flagged.join(
                    hits,
                    flagged.col(DedupeStage.DEDUPE_KEY).equalTo(hits.col(DedupeStage.DEDUPE_KEY)),
                    "left_anti"))
            .drop("_flag");
    return new BloomGuardedLookup(unique, dups, hits, positives, confirmed);
  }

  /** Candidates whose key is not in history (false positives included). */
  public Dataset<Row> unique() {
    return unique;
  }

  /** Candidates whose key is in history, with {@link #HISTORY_ID}. */
  public Dataset<Row> duplicates() {
    return duplicates;
  }

  /** {@code dedupe_key}, {@link #HISTORY_ID} of the confirmed keys (small). */
  public Dataset<Row> hits() {
    return hits;
  }

  /** Candidates the filter flagged. */
  public long positives() {
    return positives;
  }

  /** Flagged candidates confirmed in history. */
  public long confirmed() {
    return confirmed;
  }
}
