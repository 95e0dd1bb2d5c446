package io.instructlake.clean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.instructlake.lake.Quarantine;
import io.instructlake.lake.RecordSchema;
import io.instructlake.lake.StageOutput;
import io.instructlake.testkit.SharedCorpora;
import io.instructlake.testkit.SparkTestBase;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import scala.jdk.javaapi.CollectionConverters;

/**
 * CleanStage on the real alpaca-format files of {@code ../shared/corpora}, parsed here into the
 * bronze schema (ingest is built elsewhere). Prints the share dropped per file and reason, and
 * checks drops by rules computed from the raw records.
 */
class CleanCorporaTest extends SparkTestBase {
  private static final List<String> FILES =
      List.of("alpaca_en_demo.json", "alpaca_zh_demo.json", "identity.json", "gsm_8k_train.json");

  /** gsm_8k has 7473 records; the first 2000 keep the test quick on 2 cores. */
  private static final int MAX_PER_FILE = 2000;

  private static final Map<String, JsonNode> RAW = new HashMap<>();
  private static final Map<String, String> REASON = new HashMap<>();
  private static final Map<String, String> DETAIL = new HashMap<>();
  private static final Map<String, Integer> TOTAL = new TreeMap<>();

  @BeforeAll
  static void cleanCorpora() throws IOException {
    Path dir = SharedCorpora.require();
    ObjectMapper json = new ObjectMapper();
    List<Row> rows = new ArrayList<>();
    for (String f : FILES) {
      JsonNode arr = json.readTree(dir.resolve(f).toFile());
      int n = Math.min(arr.size(), MAX_PER_FILE);
      TOTAL.put(f, n);
      for (int i = 0; i < n; i++) {
        JsonNode r = arr.get(i);
        String id = f + "#" + (i + 1);
        RAW.put(id, r);
        String prompt = r.path("instruction").asText("");
        String input = r.path("input").asText("");
        if (!input.isEmpty()) {
          prompt = prompt + "\n\n" + input;
        }
        String response = r.path("output").asText("");
        List<Row> msgs =
            List.of(RowFactory.create("user", prompt), RowFactory.create("assistant", response));
        rows.add(
            RowFactory.create(
                id,
                f,
                (long) (i + 1),
                "alpaca",
                null,
                CollectionConverters.asScala(msgs).toSeq(),
                null,
                prompt,
                response,
                null,
                null,
                "corpora",
                new Timestamp(0L)));
      }
    }
    Dataset<Row> bronze = spark.createDataFrame(rows, RecordSchema.BRONZE).repartition(2);
    StageOutput out = new CleanStage(CleanOptions.defaults()).apply(bronze);
    for (Row r :
        out.dropped()
            .select(Quarantine.RECORD_ID, Quarantine.REASON, Quarantine.DETAIL)
            .collectAsList()) {
      REASON.put(r.getString(0), r.getString(1));
      DETAIL.put(r.getString(0), r.getString(2));
    }
    // Report: share dropped per file and reason.
    Map<String, Map<String, Integer>> perFile = new TreeMap<>();
    REASON.forEach(
        (id, reason) ->
            perFile
                .computeIfAbsent(id.substring(0, id.indexOf('#')), k -> new TreeMap<>())
                .merge(reason, 1, Integer::sum));
    StringBuilder report = new StringBuilder("\nclean on ../shared/corpora (default clean.conf)\n");
    for (String f : FILES) {
      Map<String, Integer> m = perFile.getOrDefault(f, Map.of());
      int dropped = m.values().stream().mapToInt(Integer::intValue).sum();
      report.append(
          String.format(
              Locale.ROOT,
              "%-22s records %5d  dropped %5.1f%%%n",
              f,
              TOTAL.get(f),
              100.0 * dropped / TOTAL.get(f)));
      m.forEach(
          (reason, n) ->
              report.append(
                  String.format(
                      Locale.ROOT,
                      "    %-32s %5d  %5.2f%%%n",
                      reason,
                      n,
                      100.0 * n / TOTAL.get(f))));
    }
    System.out.println(report);
    REASON.entrySet().stream()
        .limit(40)
        .forEach(
            e ->
                System.out.println(
                    e.getKey() + " " + e.getValue() + ": " + DETAIL.get(e.getKey())));
  }

  @Test
  void everyIdentityRecordWithATemplateSlotIsCaught() {
    int withSlot = 0;
    for (Map.Entry<String, JsonNode> e : RAW.entrySet()) {
      if (e.getKey().startsWith("identity.json#") && e.getValue().toString().contains("{{name}}")) {
        withSlot++;
        assertEquals("template_slot", REASON.get(e.getKey()), e.getKey() + " " + e.getValue());
      }
    }
    assertTrue(withSlot > 50, "identity.json should have many {{name}} records, found " + withSlot);
  }

  @Test
  void chineseRecordsAreNotDroppedAsShortWhenAboveTheChineseMinimum() {
    int minZh = CleanOptions.defaults().length().zh().responseMinChars();
    for (Map.Entry<String, String> e : REASON.entrySet()) {
      if (e.getKey().startsWith("alpaca_zh_demo.json#") && e.getValue().equals("too_short")) {
        String out = RAW.get(e.getKey()).path("output").asText("").strip();
        int han = Scripts.hanCount(out);
        assertTrue(
            han < minZh || DETAIL.get(e.getKey()).startsWith("prompt"),
            e.getKey() + " dropped too_short with " + han + " Han characters: " + out);
      }
    }
  }

  @Test
  void dropsAgreeWithTheRawRecords() {
    Set<String> known =
        Set.of(
            "too_short",
            "too_long",
            "wrong_language",
            "regex_drop",
            "regex_no_keep_match",
            "empty_turn",
            "response_equals_prompt",
            "template_slot",
            "refusal",
            "too_much_pii");
    for (Map.Entry<String, String> e : REASON.entrySet()) {
      String reason = e.getValue();
      assertTrue(known.contains(reason) || reason.startsWith("low_quality_"), reason);
      JsonNode raw = RAW.get(e.getKey());
      String output = raw.path("output").asText("");
      switch (reason) {
        case "empty_turn" ->
            assertTrue(
                output.isBlank() || raw.path("instruction").asText("").isBlank(),
                e.getKey() + " " + raw);
        case "template_slot" ->
            assertTrue(
                raw.toString().contains("{{")
                    || raw.toString().contains("[")
                    || raw.toString().contains("【"),
                e.getKey() + " " + raw);
        case "response_equals_prompt" ->
            assertEquals(
                raw.path("instruction").asText("").strip().toLowerCase(Locale.ROOT),
                output.strip().toLowerCase(Locale.ROOT),
                e.getKey());
        default -> {}
      }
    }
    // The curated instruction sets keep most records.
    for (String f : List.of("alpaca_en_demo.json", "alpaca_zh_demo.json", "gsm_8k_train.json")) {
      long dropped = REASON.keySet().stream().filter(id -> id.startsWith(f + "#")).count();
      assertTrue(dropped <= 0.1 * TOTAL.get(f), f + " dropped " + dropped + " of " + TOTAL.get(f));
    }
  }
}
