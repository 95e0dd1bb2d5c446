package io.instructlake.dedupe;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.array_distinct;
import static org.apache.spark.sql.functions.array_union;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.flatten;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lpad;
import static org.apache.spark.sql.functions.posexplode;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.sort_array;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.substring;
import static org.apache.spark.sql.functions.substring_index;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.unix_micros;
import static org.apache.spark.sql.functions.when;

import io.instructlake.lake.Quarantine;
import io.instructlake.lake.RecordSchema;
import io.instructlake.lake.StageOutput;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.sketch.BloomFilter;
import scala.Tuple2;

/**
 * Dedupes one batch of records: exact duplicates within the batch and against history, then near
 * duplicates (MinHash LSH, verified by exact Jaccard) within the batch and against history.
 *
 * <p><b>Survivor rule</b> (stable, so reruns choose the same record): a history record always
 * survives over a new one; among new records the earliest {@code ingest_time} (nulls last), then
 * the earliest position in the input ({@code source_file}, then {@code source_line}), then the
 * smallest {@code record_id}. "First seen wins" is what makes nightly runs over batches that arrive
 * in order (paths that sort by arrival, e.g. dated directories) choose the same survivors as one
 * run over their union, and it settles ties between rows with the same content (and so the same
 * record id) that a rule on ids alone would leave to chance.
 *
 * <p><b>Exact</b>: one survivor per {@code dedupe_key} ({@link DedupeKey}). Batch survivors are
 * probed against the history {@link BloomFilter} (broadcast once, checked in a filter); those it
 * says are new skip the join; only flagged keys are looked up in history's exact keys ({@link
 * HistoryKeys}, joined with the broadcast flagged keys), so a false positive costs a lookup and
 * never drops a unique record.
 *
 * <p><b>Near</b>: band keys ({@link MinHasher}) of new records, and history's stored band keys
 * ({@code minhash_bands}, recomputed only for rows written with other {@code lsh_params}), are
 * grouped by (band, key); each bucket with a new member yields candidate pairs involving at least
 * one new record; pairs are verified by exact Jaccard of shingle sets (computed only for nodes in
 * candidate pairs); clusters are the {@link ConnectedComponents} of verified pairs; every new
 * non-survivor is dropped as {@code duplicate_near}. Records whose text is empty have no bands and
 * are kept; short records are shingled (one shingle at least) and compared like any other.
 *
 * <p><b>Output</b>: kept rows are the input columns plus {@code dedupe_key}, {@code lineage}
 * (sorted bronze record ids the survivor stands for in this batch, itself included), {@code
 * minhash_bands} and {@code lsh_params}. Dropped rows go to quarantine with {@code duplicate_of}
 * (the survivor's id; for a batch duplicate whose survivor duplicates history, the history record)
 * and {@code similarity} (1.0 exact; Jaccard with the survivor for near duplicates).
 */
public final class DedupeStage {
  /** Stage name in runs and quarantine. */
  public static final String STAGE = "dedupe";

  /** The exact key column (in silver.records, used by the history Bloom filter). */
  public static final String DEDUPE_KEY = "dedupe_key";

  /** Bronze record ids the kept row stands for. */
  public static final String LINEAGE = "lineage";

  /** Stored LSH band keys (array of bigint), so history's signatures are never recomputed. */
  public static final String MINHASH_BANDS = "minhash_bands";

  /** Settings the stored band keys were computed with ({@link DedupeOptions#lshParams()}). */
  public static final String LSH_PARAMS = "lsh_params";

  public static final String REASON_EXACT = "duplicate_exact";
  public static final String REASON_NEAR = "duplicate_near";

  private static final String NODE = "_node";
  private static final String[] OWN = {DEDUPE_KEY, LINEAGE, MINHASH_BANDS, LSH_PARAMS};

