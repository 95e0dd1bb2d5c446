package io.instructlake.nightly;

import static org.apache.spark.sql.functions.col;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.instructlake.config.PipelineConfig;
import io.instructlake.corpus.CorpusGenerator;
import io.instructlake.lake.Lake;
import io.instructlake.lake.LakeTable;
import io.instructlake.lake.RecordSchema;
import io.instructlake.lake.RunSummary;
import io.instructlake.stage.JobSequence;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;

/** Generated nightly batches with known cross-batch duplicates, and a way to run nightly. */
final class NightlyFixtures {
  /** Lines of overlap-1 repeated verbatim in overlap-2. */
  static final int EXACT_REPEATS = 10;

  /** The overlap-1 line whose near copy is line 1 of overlap-2. */
  static final int NEAR_LINE = 12;

  /** Batch 2 holds a byte-for-byte copy of this batch-1 file under another name. */
  static final String COPY_SOURCE = "overlap-1.jsonl";

  static final String COPIED_FILE = "copy-of-overlap-1.jsonl";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String[] NOUNS = {
    "river",
    "mountain",
    "engine",
    "garden",
    "signal",
    "market",
    "window",
    "planet",
    "library",
    "harbor",
    "castle",
    "forest",
    "pencil",
    "rocket",
    "bridge",
    "circuit",
    "meadow",
    "lantern",
    "canyon",
    "compass",
    "anchor",
    "glacier",
    "teacher",
    "student",
    "doctor",
    "village",
    "kitchen",
    "journey",
    "question",
    "answer",
    "company",
    "factory",
    "network",
    "painting",
    "concert",
    "festival",
    "weather",
    "island",
    "museum",
    "station"
  };
  private static final String[] ADJS = {
    "quiet", "bright", "ancient", "modern", "narrow", "gentle", "crowded", "distant", "simple",
    "careful", "curious", "golden", "heavy", "hidden", "honest", "lively", "patient", "rapid",
    "silent", "steady"
  };
  private static final String[] VERBS = {
    "follows",
    "watches",
    "reaches",
    "protects",
    "describes",
    "connects",
    "supports",
    "crosses",
    "explains",
    "remembers",
    "visits",
    "surrounds"
  };

  private NightlyFixtures() {}

  /**
   * Writes {@code n} batches under {@code dir/batch-k}: a generated corpus ({@code records} per
   * batch, seed k) and {@code overlap-k.jsonl}, where overlap-2 repeats {@link #EXACT_REPEATS}
   * lines of overlap-1 verbatim and opens with a near copy (one word changed) of its line {@link
   * #NEAR_LINE}; batch 2 also holds a byte copy of overlap-1.
   */
  static void writeBatches(Path dir, int n, int records) throws IOException {
    List<String> first = overlap(1, 30);
    for (int b = 1; b <= n; b++) {
      Path bd = dir.resolve("batch-" + b);
      CorpusGenerator.builder()
          .setOutputDir(bd.resolve("generated"))
          .optRecords(records)
          .optSeed(b)
          .build()
          .generate();
      Files.deleteIfExists(bd.resolve("generated").resolve("_manifest.json"));
      List<String> lines = b == 1 ? first : new ArrayList<>();
      if (b == 2) {
        lines.add(nearCopy(first.get(NEAR_LINE - 1)));
        lines.addAll(first.subList(0, EXACT_REPEATS));
        Files.write(
            bd.resolve(COPIED_FILE), String.join("\n", first).getBytes(StandardCharsets.UTF_8));
      }
      if (b > 1) {
        lines.addAll(overlap(b, 15));
      }
      Files.write(
          bd.resolve("overlap-" + b + ".jsonl"),
          String.join("\n", lines).getBytes(StandardCharsets.UTF_8));
    }
  }

