package io.instructlake.dedupe;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.hex;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.lpad;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.not;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.sketch.BloomFilter;

/**
 * Splits candidate rows (with a {@code dedupe_key} column) into those whose key is in history and
 * those whose key is not, using a Bloom filter over history's keys as a pre-filter: rows the filter
 * says are new skip the lookup entirely; only flagged rows are confirmed against the exact keys
 * (history's {@link HistoryKeys} index, joined with the flagged keys). A false positive therefore
 * costs a lookup and never marks a unique row as a duplicate.
 *
 * <p>The filter is broadcast once and probed in a filter expression (Spark SQL's {@code
 * might_contain} is not callable by name, so the Java {@link BloomFilter} API is used). Up to
 * {@link #COLLECT_LIMIT} flagged keys (the usual case: the batch's true duplicates plus the false
 * positives) are collected on the driver, looked up with one broadcast join against the index, and
 * the (small) matches are collected too: one scan of the index and no shuffle. More flagged keys
 * than that are confirmed with a distributed join.
 */
public final class BloomGuardedLookup {
  /** Column holding the matched history record id in {@link #duplicates()}. */
  public static final String HISTORY_ID = "_hist_id";

  /** Up to this many flagged keys are confirmed through the driver (a broadcast join). */
  static final int COLLECT_LIMIT = 1_000_000;

  private static final String FLAG = "_flag";

  private final Dataset<Row> probed;
  private final Dataset<Row> unique;
  private final Dataset<Row> duplicates;
  private final Dataset<Row> hits;
  private final long positives;
  private final long confirmed;

  private BloomGuardedLookup(
      Dataset<Row> probed,
      Dataset<Row> unique,
      Dataset<Row> duplicates,
      Dataset<Row> hits,
      long positives,
      long confirmed) {
    this.probed = probed;
    this.unique = unique;
    this.duplicates = duplicates;
    this.hits = hits;
    this.positives = positives;
    this.confirmed = confirmed;
  }

  /**
   * Runs the lookup: probes the candidates (one job), confirms the flagged keys against the index
   * (one scan of it).
   *
   * @param candidates rows with {@code dedupe_key}, distinct keys
   * @param historyKeys history's key index ({@link HistoryKeys#keys()} or {@link
   *     HistoryKeys#project} of history)
   * @param filter a Bloom filter holding every key of the history
   */
  public static BloomGuardedLookup run(
      Dataset<Row> candidates, Dataset<Row> historyKeys, BloomFilter filter) {
    return run(candidates, historyKeys, filter, COLLECT_LIMIT);
  }

  /**
   * {@link #run(Dataset, Dataset, BloomFilter)} with another driver limit (tests: 0 forces the
   * join).
   */
  static BloomGuardedLookup run(
      Dataset<Row> candidates, Dataset<Row> historyKeys, BloomFilter filter, int collectLimit) {
    SparkSession spark = candidates.sparkSession();
    Broadcast<BloomFilter> bc =
        JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(filter);
    Dataset<Row> probed =
        candidates
            .withColumn(FLAG, DedupeUdfs.mightContain(bc).apply(col(DedupeStage.DEDUPE_KEY)))
            .persist(StorageLevel.MEMORY_AND_DISK());
    Dataset<Row> flagged = probed.where(col(FLAG));
    List<Row> flaggedKeys =
        flagged.select(DedupeStage.DEDUPE_KEY).limit(collectLimit + 1).collectAsList();
    long positives;
    Dataset<Row> hits;
    long confirmed;
    if (flaggedKeys.size() <= collectLimit) {
      positives = flaggedKeys.size();
      List<Row> found = confirmOnDriver(spark, flaggedKeys, historyKeys);
      confirmed = found.size();
      hits = broadcast(spark.createDataFrame(found, HITS));
    } else {
      positives = flagged.count();
      Dataset<Row> probe =
          flagged.select(
              HistoryKeys.keyHalf(true).apply(col(DedupeStage.DEDUPE_KEY)).as(HistoryKeys.KEY_HI),
              HistoryKeys.keyHalf(false).apply(col(DedupeStage.DEDUPE_KEY)).as(HistoryKeys.KEY_LO),
              col(DedupeStage.DEDUPE_KEY));
      hits =
          historyKeys
              .join(probe, toSeq(HistoryKeys.KEY_HI, HistoryKeys.KEY_LO))
              .groupBy(DedupeStage.DEDUPE_KEY)
              .agg(min(recordId()).as(HISTORY_ID))
              .persist(StorageLevel.MEMORY_AND_DISK());
      confirmed = hits.count();
    }
    Dataset<Row> dups = flagged.join(hits, DedupeStage.DEDUPE_KEY).drop(FLAG);
    Dataset<Row> unique =
        probed
            .where(not(col(FLAG)))
            .unionByName(
                flagged.join(
                    hits,
                    flagged.col(DedupeStage.DEDUPE_KEY).equalTo(hits.col(DedupeStage.DEDUPE_KEY)),
                    "left_anti"))
            .drop(FLAG);
    return new BloomGuardedLookup(probed, unique, dups, hits, positives, confirmed);
  }