  private final DedupeOptions options;
  private final Dataset<Row> history;
  private final BloomFilter bloom;
  private final Dataset<Row> historyKeys;
  private final List<Dataset<?>> cached = new ArrayList<>();
  private BloomGuardedLookup lookup;
  private Dataset<Row> verifiedPairs;
  private final List<Dataset<Row>> historyLineageParts = new ArrayList<>();

  private DedupeStage(Builder b) {
    this.options = b.options;
    this.history = b.history;
    this.bloom = b.bloom;
    this.historyKeys = b.historyKeys;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Dedupes {@code batch} (bronze schema, extra columns carried through). Runs the Spark jobs that
   * the counters need; the returned datasets are cached until {@link #release()}.
   */
  public StageOutput dedupe(Dataset<Row> batch) {
    RecordSchema.require(STAGE, batch.schema(), RecordSchema.BRONZE);
    SparkSession spark = batch.sparkSession();
    for (String c : OWN) {
      if (Arrays.asList(batch.columns()).contains(c)) {
        batch = batch.drop(c);
      }
    }
    String[] inputCols = batch.columns();
    Map<String, Long> counters = new LinkedHashMap<>();

    // ---- exact, within the batch
    Dataset<Row> keyed =
        batch.withColumn(
            DEDUPE_KEY,
            DedupeUdfs.key(options.dedupeKey())
                .apply(
                    col(RecordSchema.SYSTEM), col(RecordSchema.MESSAGES), col(RecordSchema.TOOLS)));
    Dataset<Row> unique;
    Dataset<Row> batchDup;
    if (options.exactEnabled()) {
      WindowSpec ordered =
          Window.partitionBy(DEDUPE_KEY)
              .orderBy(
                  col(RecordSchema.INGEST_TIME).asc_nulls_last(),
                  col(RecordSchema.SOURCE_FILE).asc_nulls_last(),
                  col(RecordSchema.SOURCE_LINE).asc_nulls_last(),
                  col(RecordSchema.RECORD_ID).asc());
      Dataset<Row> ranked =
          keep(
              keyed
                  .withColumn("_rn", row_number().over(ordered))
                  .withColumn("_survivor", first(col(RecordSchema.RECORD_ID)).over(ordered))
                  .withColumn(
                      LINEAGE,
                      sort_array(
                          collect_list(col(RecordSchema.RECORD_ID))
                              .over(Window.partitionBy(DEDUPE_KEY)))));
      counters.put("in", ranked.count());
      unique = ranked.where(col("_rn").equalTo(1)).drop("_rn", "_survivor");
      batchDup = ranked.where(col("_rn").gt(1));
    } else {
      unique = keep(keyed.withColumn(LINEAGE, array(col(RecordSchema.RECORD_ID))));
      counters.put("in", unique.count());
      batchDup = null;
    }

    // ---- exact, against history through the Bloom filter
    Dataset<Row> hits = null;
    long positives = 0;
    long confirmed = 0;
    if (options.exactEnabled() && history != null) {
      requireHistory();
      BloomFilter f =
          bloom != null
              ? bloom
              : SparkBloomFilters.build(
                  history, DEDUPE_KEY, options.bloomExpectedItems(), options.bloomFpp());
      lookup =
          BloomGuardedLookup.run(
              unique, historyKeys != null ? historyKeys : HistoryKeys.project(history), f);
      positives = lookup.positives();
      confirmed = lookup.confirmed();
      hits = keep(lookup.hits());
      Dataset<Row> histDup = lookup.duplicates();
      historyLineageParts.add(
          histDup.select(col("_hist_id").as(RecordSchema.RECORD_ID), col(LINEAGE).as("_added")));
      unique = keep(lookup.unique());
      Dataset<Row> qHist =
          quarantine(
              histDup,
              REASON_EXACT,
              col("_hist_id"),
              lit(1.0),
              concat(lit("same normalized content as history record "), col("_hist_id")));
      counters.put("exact_dropped_history", confirmed);
      counters.put("bloom_positives", positives);
      counters.put("bloom_confirmed", confirmed);
      counters.put("bloom_false_positives_avoided", positives - confirmed);
      batchDup =
          batchDup == null
              ? null
              : batchDup
                  .join(hits, batchDup.col(DEDUPE_KEY).equalTo(hits.col(DEDUPE_KEY)), "left")
                  .drop(hits.col(DEDUPE_KEY));
      Dataset<Row> qBatch = exactBatchQuarantine(batchDup, true);
      counters.put("exact_dropped_batch", qBatch.count());
      return near(spark, unique, qBatch.unionByName(qHist), inputCols, counters);
    }
    Dataset<Row> qBatch =
        batchDup == null ? emptyQuarantine(spark) : exactBatchQuarantine(batchDup, false);
    counters.put("exact_dropped_batch", batchDup == null ? 0L : qBatch.count());
    counters.put("exact_dropped_history", 0L);
    counters.put("bloom_positives", 0L);
    counters.put("bloom_confirmed", 0L);
    counters.put("bloom_false_positives_avoided", 0L);
    return near(spark, unique, qBatch, inputCols, counters);
  }

  private Dataset<Row> exactBatchQuarantine(Dataset<Row> batchDup, boolean withHistory) {
    Column dupOf = withHistory ? coalesce(col("_hist_id"), col("_survivor")) : col("_survivor");
    return keep(
        quarantine(
            batchDup,
            REASON_EXACT,
            dupOf,
            lit(1.0),
            concat(lit("same normalized content as "), dupOf)));
  }

  private StageOutput near(
      SparkSession spark,
      Dataset<Row> unique,
      Dataset<Row> exactDropped,
      String[] inputCols,
      Map<String, Long> counters) {
    ContentNormalizer norm = options.normalizer();
    Shingler shingler = options.shingler();
    MinHasher mh = options.minHasher();
    String params = options.lshParams();
    UserDefinedFunction bandsUdf = DedupeUdfs.bands(norm, shingler, mh);
    UserDefinedFunction shinglesUdf = DedupeUdfs.shingles(norm, shingler);
    Column sys = col(RecordSchema.SYSTEM);
    Column msgs = col(RecordSchema.MESSAGES);

    List<String> outCols = new ArrayList<>(Arrays.asList(inputCols));
    outCols.addAll(Arrays.asList(OWN));
    Column[] out = outCols.stream().map(c -> col(c)).toArray(Column[]::new);

    if (!options.nearEnabled()) {
      Dataset<Row> kept =
          keep(
              unique
                  .withColumn(
                      MINHASH_BANDS, lit(null).cast(DataTypes.createArrayType(DataTypes.LongType)))
                  .withColumn(LSH_PARAMS, lit(null).cast(DataTypes.StringType))
                  .select(out));
      for (String k :
          List.of("near_candidates", "near_verified_pairs", "near_clusters", "near_dropped")) {
        counters.put(k, 0L);
      }
      return output(kept, exactDropped, counters);
    }

    Dataset<Row> fresh =
        keep(
            unique
                .withColumn(MINHASH_BANDS, bandsUdf.apply(sys, msgs))
                .withColumn(LSH_PARAMS, lit(params))
                .withColumn(NODE, nodeKey("1")));
    Dataset<Row> newBands =
        fresh.select(col(NODE), posexplode(col(MINHASH_BANDS)).as(new String[] {"_band", "_bkey"}));
    Dataset<Row> allBands = newBands;
    Dataset<Row> histNodes = null;
    if (history != null) {
      histNodes = history.withColumn(NODE, nodeKey("0"));
      boolean hasStored =
          Arrays.asList(history.columns()).containsAll(List.of(MINHASH_BANDS, LSH_PARAMS));
      Column histBandsCol =
          hasStored
              ? when(col(LSH_PARAMS).equalTo(lit(params)), col(MINHASH_BANDS))
                  .otherwise(bandsUdf.apply(sys, msgs))
              : bandsUdf.apply(sys, msgs);
      Dataset<Row> histBands =
          histNodes
              .select(col(NODE), posexplode(histBandsCol).as(new String[] {"_band", "_bkey"}))
              .join(
                  newBands.select("_band", "_bkey").distinct(),
                  new String[] {"_band", "_bkey"},
                  "left_semi");
      allBands = newBands.unionByName(histBands);
    }
    int cap = options.maxBucketCompare();
    Dataset<Row> pairs =
        keep(
            allBands
                .groupBy("_band", "_bkey")
                .agg(sort_array(collect_list(col(NODE))).as("_members"))
                .where(size(col("_members")).gt(1))
                .select("_members")
                .flatMap(
                    (FlatMapFunction<Row, Tuple2<String, String>>)
                        r -> bucketPairs(r.getList(0), cap),
                    Encoders.tuple(Encoders.STRING(), Encoders.STRING()))
                .toDF("_a", "_b")
                .distinct());
    long candidates = pairs.count();

    Dataset<Row> pairNodes =
        pairs.select(col("_a").as(NODE)).union(pairs.select(col("_b").as(NODE))).distinct();
    Dataset<Row> sh =
        fresh
            .join(pairNodes, fresh.col(NODE).equalTo(pairNodes.col(NODE)), "left_semi")
            .select(col(NODE), shinglesUdf.apply(sys, msgs).as("_sh"));
    if (histNodes != null) {
      sh =
          sh.unionByName(
              histNodes
                  .join(pairNodes, histNodes.col(NODE).equalTo(pairNodes.col(NODE)), "left_semi")
                  .select(col(NODE), shinglesUdf.apply(sys, msgs).as("_sh")));
    }
    sh = keep(sh);
    UserDefinedFunction jac = DedupeUdfs.jaccard();
    Dataset<Row> a = sh.toDF("_na", "_sha");
    Dataset<Row> b = sh.toDF("_nb", "_shb");
    Dataset<Row> verified =
        keep(
            pairs
                .join(a, col("_a").equalTo(col("_na")))
                .join(b, col("_b").equalTo(col("_nb")))
                .select(col("_a"), col("_b"), jac.apply(col("_sha"), col("_shb")).as("_sim"))
                .where(col("_sim").geq(options.threshold())));
    long verifiedCount = verified.count();
    this.verifiedPairs =
        verified.select(
            substring_index(col("_a"), "|", -1).as("a"),
            substring_index(col("_b"), "|", -1).as("b"),
            col("_sim").as("similarity"));

    Dataset<Row> labels =
        keep(
            ConnectedComponents.of(
                verified.select(
                    col("_a").as(ConnectedComponents.SRC), col("_b").as(ConnectedComponents.DST))));
    long clusters = labels.select(ConnectedComponents.LABEL).distinct().count();
    Dataset<Row> dropNodes =
        labels
            .where(
                col(ConnectedComponents.NODE)
                    .notEqual(col(ConnectedComponents.LABEL))
                    .and(col(ConnectedComponents.NODE).startsWith("1")))
            .join(a, col(ConnectedComponents.NODE).equalTo(col("_na")))
            .join(b, col(ConnectedComponents.LABEL).equalTo(col("_nb")))
            .select(
                col(ConnectedComponents.NODE).as("_dnode"),
                col(ConnectedComponents.LABEL).as("_label"),
                jac.apply(col("_sha"), col("_shb")).as("_sim"));
    Dataset<Row> nearDropped =
        keep(fresh.join(dropNodes, fresh.col(NODE).equalTo(dropNodes.col("_dnode"))));
    long nearDroppedCount = nearDropped.count();
    Column survivorId = substring_index(col("_label"), "|", -1);
    Dataset<Row> qNear =
        quarantine(
            nearDropped,
            REASON_NEAR,
            survivorId,
            col("_sim"),
            concat(lit("near duplicate (Jaccard of shingles) of "), survivorId));

    if (history != null) {
      historyLineageParts.add(
          nearDropped
              .where(col("_label").startsWith("0"))
              .select(survivorId.as(RecordSchema.RECORD_ID), col(LINEAGE).as("_added")));
    }
    Dataset<Row> extra =
        nearDropped
            .where(col("_label").startsWith("1"))
            .groupBy("_label")
            .agg(flatten(collect_list(col(LINEAGE))).as("_extra"));
    Dataset<Row> survivors =
        fresh.join(dropNodes, fresh.col(NODE).equalTo(dropNodes.col("_dnode")), "left_anti");
    Dataset<Row> kept =
        keep(
            survivors
                .join(extra, survivors.col(NODE).equalTo(extra.col("_label")), "left")
                .withColumn(
                    LINEAGE,
                    sort_array(
                        array_union(
                            col(LINEAGE),
                            coalesce(
                                col("_extra"),
                                lit(new String[0])
                                    .cast(DataTypes.createArrayType(DataTypes.StringType))))))
                .select(out));
    counters.put("near_candidates", candidates);
    counters.put("near_verified_pairs", verifiedCount);
    counters.put("near_clusters", clusters);
    counters.put("near_dropped", nearDroppedCount);
    return output(kept, exactDropped.unionByName(qNear), counters);
  }

  /**
   * What the batch adds to the lineage of history records it duplicates: one row per history {@code
   * record_id} that new records duplicate (exactly or nearly), with {@code lineage} the sorted
   * distinct bronze ids of those new records and of the batch duplicates they stand for. {@link
   * io.instructlake.dedupe.DedupeJob} merges it into {@code silver.records}, so a survivor's
   * lineage is the same whether its duplicates arrived in its own run or in later ones. Empty
   * without history; valid after {@link #dedupe}.
   */
  public Dataset<Row> historyLineage(SparkSession spark) {
    Dataset<Row> all = null;
    for (Dataset<Row> part : historyLineageParts) {
      all = all == null ? part : all.unionByName(part);
    }
    if (all == null) {
      return spark.createDataFrame(
          List.of(),
          new StructType()
              .add(RecordSchema.RECORD_ID, DataTypes.StringType)
              .add(LINEAGE, DataTypes.createArrayType(DataTypes.StringType)));
    }
    return all.groupBy(RecordSchema.RECORD_ID)
        .agg(sort_array(array_distinct(flatten(collect_list(col("_added"))))).as(LINEAGE));
  }

  private StageOutput output(Dataset<Row> kept, Dataset<Row> dropped, Map<String, Long> counters) {
    StageOutput.Builder b =
        StageOutput.builder().setStage(STAGE).setKept(kept).setDropped(keep(dropped));
    counters.forEach(b::optCounter);
    return b.build();
  }

  /**
   * Candidate pairs of one LSH bucket (members sorted by node key, i.e. by survivor rule): every
   * pair {@code (i, j)}, {@code i < j}, {@code i < cap}, with at least one new member.
   */
  static java.util.Iterator<Tuple2<String, String>> bucketPairs(List<String> members, int cap) {
    List<Tuple2<String, String>> out = new ArrayList<>();
    int n = members.size();
    for (int i = 0; i < Math.min(n, cap); i++) {
      String x = members.get(i);
      boolean xNew = x.charAt(0) == '1';
      for (int j = i + 1; j < n; j++) {
        String y = members.get(j);
        if (xNew || y.charAt(0) == '1') {
          out.add(new Tuple2<>(x, y));
        }
      }
    }
    return out.iterator();
  }

  /**
   * A string whose order is the survivor rule: history ("0") before new ("1"), then ingest time
   * (nulls last), then source file and line (nulls last), then record id; the record id follows the
   * last {@code |}.
   */
  static Column nodeKey(String prefix) {
    Column micros =
        coalesce(unix_micros(col(RecordSchema.INGEST_TIME)), lit(Long.MAX_VALUE)).cast("string");
    // U+FFFF sorts after every path character, so a missing file or line sorts last.
    Column file = coalesce(col(RecordSchema.SOURCE_FILE), lit("\uffff"));
    Column line = coalesce(col(RecordSchema.SOURCE_LINE), lit(Long.MAX_VALUE)).cast("string");
    return concat(
        lit(prefix),
        lpad(micros, 19, "0"),
        lit("\u0001"),
        file,
        lit("\u0001"),
        lpad(line, 19, "0"),
        lit("|"),
        col(RecordSchema.RECORD_ID));
  }

  private static Dataset<Row> quarantine(
      Dataset<Row> rows, String reason, Column dupOf, Column similarity, Column detail) {
    return Quarantine.rows(rows)
        .setStage(STAGE)
        .setReason(lit(reason))
        .optRaw(
            substring(
                to_json(
                    struct(
                        col(RecordSchema.SYSTEM),
                        col(RecordSchema.MESSAGES),
                        col(RecordSchema.TOOLS))),
                1,
                2000))
        .optDetail(detail)
        .optDuplicateOf(dupOf, similarity)
        .build();
  }

  private static Dataset<Row> emptyQuarantine(SparkSession spark) {
    return spark.createDataFrame(new ArrayList<Row>(), Quarantine.SCHEMA);
  }

  private void requireHistory() {
    StructType need =
        new StructType()
            .add(RecordSchema.RECORD_ID, DataTypes.StringType)
            .add(DEDUPE_KEY, DataTypes.StringType)
            .add(RecordSchema.SYSTEM, DataTypes.StringType)
            .add(RecordSchema.MESSAGES, RecordSchema.MESSAGE_ARRAY)
            .add(RecordSchema.INGEST_TIME, DataTypes.TimestampType);
    RecordSchema.require(STAGE + " (history silver.records)", history.schema(), need);
  }

  private <T> Dataset<T> keep(Dataset<T> ds) {
    Dataset<T> p = ds.persist(StorageLevel.MEMORY_AND_DISK());
    cached.add(p);
    return p;
  }

  /**
   * The verified near-duplicate pairs of the last {@link #dedupe} call (record ids {@code a},
   * {@code b} and their Jaccard {@code similarity}); null before it or when near dedupe is off. For
   * tests and reports.
   */
  public Dataset<Row> verifiedPairs() {
    return verifiedPairs;
  }

  /** Unpersists the datasets this stage cached (call after the output is written). */
  public void release() {
    for (Dataset<?> d : cached) {
      d.unpersist(false);
    }
    cached.clear();
    if (lookup != null) {
      lookup.release();
      lookup = null;
    }
  }

  /** Builder; {@code setOptions} is required. */
  public static final class Builder {
    private DedupeOptions options;
    private Dataset<Row> history;
    private BloomFilter bloom;
    private Dataset<Row> historyKeys;

    /** Dedupe settings (required). */
    public Builder setOptions(DedupeOptions options) {
      this.options = options;
      return this;
    }

    /**
     * Records already kept ({@code silver.records}, with {@code dedupe_key}); default none (the
     * batch is deduped on its own).
     */
    public Builder optHistory(Dataset<Row> history) {
      this.history = history;
      return this;
    }

    /**
     * A Bloom filter holding every {@code dedupe_key} of the history; default: built from the
     * history with the configured capacity and fpp.
     */
    public Builder optBloom(BloomFilter bloom) {
      this.bloom = bloom;
      return this;
    }

    /**
     * History's exact keys in numeric form ({@link HistoryKeys#keys()}), which Bloom positives are
     * confirmed against; default: computed from the history ({@link HistoryKeys#project}), which
     * gives the same answer but reads history's string columns.
     */
    public Builder optHistoryKeys(Dataset<Row> historyKeys) {
      this.historyKeys = historyKeys;
      return this;
    }

    public DedupeStage build() {
      Objects.requireNonNull(options, "options are required (setOptions)");
      if (bloom != null && history == null) {
        throw new IllegalArgumentException("a Bloom filter was given without history (optHistory)");
      }
      if (historyKeys != null && history == null) {
        throw new IllegalArgumentException(
            "a key index was given without history (optHistory); pass both or neither");
      }
      return new DedupeStage(this);
    }
  }
}
