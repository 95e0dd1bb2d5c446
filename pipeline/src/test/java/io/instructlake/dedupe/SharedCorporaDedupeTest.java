package io.instructlake.dedupe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.instructlake.config.PipelineConfig;
import io.instructlake.lake.Quarantine;
import io.instructlake.lake.RecordSchema;
import io.instructlake.lake.StageOutput;
import io.instructlake.testkit.SharedCorpora;
import io.instructlake.testkit.SparkTestBase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.Test;

/**
 * Dedupe on the real corpora in {@code ../shared/corpora}, parsed here into the bronze schema. The
 * exact and near duplicate counts are checked against an independent brute-force computation: exact
 * by string equality of the normalized canonical content, near by an exact all-pairs similarity
 * join (prefix filtering, then exact Jaccard of every candidate pair) and union-find clusters.
 */
class SharedCorporaDedupeTest extends SparkTestBase {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One parsed record. */
  record Parsed(String id, String system, List<String[]> messages, String tools, long order) {}

  @Test
  void exactAndNearCountsMatchBruteForce() throws IOException {
    Path dir = SharedCorpora.require();
    List<Parsed> recs = parseAll(dir);
    assertTrue(recs.size() > 10000, "records parsed: " + recs.size());
    DedupeOptions opts = DedupeOptions.from(PipelineConfig.defaults().section("dedupe"));

    // Brute force, exact: canonical normalized content, first by (order, id) survives.
    Map<String, Parsed> firstByContent = new LinkedHashMap<>();
    for (Parsed p : recs) {
      firstByContent.merge(canonical(p), p, (a, b) -> a.order() <= b.order() ? a : b);
    }
    long expectedExact = recs.size() - firstByContent.size();

    // Brute force, near: all pairs with Jaccard >= t among the exact survivors.
    List<Parsed> uniq = new ArrayList<>(firstByContent.values());
    int n = uniq.size();
    long[][] sets = new long[n][];
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < n; i++) {
      Parsed p = uniq.get(i);
      List<String> contents = new ArrayList<>();
      p.messages().forEach(m -> contents.add(m[1]));
      sets[i] = opts.shingler().shingles(opts.normalizer().shingleText(p.system(), contents));
      index.put(p.id(), i);
    }
    int[] parent = new int[n];
    for (int i = 0; i < n; i++) {
      parent[i] = i;
    }
    double t = opts.threshold();
    Map<Long, List<Integer>> prefixIndex = new HashMap<>();
    int truePairs = 0;
    for (int i = 0; i < n; i++) {
      long[] s = sets[i];
      if (s.length == 0) {
        continue;
      }
      int prefix = s.length - (int) Math.ceil(t * s.length - 1e-9) + 1;
      java.util.Set<Integer> cands = new java.util.HashSet<>();
      for (int k = 0; k < prefix; k++) {
        List<Integer> l = prefixIndex.computeIfAbsent(s[k], x -> new ArrayList<>());
        cands.addAll(l);
        l.add(i);
      }
      for (int j : cands) {
        if (Jaccard.of(sets[i], sets[j]) >= t) {
          truePairs++;
          parent[NearDedupeRecallTest.find(parent, i)] = NearDedupeRecallTest.find(parent, j);
        }
      }
    }
    Map<Integer, Integer> sizes = new HashMap<>();
    for (int i = 0; i < n; i++) {
      sizes.merge(NearDedupeRecallTest.find(parent, i), 1, Integer::sum);
    }
    long expectedNear = 0;
    for (int size : sizes.values()) {
      expectedNear += size - 1;
    }

