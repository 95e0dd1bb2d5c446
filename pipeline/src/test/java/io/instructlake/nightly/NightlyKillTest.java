package io.instructlake.nightly;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instructlake.dedupe.HistoryKeys;
import io.instructlake.lake.Lake;
import io.instructlake.lake.LakeTable;
import io.instructlake.lake.RunSummary;
import io.instructlake.testkit.SparkTestBase;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Kills the nightly driver (SIGKILL, a separate JVM) right after it commits to a given table, at
 * several points of the run, then reruns: the tables must equal, row for row, those of a run that
 * was never interrupted.
 */
class NightlyKillTest extends SparkTestBase {
  static Path in;
  static Path afterFirst;
  static Map<String, List<String>> expected;

  /**
   * Augmentation off: it is deterministic and covered by {@link NightlyJobTest}'s union check; here
   * it would only lengthen every run the test kills.
   */
  static final String[] SETS = {"augment.enabled=false"};

  /** The commit after which the driver is killed. */
  enum KillPoint {
    BRONZE(LakeTable.BRONZE_RECORDS),
    SILVER(LakeTable.SILVER_RECORDS),
    GOLD(LakeTable.GOLD_TRAIN);

    final LakeTable table;

    KillPoint(LakeTable table) {
      this.table = table;
    }
  }

  @BeforeAll
  static void reference() throws IOException {
    Path batches = newDir("batches");
    NightlyFixtures.writeBatches(batches, 2, 120);
    in = newDir("in");
    NightlyFixtures.copyBatch(batches, 1, in);
    Lake ref = newLake("reference");
    assertEquals(RunSummary.OK, NightlyFixtures.nightly(ref, in, SETS).status());
    afterFirst = newDir("after-first");
    NightlyFixtures.copyTree(Path.of(ref.root()), afterFirst);
    NightlyFixtures.copyBatch(batches, 2, in);
    RunSummary second = NightlyFixtures.nightly(ref, in, SETS);
    assertEquals(RunSummary.OK, second.status(), second.message());
    expected = LakeDigest.of(ref, Set.copyOf(NightlyJob.RUN_SPECIFIC_COLUMNS));
  }

  /**
   * One lake, three driver deaths in a row: the first run is killed right after its bronze commit,
   * the next (which first recovers the first) right after its silver.records commit, the next right
   * after its gold.train commit; a last run recovers and completes. Every run after the first
   * starts by restoring what a killed run left, so recovery itself is exercised on a lake that a
   * recovery already touched.
   */
  @Test
  void runsKilledAfterSeveralCommitsAreCompletedByTheNextRun() throws Exception {
    Path root = newDir("killed");
    NightlyFixtures.copyTree(afterFirst, root);
    Lake lake = new Lake(spark, root.toString());
    for (KillPoint point : KillPoint.values()) {
      long before = lake.version(point.table);
      Path log = root.resolve(point.table.relativePath()).resolve("_delta_log");
      Path childLog = root.resolveSibling("child-" + point.name().toLowerCase() + ".log");
      Process child = startChild(root, childLog);
      boolean killed = false;
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(15);
      while (System.nanoTime() < deadline && child.isAlive()) {
        if (latestCommit(log) > before) {
          child.destroyForcibly(); // SIGKILL: no shutdown hook, no rollback
          killed = true;
          break;
        }
        Thread.sleep(50);
      }
      if (child.isAlive()) {
        child.destroyForcibly();
      }
      child.waitFor();
      String text = Files.readString(childLog);
      assertTrue(killed, "the child never committed to " + point.table + ":\n" + tail(text));
      assertTrue(
          InflightMarker.read(lake).isPresent(),
          "a run killed after its " + point.table + " commit leaves its marker behind");
      assertTrue(lake.version(point.table) > before, "the kill came after the commit");
    }

    RunSummary rerun = NightlyFixtures.nightly(lake, in, SETS);
    assertEquals(RunSummary.OK, rerun.status(), rerun.message());
    assertTrue(rerun.details().containsKey("nightly.recovered_run"), rerun.details().toString());
    assertTrue(InflightMarker.read(lake).isEmpty());
    Map<String, List<String>> actual =
        LakeDigest.of(lake, Set.copyOf(NightlyJob.RUN_SPECIFIC_COLUMNS));
    for (String t : expected.keySet()) {
      assertEquals(expected.get(t).size(), actual.get(t).size(), "row count of " + t);
      assertEquals(expected.get(t), actual.get(t), "rows of " + t);
    }
    // No Bloom filter or key index manifest left for a version that no longer exists (.crc files
    // are the local file system's checksums; keys is the key index's Delta table).
    Set<String> blooms = new HashSet<>();
    try (Stream<Path> s = Files.list(root.resolve("_state").resolve("dedupe"))) {
      s.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).forEach(blooms::add);
    }
    long v = lake.version(LakeTable.SILVER_RECORDS);
    assertEquals(
        Set.of(
            "bloom-v" + v + ".bin",
            "bloom-v" + v + ".properties",
            "keys-v" + v + ".properties",
            "keys"),
        blooms,
        "only the filter and key index manifest of the current silver version remain");
    assertEquals(
        lake.read(LakeTable.SILVER_RECORDS).count(),
        HistoryKeys.load(lake, v).orElseThrow().keys().count(),
        "the key index holds every silver row");
  }

  private static long latestCommit(Path log) {
    File[] files = log.toFile().listFiles((d, n) -> n.endsWith(".json") && !n.startsWith("."));
    long max = -1;
    if (files != null) {
      for (File f : files) {
        max = Math.max(max, Long.parseLong(f.getName().substring(0, f.getName().indexOf('.'))));
      }
    }
    return max;
  }

  private static Process startChild(Path lake, Path log) throws IOException {
    String cp = System.getProperty("surefire.test.class.path");
    if (cp == null || cp.isBlank()) {
      cp = System.getProperty("java.class.path");
    }
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx3g");
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-Dai.djl.offline=true");
    for (String o :
        List.of("java.nio", "java.lang.invoke", "java.util", "sun.nio.ch", "java.lang")) {
      cmd.add("--add-opens=java.base/" + o + "=ALL-UNNAMED");
    }
    cmd.add("-cp");
    cmd.add(cp);
    cmd.add(NightlyChild.class.getName());
    cmd.add(lake.toString());
    cmd.add(in.toString());
    cmd.addAll(List.of(SETS));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    pb.redirectErrorStream(true).redirectOutput(log.toFile());
    return pb.start();
  }

  private static String tail(String s) {
    return s.substring(Math.max(0, s.length() - 4000));
  }
}