  private static List<String> overlap(int seed, int count) {
    Random rnd = new Random(1000 + seed);
    List<String> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ObjectNode o = JSON.createObjectNode();
      o.put(
          "instruction",
          "Write a short story about the "
              + ADJS[rnd.nextInt(ADJS.length)]
              + " "
              + NOUNS[rnd.nextInt(NOUNS.length)]
              + " number "
              + seed
              + "-"
              + i
              + ".");
      o.put("input", "");
      o.put("output", story(rnd, 6));
      out.add(o.toString());
    }
    return out;
  }

  private static String nearCopy(String line) throws IOException {
    ObjectNode o = (ObjectNode) JSON.readTree(line);
    String out = o.get("output").asText();
    int sp = out.indexOf(' ');
    o.put("output", "A" + out.substring(sp));
    return o.toString();
  }

  /** English sentences ("The quiet river follows the golden castle near a museum."). */
  private static String story(Random rnd, int sentences) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < sentences; i++) {
      if (i > 0) {
        sb.append(' ');
      }
      sb.append("The ")
          .append(ADJS[rnd.nextInt(ADJS.length)])
          .append(' ')
          .append(NOUNS[rnd.nextInt(NOUNS.length)])
          .append(' ')
          .append(VERBS[rnd.nextInt(VERBS.length)])
          .append(" the ")
          .append(ADJS[rnd.nextInt(ADJS.length)])
          .append(' ')
          .append(NOUNS[rnd.nextInt(NOUNS.length)])
          .append(" near a ")
          .append(NOUNS[rnd.nextInt(NOUNS.length)])
          .append('.');
    }
    return sb.toString();
  }

  /**
   * A batch that breaks the gates: {@code poetry} records all of category "poetry" (far from the
   * generated corpus's mix) and {@code empty} records whose response is empty (quarantined as
   * empty_field by ingest).
   */
  static void writeBadBatch(Path dir, int poetry, int empty) throws IOException {
    Random rnd = new Random(77);
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < poetry + empty; i++) {
      ObjectNode o = JSON.createObjectNode();
      o.put(
          "instruction",
          "Write a poem about the " + NOUNS[rnd.nextInt(NOUNS.length)] + " " + i + ".");
      o.put("input", "");
      o.put("output", i < poetry ? story(rnd, 5) : "");
      o.put("category", "poetry");
      lines.add(o.toString());
    }
    Files.createDirectories(dir);
    Files.write(
        dir.resolve("bad.jsonl"), String.join("\n", lines).getBytes(StandardCharsets.UTF_8));
  }

  /** Copies {@code batch-k} into the input directory (as a new night's arrival). */
  static void copyBatch(Path batches, int k, Path in) throws IOException {
    copyTree(batches.resolve("batch-" + k), in.resolve("batch-" + k));
  }

  /** Copies a directory tree (replacing existing files). */
  static void copyTree(Path src, Path dst) throws IOException {
    try (Stream<Path> s = Files.walk(src)) {
      for (Path p : s.toList()) {
        Path t = dst.resolve(src.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  /** Corpus files under {@code in} (what ingest lists). */
  static long corpusFiles(Path in) throws IOException {
    try (Stream<Path> s = Files.walk(in)) {
      return s.filter(Files::isRegularFile)
          .filter(p -> !p.getFileName().toString().startsWith("_"))
          .filter(p -> !p.getFileName().toString().startsWith("."))
          .count();
    }
  }

  /** The config of the nightly tests: the defaults plus the input and lake. */
  static PipelineConfig config(Lake lake, String in, String... sets) {
    PipelineConfig.Builder b =
        PipelineConfig.builder()
            .optEnvironment(java.util.Map.of())
            .optSet("input.path", in)
            .optSet("lake.root", lake.root());
    for (String s : sets) {
      b.optSet(s);
    }
    return b.build();
  }

  /** Runs {@code nightly} in-process, as the CLI does (output discarded). */
  static RunSummary nightly(Lake lake, Path in, String... sets) {
    return nightly(lake, in.toString(), System.out, sets);
  }

  /** Same, input given as a URI (e.g. s3a://), progress to {@code out}. */
  static RunSummary nightly(Lake lake, String in, java.io.PrintStream out, String... sets) {
    PipelineConfig config = config(lake, in, sets);
    RunSummary s =
        JobSequence.run(lake, "nightly", config, List.of(new NightlyJob().step(config)), out, out);
    out.println("nightly " + s.status() + ": " + s.toJson());
    return s;
  }

  /** The bronze record id of {@code file}'s line {@code line}. */
  static String bronzeId(Lake lake, String file, long line) {
    List<Row> r =
        lake.read(LakeTable.BRONZE_RECORDS)
            .where(
                col(RecordSchema.SOURCE_FILE)
                    .endsWith("/" + file)
                    .and(col(RecordSchema.SOURCE_LINE).equalTo(line)))
            .select(RecordSchema.RECORD_ID)
            .collectAsList();
    if (r.size() != 1) {
      throw new IllegalStateException(file + ":" + line + " -> " + r);
    }
    return r.get(0).getString(0);
  }
}
