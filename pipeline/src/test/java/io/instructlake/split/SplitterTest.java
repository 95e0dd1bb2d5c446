package io.instructlake.split;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instructlake.config.ConfigError;
import io.instructlake.config.PipelineConfig;
import io.instructlake.gold.GoldColumns;
import io.instructlake.gold.GoldFixtures;
import io.instructlake.gold.StableHash;
import io.instructlake.testkit.SparkTestBase;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

class SplitterTest extends SparkTestBase {

  private static Dataset<Row> split(Dataset<Row> in, SplitOptions o) {
    return Splitter.builder().setOptions(o).build().split(in).kept();
  }

  @Test
  void hashSplitMatchesIndependentRuleAndKeepsClustersTogether() {
    Dataset<Row> in = GoldFixtures.silver(spark, 300);
    SplitOptions o = SplitOptions.hash(0.7, 0.2, 0.1, "s1");
    List<Row> rows = split(in, o).select("record_id", "cluster_id", "split").collectAsList();
    assertEquals(300, rows.size());
    Map<String, String> sideOfCluster = new HashMap<>();
    Map<String, Integer> perSide = new HashMap<>();
    for (Row r : rows) {
      String key = r.isNullAt(1) ? r.getString(0) : r.getString(1);
      double u = StableHash.unit("split", "s1", key);
      String expected = u < 0.7 ? "train" : u < 0.9 ? "eval" : "test";
      assertEquals(expected, r.getString(2), "side of " + key);
      if (!r.isNullAt(1)) {
        String prev = sideOfCluster.putIfAbsent(r.getString(1), r.getString(2));
        assertTrue(prev == null || prev.equals(r.getString(2)), "cluster split " + r.getString(1));
      }
      perSide.merge(r.getString(2), 1, Integer::sum);
    }
    // 300 records with binomial noise: each side within 4 standard deviations.
    assertTrue(
        Math.abs(perSide.get("train") - 210) < 4 * Math.sqrt(300 * 0.7 * 0.3), perSide.toString());
    assertTrue(
        Math.abs(perSide.get("eval") - 60) < 4 * Math.sqrt(300 * 0.2 * 0.8), perSide.toString());
  }

  @Test
  void rerunGivesIdenticalRowsAndNoIdOnTwoSides() {
    Dataset<Row> in = GoldFixtures.silver(spark, 120);
    SplitOptions o = SplitOptions.hash(0.8, 0.2, 0.0, "s2");
    List<String> a = GoldFixtures.rowHashes(split(in, o));
    List<String> b = GoldFixtures.rowHashes(split(in.repartition(3), o));
    assertEquals(a, b);
    Dataset<Row> s = split(in, o);
    Set<String> train =
        new HashSet<>(
            s.where(col("split").equalTo("train"))
                .select("record_id")
                .as(org.apache.spark.sql.Encoders.STRING())
                .collectAsList());
    Set<String> eval =
        new HashSet<>(
            s.where(col("split").equalTo("eval"))
                .select("record_id")
                .as(org.apache.spark.sql.Encoders.STRING())
                .collectAsList());
    assertEquals(120, train.size() + eval.size());
    train.retainAll(eval);
    assertTrue(train.isEmpty());
  }

  @Test
  void augmentedRowsFollowTheirParent() {
    Dataset<Row> in = GoldFixtures.silver(spark, 40).where(col("cluster_id").isNull());
    SplitOptions o = SplitOptions.hash(0.5, 0.5, 0.0, "s3");
    Dataset<Row> withParent =
        in.withColumn(GoldColumns.PARENT_ID, col("record_id"))
            .withColumn(
                "record_id",
                org.apache.spark.sql.functions.concat(
                    col("record_id"), org.apache.spark.sql.functions.lit("-aug")));
    Map<String, String> parentSide = new HashMap<>();
    for (Row r : split(in, o).select("record_id", "split").collectAsList()) {
      parentSide.put(r.getString(0), r.getString(1));
    }
    for (Row r : split(withParent, o).select("parent_id", "split").collectAsList()) {
      assertEquals(parentSide.get(r.getString(0)), r.getString(1));
    }
  }

  @Test
  void columnSplitHonoursValueListsAndKeepsGroupsTogether() {
    Dataset<Row> in = GoldFixtures.silver(spark, 100);
    SplitOptions o =
        new SplitOptions("column", "category", 0.9, 0.1, 0.0, "s4", List.of("law"), List.of());
    Map<String, Set<String>> sides = new HashMap<>();
    for (Row r : split(in, o).select("category", "split").collectAsList()) {
      sides.computeIfAbsent(r.getString(0), k -> new HashSet<>()).add(r.getString(1));
    }
    assertEquals(Set.of("eval"), sides.get("law"));
    for (Set<String> s : sides.values()) {
      assertEquals(1, s.size(), sides.toString());
    }
  }

  @Test
  void fractionsMustSumToOne() {
    PipelineConfig c =
        PipelineConfig.builder()
            .optEnvironment(Map.of())
            .optSet("split.train-fraction", "0.8")
            .build();
    ConfigError e = assertThrows(ConfigError.class, () -> SplitOptions.from(c.section("split")));
    assertTrue(e.getMessage().contains("split.train-fraction"), e.getMessage());
    assertTrue(e.getMessage().contains("= 1"), e.getMessage());
  }

  @Test
  void unknownSplitColumnIsNamed() {
    SplitOptions o = new SplitOptions("column", "nope", 1.0, 0.0, 0.0, "s", List.of(), List.of());
    var e =
        assertThrows(
            io.instructlake.PipelineException.class, () -> split(GoldFixtures.silver(spark, 5), o));
    assertTrue(e.getMessage().contains("'nope'"), e.getMessage());
  }
}
