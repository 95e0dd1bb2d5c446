package io.instructlake.balance;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instructlake.augment.AugmentConfigs;
import io.instructlake.augment.AugmentOptions;
import io.instructlake.config.PipelineConfig;
import io.instructlake.gold.GoldFixtures;
import io.instructlake.lake.StageOutput;
import io.instructlake.testkit.SparkTestBase;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class BalancerTest extends SparkTestBase {
  static Dataset<Row> in;
  static BalanceOptions defaults;

  @BeforeAll
  static void data() {
    // 200 records: category finance/medical/law = 120/60/20, label pos/neg = 150/50.
    in = GoldFixtures.silver(spark, 200).cache();
    defaults = BalanceOptions.from(PipelineConfig.defaults().section("balance"));
  }

  private static Map<String, Long> counts(Dataset<Row> rows, String column) {
    Map<String, Long> m = new HashMap<>();
    for (Row r : rows.groupBy(column).count().collectAsList()) {
      m.put(r.getString(0), r.getLong(1));
    }
    return m;
  }

  @Test
  void ratioIsReachedWithinOneRecordPerClass() {
    BalanceOptions o = BalanceConfigs.ratio("category", 2.0, "duplicate", 1.5);
    StageOutput out = Balancer.builder().setOptions(o).build().balance(in);
    Dataset<Row> kept = out.kept().cache();
    Map<String, Long> c = counts(kept, "category");
    long min = c.values().stream().mapToLong(Long::longValue).min().getAsLong();
    long max = c.values().stream().mapToLong(Long::longValue).max().getAsLong();
    assertTrue(max <= 2.0 * min + 1, c.toString());
    // Planned by hand: need 60 each; law grows to 30 (factor 1.5); 2 x 30 caps finance at 60.
    assertEquals(Map.of("finance", 60L, "medical", 60L, "law", 30L), c);
    assertEquals(60, out.dropped().where(col("reason").equalTo("balance_undersampled")).count());
    Map<String, String> categoryOf = new HashMap<>();
    for (Row r : in.select("record_id", "category").collectAsList()) {
      categoryOf.put(r.getString(0), r.getString(1));
    }
    List<Row> dups = kept.where(col("aug_method").equalTo("duplicate")).collectAsList();
    assertEquals(10, dups.size());
    for (Row d : dups) {
      assertEquals("law", categoryOf.get(d.<String>getAs("parent_id")));
      assertNotEquals(d.<String>getAs("parent_id"), d.getAs("record_id"));
    }
    assertEquals(120L, out.counters().get("before_finance"));
    assertEquals(30L, out.counters().get("target_law"));
    // Seeded and deterministic: a rerun on a repartitioned input gives the same rows.
    assertEquals(
        GoldFixtures.rowHashes(kept),
        GoldFixtures.rowHashes(
            Balancer.builder().setOptions(o).build().balance(in.repartition(3)).kept()));
  }

  @Test
  void targetWeightsAreReached() {
    BalanceOptions o =
        BalanceConfigs.weights(
            "category", Map.of("finance", 0.5, "medical", 0.3, "law", 0.2), 100, "duplicate");
    Map<String, Long> c =
        counts(Balancer.builder().setOptions(o).build().balance(in).kept(), "category");
    assertEquals(Map.of("finance", 50L, "medical", 30L, "law", 20L), c);
  }

  @Test
  void oversampleByAugmentationMakesAugmentedRows() {
    AugmentOptions aug = AugmentConfigs.options(List.of("template"), 1, 0.0, 1.0);
    BalanceOptions o = BalanceConfigs.ratio("category", 3.0, "augment", 2.0);
    Dataset<Row> kept =
        Balancer.builder().setOptions(o).optAugmentOptions(aug).build().balance(in).kept();
    // need ceil(120/3) = 40 law rows: 20 originals plus 20 template rows; medical keeps 60.
    Map<String, Long> c = counts(kept, "category");
    assertEquals(Map.of("finance", 120L, "medical", 60L, "law", 40L), c);
    assertEquals(20, kept.where(col("aug_method").equalTo("template")).count());
  }

  @Test
  void smotePointsLieOnSegmentsBetweenRealSameClassNeighbours() {
    BalanceOptions o = BalanceConfigs.ratio("label", 1.5, "smote", 3.0);
    Dataset<Row> kept = Balancer.builder().setOptions(o).build().balance(in).kept().cache();
    Map<String, Long> c = counts(kept, "label");
    assertEquals(Map.of("pos", 150L, "neg", 100L), c);
    Map<String, Vector> feat = new HashMap<>();
    Map<String, String> label = new HashMap<>();
    for (Row r : kept.where(col("aug_method").isNull()).collectAsList()) {
      feat.put(r.getAs("record_id"), r.getAs("features"));
      label.put(r.getAs("record_id"), r.getAs("label"));
    }
    List<Row> synth = kept.where(col("aug_method").equalTo("smote")).collectAsList();
    assertEquals(50, synth.size());
    for (Row s : synth) {
      String p = s.getAs("parent_id");
      String n = s.getAs(Smote.NEIGHBOR);
      assertNotEquals(p, n);
      assertEquals("neg", label.get(p));
      assertEquals("neg", label.get(n));
      double[] x = feat.get(p).toArray();
      double[] y = feat.get(n).toArray();
      double[] z = s.<Vector>getAs("features").toArray();
      // Solve z = x + u (y - x) on the coordinate where y - x is largest, then check all.
      int j = 0;
      for (int i = 0; i < x.length; i++) {
        if (Math.abs(y[i] - x[i]) > Math.abs(y[j] - x[j])) {
          j = i;
        }
      }
      assertTrue(Math.abs(y[j] - x[j]) > 0, "neighbour equals the point");
      double u = (z[j] - x[j]) / (y[j] - x[j]);
      assertTrue(u >= -1e-12 && u <= 1 + 1e-12, "u = " + u);
      for (int i = 0; i < x.length; i++) {
        assertEquals(x[i] + u * (y[i] - x[i]), z[i], 1e-9);
      }
    }
  }

  @Test
  void onlyTheTrainSplitIsBalanced() {
    Dataset<Row> split =
        in.withColumn(
            "split",
            org.apache
                .spark
                .sql
                .functions
                .when(col("source_line").leq(100), "train")
                .otherwise("eval"));
    BalanceOptions o = BalanceConfigs.ratio("category", 1.0, "none", 1.0);
    Dataset<Row> kept = Balancer.builder().setOptions(o).build().balance(split).kept();
    assertEquals(100, kept.where(col("split").equalTo("eval")).count());
    Map<String, Long> c = counts(kept.where(col("split").equalTo("train")), "category");
    // First 100 records: finance 60, medical 30, law 10; 1:1 caps everything at 10.
    assertEquals(Map.of("finance", 10L, "medical", 10L, "law", 10L), c);
  }
}