    List<Row> rows = new ArrayList<>();
    for (Parsed p : recs) {
      rows.add(row(p));
    }
    DedupeStage stage = DedupeStage.builder().setOptions(opts).build();
    StageOutput out = stage.dedupe(spark.createDataFrame(rows, RecordSchema.BRONZE));
    long exact = 0;
    long near = 0;
    for (Row r : out.dropped().collectAsList()) {
      if (DedupeStage.REASON_EXACT.equals(r.getAs(Quarantine.REASON))) {
        exact++;
        continue;
      }
      near++;
      int i = index.get((String) r.getAs(Quarantine.RECORD_ID));
      int s = index.get((String) r.getAs(Quarantine.DUPLICATE_OF));
      assertEquals(
          NearDedupeRecallTest.find(parent, i),
          NearDedupeRecallTest.find(parent, s),
          "near drop outside its brute-force cluster: " + r);
    }
    System.out.printf(
        "shared corpora: records=%d exact=%d (brute %d) near=%d (brute %d, true pairs %d) %s%n",
        recs.size(), exact, expectedExact, near, expectedNear, truePairs, out.counters());
    assertEquals(expectedExact, exact);
    assertTrue(expectedExact > 0, "the corpora hold exact duplicates");
    assertTrue(near <= expectedNear, "near drops " + near + " > brute force " + expectedNear);
    assertTrue(near >= 0.95 * expectedNear, "near recall " + near + "/" + expectedNear);
    assertEquals(recs.size() - exact - near, out.kept().count());
    stage.release();
  }

  /** NFKC, whitespace collapsed, parts separated: the documented key input, as a string. */
  static String canonical(Parsed p) {
    StringBuilder sb = new StringBuilder(norm(p.system()));
    for (String[] m : p.messages()) {
      sb.append("\n\u0001").append(m[0]).append('\u0002').append(norm(m[1]));
    }
    return sb.append('\u0003').append(norm(p.tools())).toString();
  }

  static String norm(String s) {
    if (s == null) {
      return "";
    }
    return Normalizer.normalize(s, Normalizer.Form.NFKC)
        .replaceAll("[\\s\\u00A0\\u2007\\u202F\\u3000]+", " ")
        .strip();
  }

  static Row row(Parsed p) {
    Row[] msgs = new Row[p.messages().size()];
    for (int i = 0; i < msgs.length; i++) {
      msgs[i] = RowFactory.create(p.messages().get(i)[0], p.messages().get(i)[1]);
    }
    return RowFactory.create(
        p.id(),
        "corpora",
        p.order(),
        "json",
        p.system(),
        msgs,
        p.tools(),
        null,
        null,
        null,
        null,
        "corpora-run",
        new Timestamp(1_000_000L + p.order()));
  }

  static List<Parsed> parseAll(Path dir) throws IOException {
    List<Parsed> out = new ArrayList<>();
    String[] alpaca = {
      "alpaca_en_demo.json", "alpaca_zh_demo.json", "identity.json", "gsm_8k_train.json"
    };
    for (String f : alpaca) {
      int i = 0;
      for (JsonNode r : JSON.readTree(dir.resolve(f).toFile())) {
        String user = r.path("instruction").asText("");
        String input = r.path("input").asText("");
        if (!input.isEmpty()) {
          user = user + "\n" + input;
        }
        out.add(
            new Parsed(
                f + "#" + i++,
                null,
                List.of(
                    new String[] {"user", user},
                    new String[] {"assistant", r.path("output").asText("")}),
                null,
                out.size()));
      }
    }
    for (String f : new String[] {"glaive_toolcall_en_demo.json", "glaive_toolcall_zh_demo.json"}) {
      int i = 0;
      for (JsonNode r : JSON.readTree(dir.resolve(f).toFile())) {
        List<String[]> msgs = new ArrayList<>();
        for (JsonNode m : r.path("conversations")) {
          String from = m.path("from").asText();
          String role =
              switch (from) {
                case "human" -> "user";
                case "gpt" -> "assistant";
                default -> from;
              };
          msgs.add(new String[] {role, m.path("value").asText("")});
        }
        String tools = r.hasNonNull("tools") ? r.get("tools").asText() : null;
        String system = r.hasNonNull("system") ? r.get("system").asText() : null;
        out.add(new Parsed(f + "#" + i++, system, msgs, tools, out.size()));
      }
    }
    int i = 0;
    for (String line : Files.readAllLines(dir.resolve("c4_demo.jsonl"))) {
      if (line.isBlank()) {
        continue;
      }
      String text = JSON.readTree(line).path("text").asText("");
      out.add(
          new Parsed(
              "c4_demo.jsonl#" + i++,
              null,
              List.<String[]>of(new String[] {"assistant", text}),
              null,
              out.size()));
    }
    i = 0;
    for (String line : Files.readAllLines(dir.resolve("alpaca_seed_tasks.jsonl"))) {
      if (line.isBlank()) {
        continue;
      }
      JsonNode r = JSON.readTree(line);
      JsonNode inst = r.path("instances").path(0);
      String user = r.path("instruction").asText("");
      String input = inst.path("input").asText("");
      if (!input.isEmpty()) {
        user = user + "\n" + input;
      }
      out.add(
          new Parsed(
              "alpaca_seed_tasks.jsonl#" + i++,
              null,
              List.of(
                  new String[] {"user", user},
                  new String[] {"assistant", inst.path("output").asText("")}),
              null,
              out.size()));
    }
    return out;
  }
}
