package io.instructlake.dedupe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instructlake.config.PipelineConfig;
import io.instructlake.dedupe.TestRecords.Rec;
import io.instructlake.lake.Quarantine;
import io.instructlake.lake.StageOutput;
import io.instructlake.testkit.SparkTestBase;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.spark.sql.Row;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Near dedupe against brute force: every pair of a few thousand seeded records (English word text
 * and Chinese character text, with variants a few edits apart) is compared by exact Jaccard of the
 * same shingle sets; the stage's verified pairs and drops are checked against that.
 */
class NearDedupeRecallTest extends SparkTestBase {
  static final double THRESHOLD = 0.7;

  @ParameterizedTest
  @ValueSource(strings = {"en", "zh"})
  void recallAndPrecisionAgainstBruteForce(String lang) {
    List<Rec> recs = generate(lang, 1800, new Random(lang.hashCode()));
    DedupeOptions opts =
        DedupeOptions.from(
            PipelineConfig.defaults()
                .with("dedupe.near.threshold", THRESHOLD)
                .with("dedupe.near.permutations", 128)
                .section("dedupe"));
    ContentNormalizer norm = opts.normalizer();
    Shingler sh = opts.shingler();
    int n = recs.size();
    long[][] sets = new long[n][];
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < n; i++) {
      sets[i] = sh.shingles(norm.normalize(recs.get(i).text()));
      index.put(recs.get(i).id(), i);
    }
    // Brute force: every pair.
    Map<Long, Double> truePairs = new HashMap<>();
    int[] parent = new int[n];
    for (int i = 0; i < n; i++) {
      parent[i] = i;
    }
    for (int i = 0; i < n; i++) {
      for (int j = i + 1; j < n; j++) {
        double s = Jaccard.of(sets[i], sets[j]);
        if (s >= THRESHOLD) {
          truePairs.put(pairKey(i, j), s);
          parent[find(parent, i)] = find(parent, j);
        }
      }
    }
    assertTrue(truePairs.size() > 300, "data should hold many near pairs: " + truePairs.size());

    DedupeStage stage = DedupeStage.builder().setOptions(opts).build();
    StageOutput out = stage.dedupe(TestRecords.frame(spark, recs));
    int found = 0;
    int nearThreshold = 0;
    int nearThresholdFound = 0;
    Set<Long> verified = new HashSet<>();
    for (Row r : stage.verifiedPairs().collectAsList()) {
      int i = index.get(r.getString(0));
      int j = index.get(r.getString(1));
      long k = pairKey(Math.min(i, j), Math.max(i, j));
      Double expected = truePairs.get(k);
      // Precision 1.0: every verified pair is a true pair, with the brute-force similarity.
      assertTrue(expected != null, "verified pair below threshold: " + r);
      assertEquals(expected, r.getDouble(2), 1e-12);
      verified.add(k);
    }
    for (Map.Entry<Long, Double> e : truePairs.entrySet()) {
      boolean f = verified.contains(e.getKey());
      found += f ? 1 : 0;
      if (e.getValue() < THRESHOLD + 0.05) {
        nearThreshold++;
        nearThresholdFound += f ? 1 : 0;
      }
    }
    double pairRecall = found / (double) truePairs.size();

    // Record level: drops must lie in a brute-force cluster with their survivor; the records
    // brute-force clustering would drop (all but one per cluster) must be dropped.
    Map<Integer, Integer> clusterSize = new HashMap<>();
    for (int i = 0; i < n; i++) {
      clusterSize.merge(find(parent, i), 1, Integer::sum);
    }
    int expectedDrops = 0;
    for (int size : clusterSize.values()) {
      expectedDrops += size - 1;
    }
    int drops = 0;
    for (Row r : out.dropped().collectAsList()) {
      assertEquals(DedupeStage.REASON_NEAR, r.getAs(Quarantine.REASON));
      int i = index.get((String) r.getAs(Quarantine.RECORD_ID));
      int s = index.get((String) r.getAs(Quarantine.DUPLICATE_OF));
      assertEquals(find(parent, i), find(parent, s), "dropped outside its true cluster: " + r);
      assertEquals(Jaccard.of(sets[i], sets[s]), (Double) r.getAs(Quarantine.SIMILARITY), 1e-12);
      drops++;
    }
    double recordRecall = drops / (double) expectedDrops;
    System.out.printf(
        "near %s: records=%d truePairs=%d pairRecall=%.4f (in [t,t+0.05): %d/%d) drops=%d/%d"
            + " recordRecall=%.4f counters=%s%n",
        lang,
        n,
        truePairs.size(),
        pairRecall,
        nearThresholdFound,
        nearThreshold,
        drops,
        expectedDrops,
        recordRecall,
        out.counters());
    assertTrue(recordRecall >= 0.95, "record recall " + recordRecall);
    assertTrue(pairRecall >= 0.95, "pair recall " + pairRecall);
    assertEquals(n - drops, out.kept().count());
    stage.release();
  }

  static long pairKey(int i, int j) {
    return ((long) i << 32) | j;
  }

  static int find(int[] p, int i) {
    while (p[i] != i) {
      p[i] = p[p[i]];
      i = p[i];
    }
    return i;
  }

  /**
   * Base texts with 0-4 variants each, a variant being its base with 1-4 random unit replacements
   * (words for English, characters for Chinese), so similarities spread around the threshold.
   */
  static List<Rec> generate(String lang, int target, Random rnd) {
    List<Rec> out = new ArrayList<>();
    int base = 0;
    while (out.size() < target) {
      List<String> units = new ArrayList<>();
      int len = 30 + rnd.nextInt(40);
      for (int i = 0; i < len; i++) {
        units.add(unit(lang, rnd));
      }
      String sep = lang.equals("zh") ? "" : " ";
      out.add(new Rec("b" + base, null, String.join(sep, units), "", 1000 + base, "r1"));
      int variants = rnd.nextInt(5);
      for (int v = 0; v < variants; v++) {
        List<String> copy = new ArrayList<>(units);
        int edits = 1 + rnd.nextInt(4);
        for (int e = 0; e < edits; e++) {
          copy.set(rnd.nextInt(copy.size()), unit(lang, rnd));
        }
        out.add(new Rec("b" + base + "v" + v, null, String.join(sep, copy), "", 2000 + base, "r1"));
      }
      base++;
    }
    return out;
  }

  static String unit(String lang, Random rnd) {
    if (lang.equals("zh")) {
      return new String(Character.toChars(0x4E00 + rnd.nextInt(3000)));
    }
    StringBuilder sb = new StringBuilder();
    int l = 3 + rnd.nextInt(6);
    for (int i = 0; i < l; i++) {
      sb.append((char) ('a' + rnd.nextInt(26)));
    }
    return sb.toString();
  }
}
