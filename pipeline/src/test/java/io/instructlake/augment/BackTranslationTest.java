package io.instructlake.augment;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instructlake.config.PipelineConfig;
import io.instructlake.gold.GoldFixtures;
import io.instructlake.split.SplitOptions;
import io.instructlake.split.Splitter;
import io.instructlake.testkit.SparkTestBase;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/**
 * Back-translation end to end: the test builds two tiny DJL models (a forward character shift and a
 * backward shift that maps the pivot of 'e' to 'a'), saves them, and runs augmentation inside Spark
 * tasks; each augmented instruction must equal the parent's with every 'e' replaced by 'a',
 * computed here in plain Java.
 */
class BackTranslationTest extends SparkTestBase {
  static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz";

  @Test
  void djlModelRunsInsideSparkTasks() throws Exception {
    Path dir = newDir("bt");
    Map<Character, Character> fwd = new HashMap<>();
    Map<Character, Character> back = new HashMap<>();
    for (int i = 0; i < 26; i++) {
      char c = ALPHABET.charAt(i);
      char shifted = ALPHABET.charAt((i + 1) % 26);
      fwd.put(c, shifted);
      back.put(shifted, c == 'e' ? 'a' : c);
    }
    DjlCharModel.save(dir.resolve("fwd"), ALPHABET, fwd);
    DjlCharModel.save(dir.resolve("back"), ALPHABET, back);

    AugmentOptions o =
        AugmentConfigs.from(
            AugmentConfigs.config(List.of("back-translation"), 1, 0.0, 1.0)
                .with("augment.back-translation.loader", DjlCharModel.Loader.class.getName())
                .with("augment.back-translation.forward-model", dir.resolve("fwd").toString())
                .with("augment.back-translation.backward-model", dir.resolve("back").toString()));
    Dataset<Row> split =
        Splitter.builder()
            .setOptions(SplitOptions.hash(1.0, 0.0, 0.0, "bt"))
            .build()
            .split(GoldFixtures.silver(spark, 12).where(col("lang").equalTo("en")))
            .kept();
    Augmenter aug = Augmenter.builder().setOptions(o).build();
    assertEquals(null, aug.backTranslationNotice());
    Dataset<Row> kept = aug.augment(split).kept();
    Map<String, String> parentPrompt = new HashMap<>();
    for (Row r : split.collectAsList()) {
      parentPrompt.put(r.getAs("record_id"), r.getAs("prompt"));
    }
    List<Row> rows =
        kept.where(col("aug_method").equalTo("back-translation"))
            .select("parent_id", "prompt")
            .collectAsList();
    assertEquals(parentPrompt.size(), rows.size());
    for (Row r : rows) {
      assertEquals(parentPrompt.get(r.getString(0)).replace('e', 'a'), r.getString(1));
    }
    // local[2]: executors share the driver JVM; each model was loaded once, not per task.
    assertEquals(2, BackTranslation.loadedModels());
  }

  @Test
  void withoutModelTheMethodIsOffWithAClearMessage() {
    AugmentOptions o =
        AugmentConfigs.from(
            PipelineConfig.defaults()
                .with("augment.methods", List.of("back-translation"))
                .with("augment.copies-per-record", 1));
    String notice = Augmenter.builder().setOptions(o).build().backTranslationNotice();
    assertTrue(notice.contains("no translation model configured"), notice);
  }

  @Test
  void missingModelDirectoryIsNamed() {
    var e =
        org.junit.jupiter.api.Assertions.assertThrows(
            io.instructlake.PipelineException.class,
            () -> DjlCharModel.load(Path.of("/nonexistent/model")));
    assertTrue(e.getMessage().contains("/nonexistent/model"), e.getMessage());
  }
}
