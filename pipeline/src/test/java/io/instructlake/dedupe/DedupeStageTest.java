package io.instructlake.dedupe;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.sha2;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instructlake.config.PipelineConfig;
import io.instructlake.dedupe.TestRecords.Rec;
import io.instructlake.lake.Quarantine;
import io.instructlake.lake.StageOutput;
import io.instructlake.testkit.SparkTestBase;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.util.sketch.BloomFilter;
import org.junit.jupiter.api.Test;

/** The stage on small seeded data: exact survivors, Bloom safety and accuracy, determinism. */
class DedupeStageTest extends SparkTestBase {
  private static final DedupeOptions EXACT_ONLY =
      DedupeOptions.from(
          PipelineConfig.defaults().with("dedupe.near.enabled", false).section("dedupe"));

  @Test
  void exactWithinBatchKeepsEarliestThenSmallestIdWithLineage() {
    List<Rec> recs =
        List.of(
            new Rec("c", null, "Hello  world", "Hi", 2000, "r1"),
            new Rec("b", null, "Hello world", "Hi", 1000, "r1"),
            new Rec("a", null, "Ｈello world ", "Hi", 1000, "r1"),
            new Rec("d", null, "Something else", "Hi", 500, "r1"));
    DedupeStage stage = DedupeStage.builder().setOptions(EXACT_ONLY).build();
    StageOutput out = stage.dedupe(TestRecords.frame(spark, recs));
    Map<String, List<String>> kept = new TreeMap<>();
    for (Row r : out.kept().collectAsList()) {
      kept.put(r.getAs("record_id"), r.getList(r.fieldIndex(DedupeStage.LINEAGE)));
    }
    // a and b share the earliest time; a has the smaller id. NFKC folds the full-width H.
    assertEquals(Map.of("a", List.of("a", "b", "c"), "d", List.of("d")), kept);
    Map<String, String> dupOf = new TreeMap<>();
    for (Row r : out.dropped().collectAsList()) {
      assertEquals(DedupeStage.REASON_EXACT, r.getAs(Quarantine.REASON));
      assertEquals(1.0, (Double) r.getAs(Quarantine.SIMILARITY));
      dupOf.put(r.getAs(Quarantine.RECORD_ID), r.getAs(Quarantine.DUPLICATE_OF));
    }
    assertEquals(Map.of("b", "a", "c", "a"), dupOf);
    assertEquals(2L, out.counters().get("exact_dropped_batch"));
    stage.release();
  }

  @Test
  void bloomFalsePositivesNeverDropUniqueRecords() {
    for (long seed : new long[] {1, 2}) {
      Random rnd = new Random(seed);
      List<Rec> hist = new ArrayList<>();
      for (int i = 0; i < 1500; i++) {
        hist.add(new Rec("h" + i, null, "history " + i + " " + rnd.nextInt(), "x", 1000, "r0"));
      }
      Dataset<Row> history = keyed(TestRecords.frame(spark, hist));
      // A tiny filter at a high fpp: nearly every probe is a (false) positive.
      BloomFilter tiny = history.stat().bloomFilter(DedupeStage.DEDUPE_KEY, 10, 0.5);
      List<Rec> batch = new ArrayList<>();
      Set<String> unique = new HashSet<>();
      Map<String, String> expectedDup = new HashMap<>();
      for (int i = 0; i < 800; i++) {
        batch.add(new Rec("n" + i, null, "new " + i + " " + rnd.nextInt(), "x", 2000, "r1"));
        unique.add("n" + i);
      }
      for (int i = 0; i < 200; i++) {
        int h = rnd.nextInt(hist.size());
        Rec src = hist.get(h);
        if (expectedDup.containsValue(src.id())) {
          continue;
        }
        batch.add(new Rec("d" + i, null, " " + src.user() + " ", "x", 2000, "r1"));
        expectedDup.put("d" + i, src.id());
      }
      Collections.shuffle(batch, rnd);
      DedupeStage stage =
          DedupeStage.builder().setOptions(EXACT_ONLY).optHistory(history).optBloom(tiny).build();
      StageOutput out = stage.dedupe(TestRecords.frame(spark, batch));
      assertEquals(unique, ids(out.kept(), "record_id"), "seed " + seed);
      Map<String, String> dup = new HashMap<>();
      for (Row r : out.dropped().collectAsList()) {
        dup.put(r.getAs(Quarantine.RECORD_ID), r.getAs(Quarantine.DUPLICATE_OF));
      }
      assertEquals(expectedDup, dup, "seed " + seed);
      long positives = out.counters().get("bloom_positives");
      assertEquals(expectedDup.size(), out.counters().get("bloom_confirmed"));
      assertEquals(
          positives - expectedDup.size(), out.counters().get("bloom_false_positives_avoided"));
      assertTrue(positives > 700, "a tiny filter should flag most records, got " + positives);
      stage.release();
    }
  }