  private static final StructType PROBE =
      new StructType()
          .add(HistoryKeys.KEY_HI, DataTypes.LongType, false)
          .add(HistoryKeys.KEY_LO, DataTypes.LongType, false)
          .add(DedupeStage.DEDUPE_KEY, DataTypes.StringType, false);

  private static final StructType HITS =
      new StructType()
          .add(DedupeStage.DEDUPE_KEY, DataTypes.StringType, false)
          .add(HISTORY_ID, DataTypes.StringType, false);

  /**
   * Looks the flagged keys up in the index with one broadcast join and returns {@code (dedupe_key,
   * smallest matching record id)} per key found.
   */
  private static List<Row> confirmOnDriver(
      SparkSession spark, List<Row> flaggedKeys, Dataset<Row> historyKeys) {
    if (flaggedKeys.isEmpty()) {
      return List.of();
    }
    List<Row> probe = new ArrayList<>(flaggedKeys.size());
    for (Row r : flaggedKeys) {
      String k = r.getString(0);
      probe.add(RowFactory.create(HistoryKeys.keyHalf(k, true), HistoryKeys.keyHalf(k, false), k));
    }
    List<Row> matches =
        historyKeys
            .select(
                HistoryKeys.KEY_HI,
                HistoryKeys.KEY_LO,
                HistoryKeys.RID_HI,
                HistoryKeys.RID_LO,
                HistoryKeys.RID)
            .join(
                broadcast(spark.createDataFrame(probe, PROBE)),
                toSeq(HistoryKeys.KEY_HI, HistoryKeys.KEY_LO))
            .select(
                col(DedupeStage.DEDUPE_KEY),
                col(HistoryKeys.RID_HI),
                col(HistoryKeys.RID_LO),
                col(HistoryKeys.RID))
            .collectAsList();
    // The smallest record id per key (silver holds one row per key; the rule keeps it stable).
    Map<String, String> minId = new TreeMap<>();
    for (Row m : matches) {
      String id = m.isNullAt(1) ? m.getString(3) : HistoryKeys.hex(m.getLong(1), m.getLong(2));
      minId.merge(m.getString(0), id, (a, b) -> a.compareTo(b) <= 0 ? a : b);
    }
    List<Row> out = new ArrayList<>(minId.size());
    minId.forEach((k, id) -> out.add(RowFactory.create(k, id)));
    return out;
  }

  /** The record id of an index row as a string column. */
  private static Column recordId() {
    Column hexId =
        concat(
            lpad(lower(hex(col(HistoryKeys.RID_HI))), 16, "0"),
            lpad(lower(hex(col(HistoryKeys.RID_LO))), 16, "0"));
    return coalesce(col(HistoryKeys.RID), hexId);
  }

  private static scala.collection.immutable.Seq<String> toSeq(String... names) {
    return scala.jdk.javaapi.CollectionConverters.asScala(List.of(names)).toList();
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

  /** Unpersists the probed candidates (after the results have been written or counted). */
  public void release() {
    probed.unpersist(false);
    hits.unpersist(false);
  }
}
