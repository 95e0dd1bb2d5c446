package io.instructlake.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instructlake.PipelineException;
import io.instructlake.ingest.IngestOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PipelineConfigTest {
  @TempDir Path dir;

  @Test
  void defaultsComeFromReferenceConf() {
    PipelineConfig c = PipelineConfig.defaults();
    assertEquals("lake", c.section("lake").string("root"));
    assertEquals(0.5, c.section("ingest").fraction("max-bad-share"));
    assertEquals(1L << 20, c.section("ingest").bytes("max-record-bytes", 1));
  }

  @Test
  void precedenceIsCommandLineThenEnvironmentThenFileThenDefaults() throws Exception {
    Path file = dir.resolve("c.conf");
    Files.writeString(
        file, "lake.root = from-file\ningest.max-bad-share = 0.3\ngenerate.seed = 5\n");
    Map<String, String> env =
        Map.of(
            "INSTRUCTLAKE_LAKE_ROOT", "from-env",
            "INSTRUCTLAKE_INGEST_MAX__BAD__SHARE", "0.2",
            // The launcher's own variables are not configuration keys (no "unknown key" error).
            "INSTRUCTLAKE_JAVA_OPTS", "-Xmx2g",
            "INSTRUCTLAKE_EXECUTOR_MB", "1024",
            "UNRELATED", "x");
    PipelineConfig c =
        PipelineConfig.builder()
            .optConfFile(file)
            .optEnvironment(env)
            .optSet("lake.root=from-cli")
            .build();
    assertEquals("from-cli", c.section("lake").string("root"));
    assertEquals(0.2, c.section("ingest").fraction("max-bad-share"));
    assertEquals(5L, c.section("generate").longValue("seed", 0, 100));
    assertEquals(20000L, c.section("generate").longValue("records", 0, Long.MAX_VALUE));
  }

  @Test
  void setKeepsUrlsIntact() {
    PipelineConfig c =
        PipelineConfig.builder()
            .optEnvironment(Map.of())
            .optSet("lake.root", "s3a://bucket/some/lake")
            .build();
    assertEquals("s3a://bucket/some/lake", c.section("lake").string("root"));
  }

  @Test
  void unknownKeyFailsWithTheClosestKnownKey() {
    ConfigError e =
        assertThrows(
            ConfigError.class,
            () ->
                PipelineConfig.builder()
                    .optEnvironment(Map.of())
                    .optSet("ingest.max-bad-shar=0.1")
                    .build());
    assertEquals("ingest.max-bad-shar", e.key());
    assertTrue(e.getMessage().contains("did you mean 'ingest.max-bad-share'"), e.getMessage());
  }

  @Test
  void unknownKeyInFileAndEnvironmentFailsToo() throws Exception {
    Path file = dir.resolve("bad.conf");
    Files.writeString(file, "lake { rot = x }\n");
    ConfigError e =
        assertThrows(
            ConfigError.class,
            () -> PipelineConfig.builder().optEnvironment(Map.of()).optConfFile(file).build());
    assertEquals("lake.rot", e.key());
    ConfigError e2 =
        assertThrows(
            ConfigError.class,
            () ->
                PipelineConfig.builder().optEnvironment(Map.of("INSTRUCTLAKE_NOPE", "1")).build());
    assertEquals("nope", e2.key());
  }

  @Test
  void freeFormSparkSettingsPassThrough() {
    PipelineConfig c =
        PipelineConfig.builder()
            .optEnvironment(Map.of())
            .optSet("spark.conf.\"spark.sql.shuffle.partitions\"=7")
            .build();
    assertEquals(
        "7", c.raw().getConfig("spark.conf").getString("\"spark.sql.shuffle.partitions\""));
  }

  @Test
  void badValuesNameTheKeyTheValueAndTheExpectation() {
    PipelineConfig c =
        PipelineConfig.builder()
            .optEnvironment(Map.of())
            .optSet("ingest.max-bad-share=1.5")
            .build();
    ConfigError e = assertThrows(ConfigError.class, () -> IngestOptions.from(c));
    assertEquals("ingest.max-bad-share", e.key());
    assertTrue(e.getMessage().contains("'1.5'"), e.getMessage());
    assertTrue(e.getMessage().contains("[0.0, 1.0]"), e.getMessage());

    PipelineConfig c2 =
        PipelineConfig.builder().optEnvironment(Map.of()).optSet("input.format=xml").build();
    ConfigError e2 = assertThrows(ConfigError.class, () -> IngestOptions.from(c2));
    assertTrue(e2.getMessage().contains("one of auto, alpaca, sharegpt"), e2.getMessage());

    PipelineConfig c3 =
        PipelineConfig.builder()
            .optEnvironment(Map.of())
            .optSet("ingest.max-record-bytes=lots")
            .build();
    ConfigError e3 = assertThrows(ConfigError.class, () -> IngestOptions.from(c3));
    assertEquals("ingest.max-record-bytes", e3.key());
  }

  @Test
  void missingInputSaysHowToSetIt() {
    ConfigError e =
        assertThrows(
            ConfigError.class, () -> IngestOptions.from(PipelineConfig.defaults()).requireInput());
    assertTrue(e.getMessage().contains("--input PATH"), e.getMessage());
  }

  @Test
  void missingConfFileAndSyntaxErrorsAreClear() throws Exception {
    PipelineException e =
        assertThrows(
            PipelineException.class,
            () ->
                PipelineConfig.builder()
                    .optEnvironment(Map.of())
                    .optConfFile(dir.resolve("nope.conf"))
                    .build());
    assertTrue(e.getMessage().contains("nope.conf"), e.getMessage());
    assertThrows(
        ConfigError.class,
        () -> PipelineConfig.builder().optEnvironment(Map.of()).optSet("no-equals-sign").build());
    Path broken = dir.resolve("broken.conf");
    Files.writeString(broken, "lake { root = \n");
    assertThrows(
        ConfigError.class,
        () -> PipelineConfig.builder().optEnvironment(Map.of()).optConfFile(broken).build());
  }

  @Test
  void digestChangesWithConfigAndNotWithOrder() {
    PipelineConfig a =
        PipelineConfig.builder()
            .optEnvironment(Map.of())
            .optSet("lake.root=a")
            .optSet("generate.seed=1")
            .build();
    PipelineConfig b =
        PipelineConfig.builder()
            .optEnvironment(Map.of())
            .optSet("generate.seed=1")
            .optSet("lake.root=a")
            .build();
    PipelineConfig c =
        PipelineConfig.builder().optEnvironment(Map.of()).optSet("lake.root=b").build();
    assertEquals(a.digest(), b.digest());
    assertNotEquals(a.digest(), c.digest());
  }

  @Test
  void everyKeyIsDocumented() {
    for (String line : PipelineConfig.describeKeys()) {
      if (line.trim().startsWith("spark.conf") || line.trim().startsWith("hadoop.conf")) {
        continue;
      }
      assertTrue(line.contains("# "), "undocumented key: " + line);
    }
  }
}