  /**
   * The two ways of confirming Bloom positives against the numeric key index (through the driver
   * for the usual small count, a distributed join beyond it) give the same answer, for history ids
   * that are 32 hex characters (stored as two bigints) and ids that are not (stored as a string).
   */
  @Test
  void driverAndDistributedConfirmAgreeForHexAndOtherIds() {
    Random rnd = new Random(3);
    List<Rec> hist = new ArrayList<>();
    for (int i = 0; i < 600; i++) {
      String id = i % 2 == 0 ? DedupeKey.sha256Hex32("id" + i) : "h" + i;
      hist.add(new Rec(id, null, "history " + i + " " + rnd.nextInt(), "x", 1000, "r0"));
    }
    Dataset<Row> history = keyed(TestRecords.frame(spark, hist)).cache();
    List<Rec> batch = new ArrayList<>();
    Map<String, String> expectedDup = new TreeMap<>();
    for (int i = 0; i < 300; i++) {
      batch.add(new Rec("n" + i, null, "new " + i + " " + rnd.nextInt(), "x", 2000, "r1"));
    }
    for (int i = 0; i < 600; i += 7) {
      batch.add(new Rec("d" + i, null, hist.get(i).user(), "x", 2000, "r1"));
      expectedDup.put("d" + i, hist.get(i).id());
    }
    Dataset<Row> candidates = keyed(TestRecords.frame(spark, batch)).cache();
    BloomFilter tiny = history.stat().bloomFilter(DedupeStage.DEDUPE_KEY, 10, 0.5);
    Dataset<Row> index = HistoryKeys.project(history);
    for (int limit : new int[] {BloomGuardedLookup.COLLECT_LIMIT, 0}) {
      BloomGuardedLookup l = BloomGuardedLookup.run(candidates, index, tiny, limit);
      Map<String, String> dup = new TreeMap<>();
      for (Row r :
          l.duplicates().select("record_id", BloomGuardedLookup.HISTORY_ID).collectAsList()) {
        dup.put(r.getString(0), r.getString(1));
      }
      assertEquals(expectedDup, dup, "collect limit " + limit);
      Set<String> unique = ids(l.unique(), "record_id");
      assertEquals(300, unique.size(), "collect limit " + limit);
      assertTrue(unique.stream().allMatch(id -> id.startsWith("n")), "collect limit " + limit);
      assertEquals(expectedDup.size(), l.confirmed());
      assertTrue(l.positives() > 300, "a tiny filter flags most keys, got " + l.positives());
      l.release();
    }
    history.unpersist();
    candidates.unpersist();
  }

  /** The index stores a 128-bit hex string as two signed longs and gives it back unchanged. */
  @Test
  void keyHalvesRoundTripThroughSignedLongs() {
    String k = "ffffffffffffffff0000000000000001";
    assertEquals(-1L, HistoryKeys.half(k, true));
    assertEquals(1L, HistoryKeys.half(k, false));
    assertEquals(k, HistoryKeys.hex(-1L, 1L));
    String sha = DedupeKey.sha256Hex32("abc");
    // SHA-256("abc") starts ba7816bf8f01cfea 414140de5dae2223 (FIPS 180-2, appendix B.1).
    assertEquals("ba7816bf8f01cfea414140de5dae2223", sha);
    assertEquals(0xba7816bf8f01cfeaL, HistoryKeys.half(sha, true));
    assertEquals(0x414140de5dae2223L, HistoryKeys.half(sha, false));
    assertEquals(sha, HistoryKeys.hex(HistoryKeys.half(sha, true), HistoryKeys.half(sha, false)));
    assertEquals(null, HistoryKeys.half(sha.toUpperCase(java.util.Locale.ROOT), true));
    assertEquals(null, HistoryKeys.half(sha.substring(1), true));
    assertEquals(null, HistoryKeys.half("h12", false));
  }

  @Test
  void measuredFalsePositiveRateIsWithinTwentyPercentOfConfigured() {
    double fpp = 0.03;
    List<Rec> hist = new ArrayList<>();
    for (int i = 0; i < 20000; i++) {
      hist.add(new Rec("h" + i, null, "history item " + i, "y", 1000, "r0"));
    }
    Dataset<Row> history = keyed(TestRecords.frame(spark, hist)).cache();
    BloomFilter f = SparkBloomFilters.build(history, DedupeStage.DEDUPE_KEY, 20000, fpp);
    List<Rec> batch = new ArrayList<>();
    for (int i = 0; i < 20000; i++) {
      batch.add(new Rec("n" + i, null, "brand new item " + i, "y", 2000, "r1"));
    }
    DedupeStage stage =
        DedupeStage.builder().setOptions(EXACT_ONLY).optHistory(history).optBloom(f).build();
    StageOutput out = stage.dedupe(TestRecords.frame(spark, batch));
    double measured = out.counters().get("bloom_positives") / 20000.0;
    assertEquals(0L, out.counters().get("bloom_confirmed"));
    assertEquals(fpp, measured, 0.2 * fpp, "measured fpp " + measured);
    assertEquals(20000L, out.kept().count());
    stage.release();
    history.unpersist();
  }

