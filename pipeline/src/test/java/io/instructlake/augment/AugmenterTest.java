package io.instructlake.augment;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instructlake.config.PipelineConfig;
import io.instructlake.gold.GoldFixtures;
import io.instructlake.lake.StageOutput;
import io.instructlake.split.SplitOptions;
import io.instructlake.split.Splitter;
import io.instructlake.testkit.SparkTestBase;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AugmenterTest extends SparkTestBase {
  static Dataset<Row> split;
  static AugmentOptions defaults;

  @BeforeAll
  static void data() {
    Dataset<Row> in = GoldFixtures.silver(spark, 60);
    split =
        Splitter.builder()
            .setOptions(SplitOptions.hash(0.7, 0.3, 0.0, "aug"))
            .build()
            .split(in)
            .kept()
            .cache();
    defaults = AugmentOptions.from(PipelineConfig.defaults().section("augment"));
  }

  private static StageOutput run(AugmentOptions o) {
    return Augmenter.builder().setOptions(o).build().augment(split);
  }

  @Test
  void augmentedRowsComeFromTrainOnlyAndCarryLineage() {
    AugmentOptions o = AugmentConfigs.options(List.of("synonym", "eda", "template"), 3, 0.0, 1.0);
    Dataset<Row> kept = run(o).kept().cache();
    Map<String, Row> byId = new HashMap<>();
    for (Row r : split.collectAsList()) {
      byId.put(r.getAs("record_id"), r);
    }
    List<Row> aug = kept.where(col("parent_id").isNotNull()).collectAsList();
    assertTrue(aug.size() > 60, "expected about 2-3 copies per train record, got " + aug.size());
    for (Row a : aug) {
      Row parent = byId.get(a.<String>getAs("parent_id"));
      assertEquals("train", parent.getAs("split"));
      assertEquals("train", a.getAs("split"));
      assertNotEquals(parent.<String>getAs("record_id"), a.getAs("record_id"));
      assertTrue(List.of("synonym", "eda", "template").contains(a.<String>getAs("aug_method")));
      assertEquals(parent.<String>getAs("response"), a.getAs("response"));
      assertEquals(parent.<String>getAs("category"), a.getAs("category"));
      assertNotEquals(parent.<String>getAs("prompt"), a.getAs("prompt"));
      List<Row> msgs = a.getList(a.fieldIndex("messages"));
      assertEquals(a.<String>getAs("prompt"), msgs.get(0).getAs("content"));
    }
    // Originals pass through untouched.
    assertEquals(60, kept.where(col("parent_id").isNull()).count());
    assertEquals(
        GoldFixtures.rowHashes(Augmenter.withAugColumns(split)),
        GoldFixtures.rowHashes(kept.where(col("parent_id").isNull())));
    // Reruns give identical rows.
    assertEquals(GoldFixtures.rowHashes(kept), GoldFixtures.rowHashes(run(o).kept()));
  }

  @Test
  void similarityBandSendsRowsToQuarantineWithTheirSimilarity() {
    AugmentOptions o = AugmentConfigs.options(List.of("synonym"), 1, 0.0, 0.5);
    StageOutput out = run(o);
    List<Row> dropped = out.dropped().collectAsList();
    assertFalse(dropped.isEmpty());
    Map<String, String> promptOf = new HashMap<>();
    for (Row r : split.collectAsList()) {
      promptOf.put(r.getAs("record_id"), r.getAs("prompt"));
    }
    for (Row d : dropped) {
      assertEquals("aug_too_similar", d.getAs("reason"));
      double expected =
          Similarity.jaccard(promptOf.get(d.<String>getAs("duplicate_of")), d.getAs("raw"));
      assertEquals(expected, d.<Double>getAs("similarity"), 1e-12);
      assertTrue(expected > 0.5);
    }
    assertEquals(0, out.kept().where(col("parent_id").isNotNull()).count());
  }

  @Test
  void perCategoryCapLimitsAugmentedRows() {
    AugmentOptions o =
        AugmentConfigs.from(
            AugmentConfigs.config(List.of("template"), 1, 0.0, 1.0)
                .with("augment.max-per-category", 2));
    StageOutput out = run(o);
    for (Row r :
        out.kept()
            .where(col("parent_id").isNotNull())
            .groupBy("category")
            .count()
            .collectAsList()) {
      assertTrue(r.getLong(1) <= 2, r.toString());
    }
    long trainRows = split.where(col("split").equalTo("train")).count();
    long capped = out.dropped().where(col("reason").equalTo("aug_category_cap")).count();
    long keptAug = out.kept().where(col("parent_id").isNotNull()).count();
    // One template copy per train record: kept plus capped is every train record.
    assertEquals(trainRows, capped + keptAug);
    assertEquals(6, keptAug);
  }

  @Test
  void missingSplitColumnIsNamed() {
    var e =
        org.junit.jupiter.api.Assertions.assertThrows(
            io.instructlake.PipelineException.class,
            () ->
                Augmenter.builder()
                    .setOptions(defaults)
                    .build()
                    .augment(GoldFixtures.silver(spark, 3)));
    assertTrue(e.getMessage().contains("'split'"), e.getMessage());
  }
}
