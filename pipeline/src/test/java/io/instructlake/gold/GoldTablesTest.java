package io.instructlake.gold;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instructlake.testkit.SparkTestBase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class GoldTablesTest extends SparkTestBase {
  @Test
  void tablePropertiesWorkOnARelativeLakePath() throws Exception {
    // The default lake.root is the relative "lake" (bin/pipeline demo on a fresh clone). Delta
    // reads delta.`<path>` as a path only when it is absolute, so a relative one must be resolved
    // first. Relative to the working directory (the module directory under Maven).
    String rel = "target/relative-lake-" + UUID.randomUUID() + "/gold/train";
    assertTrue(!Path.of(rel).isAbsolute());
    try {
      spark.range(3).write().format("delta").save(rel);
      GoldTables.setProperties(spark, rel, Map.of("instructlake.run.id", "r1", "quote's", "v"));
      Map<String, String> props = GoldTables.properties(spark, rel);
      assertEquals("r1", props.get("instructlake.run.id"));
      assertEquals("v", props.get("quote's"));
      assertEquals(
          GoldTables.pathIdentifier(spark, Path.of(rel).toAbsolutePath().toString()),
          GoldTables.pathIdentifier(spark, rel),
          "the relative path resolves against the working directory");
    } finally {
      try (var walk = Files.walk(Path.of(rel).getParent().getParent())) {
        walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