  /**
   * Spark 4's {@code stat().bloomFilter} silently caps filters at the runtime join-filter limits
   * (64 Mi bits, 4M items); a 5M-key filter at fpp 0.001 then measures about 0.0018.
   * SparkBloomFilters lifts the caps for the build: the filter has the optimal bit count and its
   * measured false-positive rate on keys it never saw is within 20% of the configured one.
   */
  @Test
  void filtersBeyondSparksRuntimeCapKeepTheConfiguredFalsePositiveRate() {
    long items = 5_000_000L;
    double fpp = 0.001;
    Dataset<Row> keys =
        spark
            .range(items)
            .select(sha2(col("id").cast("string"), 256).substr(1, 32).as(DedupeStage.DEDUPE_KEY));
    String before = spark.conf().getOption(SparkBloomFilters.MAX_NUM_BITS).getOrElse(() -> "unset");
    BloomFilter f = SparkBloomFilters.build(keys, DedupeStage.DEDUPE_KEY, items, fpp);
    assertEquals(
        before, spark.conf().getOption(SparkBloomFilters.MAX_NUM_BITS).getOrElse(() -> "unset"));
    long optimal = BloomFilter.optimalNumOfBits(items, fpp);
    assertTrue(f.bitSize() >= optimal, f.bitSize() + " bits < optimal " + optimal);
    assertTrue(optimal > 67_108_864L, "the case must exceed Spark's default cap");
    // Members are found (DedupeKey.sha256Hex32 is Spark's sha2(s, 256).substr(1, 32)); keys of
    // another key space measure the false-positive rate.
    assertTrue(f.mightContain(DedupeKey.sha256Hex32("0")));
    assertTrue(f.mightContain(DedupeKey.sha256Hex32("4999999")));
    int probes = 400_000;
    int positives = 0;
    for (int i = 0; i < probes; i++) {
      if (f.mightContain(DedupeKey.sha256Hex32("absent-" + i))) {
        positives++;
      }
    }
    double measured = positives / (double) probes;
    assertEquals(fpp, measured, 0.2 * fpp, "measured fpp " + measured);
  }

  @Test
  void survivorsAreDeterministicAcrossRerunsAndInputOrder() {
    Random rnd = new Random(11);
    List<Rec> recs = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      int topic = rnd.nextInt(60);
      StringBuilder words = new StringBuilder("topic " + topic);
      Random topicWords = new Random(topic);
      for (int w = 0; w < 40; w++) {
        words.append(" w").append(topicWords.nextInt(500));
      }
      String body = words.toString();
      if (rnd.nextBoolean()) {
        body = body + " extra" + rnd.nextInt(3);
      }
      recs.add(new Rec("id" + i, null, body, "answer " + topic, 1000 + rnd.nextInt(5), "r1"));
    }
    DedupeOptions opts =
        DedupeOptions.from(
            PipelineConfig.defaults().with("dedupe.near.threshold", 0.7).section("dedupe"));
    Set<String> first = null;
    Set<String> firstDrops = null;
    for (int rep = 0; rep < 2; rep++) {
      List<Rec> shuffled = new ArrayList<>(recs);
      Collections.shuffle(shuffled, new Random(rep));
      DedupeStage stage = DedupeStage.builder().setOptions(opts).build();
      StageOutput out = stage.dedupe(TestRecords.frame(spark, shuffled).repartition(3));
      Set<String> kept = ids(out.kept(), "record_id");
      Set<String> drops = new TreeSet<>();
      for (Row r : out.dropped().collectAsList()) {
        drops.add(
            r.getAs(Quarantine.RECORD_ID)
                + ">"
                + r.getAs(Quarantine.DUPLICATE_OF)
                + ":"
                + r.getAs(Quarantine.REASON));
      }
      if (first == null) {
        first = kept;
        firstDrops = drops;
        assertTrue(out.counters().get("near_dropped") > 0, out.counters().toString());
      } else {
        assertEquals(first, kept);
        assertEquals(firstDrops, drops);
      }
      stage.release();
    }
  }

  /** History as the stage writes it: the input plus the key column. */
  static Dataset<Row> keyed(Dataset<Row> rows) {
    return rows.withColumn(
        DedupeStage.DEDUPE_KEY,
        DedupeUdfs.key(DedupeOptions.from(PipelineConfig.defaults().section("dedupe")).dedupeKey())
            .apply(rows.col("system"), rows.col("messages"), rows.col("tools")));
  }

  static Set<String> ids(Dataset<Row> ds, String col) {
    Set<String> out = new TreeSet<>();
    for (Row r : ds.select(col).collectAsList()) {
      out.add(r.getString(0));
    }
    return out;
  }
}
