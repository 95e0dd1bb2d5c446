package io.instructlake.clean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instructlake.PipelineException;
import io.instructlake.config.PipelineConfig;
import io.instructlake.lake.Lake;
import io.instructlake.lake.LakeTable;
import io.instructlake.lake.Quarantine;
import io.instructlake.lake.RecordSchema;
import io.instructlake.lake.Run;
import io.instructlake.lake.StageOutput;
import io.instructlake.testkit.SparkTestBase;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import scala.jdk.javaapi.CollectionConverters;

/** CleanStage and CleanJob on a hand-built bronze dataset whose outcome per row is known. */
class CleanStageTest extends SparkTestBase {
  private static final String PHONE = "13812345678";
  private static final String EMAIL = "john.doe@example.com";

  /** One hand-built record and the reason it must get (null = kept). */
  record Case(String id, String prompt, String response, String expected) {}

  static List<Case> cases() {
    List<Case> c = new ArrayList<>();
    c.add(
        new Case(
            "en_ok", "What is the capital of France?", "The capital of France is Paris.", null));
    c.add(
        new Case(
            "zh_pii", "我的手机号是" + PHONE + "，请帮我记录下来。", "好的，已经记录您的手机号" + PHONE + "，我们会尽快联系您。", null));
    c.add(new Case("zh_short", "1+1等于几？", "等于二。", null));
    c.add(
        new Case(
            "en_email",
            "Please send the report to " + EMAIL,
            "Sure, I will send the report to " + EMAIL + " today.",
            null));
    c.add(
        new Case(
            "slot", "Who are you?", "I am {{name}}, an assistant by {{author}}.", "template_slot"));
    c.add(new Case("empty", "Say something", "   ", "empty_turn"));
    c.add(new Case("echo", "Hello there friend", "hello there friend", "response_equals_prompt"));
    c.add(new Case("short", "Is it?", "Yes", "too_short"));
    c.add(
        new Case(
            "french",
            "Pouvez-vous décrire la ville de Lyon en quelques phrases?",
            "Lyon est une grande ville française située au confluent du Rhône et de la Saône, connue"
                + " pour sa gastronomie et son vieux quartier.",
            "wrong_language"));
    c.add(
        new Case(
            "refusal",
            "Tell me how to pick a lock.",
            "As an AI language model, I cannot help with that request.",
            "refusal"));
    StringBuilder many = new StringBuilder("Contacts: ");
    for (int i = 0; i < 21; i++) {
      many.append("user").append(i).append("@example.org ");
    }
    c.add(new Case("pii_heavy", "List the contacts", many.toString(), "too_much_pii"));
    StringBuilder rep = new StringBuilder();
    for (int i = 0; i < 10; i++) {
      rep.append("Buy the best shoes in town with the lowest prices and free shipping today\n");
    }
    c.add(new Case("repeat", "Write an advert", rep.toString(), "low_quality_repeated_lines"));
    return c;
  }

  static Dataset<Row> bronze(List<Case> cases, String runId) {
    List<Row> rows = new ArrayList<>();
    long line = 1;
    for (Case k : cases) {
      List<Row> msgs =
          List.of(
              RowFactory.create("user", k.prompt()), RowFactory.create("assistant", k.response()));
      rows.add(
          RowFactory.create(
              k.id(),
              "hand.jsonl",
              line++,
              "alpaca",
              null,
              CollectionConverters.asScala(msgs).toSeq(),
              null,
              k.prompt(),
              k.response(),
              null,
              null,
              runId,
              new Timestamp(0L)));
    }
    return spark.createDataFrame(rows, RecordSchema.BRONZE);
  }

  /** Expected drops per reason, counted from the case list (not from the stage). */
  static Map<String, Long> expectedReasons(List<Case> cases) {
    Map<String, Long> m = new TreeMap<>();
    for (Case k : cases) {
      if (k.expected() != null) {
        m.merge(k.expected(), 1L, Long::sum);
      }
    }
    return m;
  }

  @Test
  void stageKeepsAndDropsByReason() {
    List<Case> cases = cases();
    StageOutput out = new CleanStage(CleanOptions.defaults()).apply(bronze(cases, "ing-1"));
    assertEquals("clean", out.stage());
    Map<String, String> got = new TreeMap<>();
    for (Row r : out.dropped().collectAsList()) {
      got.put(r.getAs(Quarantine.RECORD_ID), r.getAs(Quarantine.REASON));
      assertEquals("clean", r.getAs(Quarantine.STAGE));
      assertNotNull(r.getAs(Quarantine.DETAIL));
    }
    Map<String, String> want = new TreeMap<>();
    for (Case k : cases) {
      if (k.expected() != null) {
        want.put(k.id(), k.expected());
      }
    }
    assertEquals(want, got);
    List<Row> kept = out.kept().orderBy(RecordSchema.RECORD_ID).collectAsList();
    assertEquals(cases.size() - want.size(), kept.size());
    Map<String, Row> byId = new TreeMap<>();
    for (Row r : kept) {
      byId.put(r.getAs(RecordSchema.RECORD_ID), r);
    }
    Row zh = byId.get("zh_pii");
    assertEquals("zh", zh.getAs(CleanStage.LANG));
    assertEquals("我的手机号是<PHONE>，请帮我记录下来。", zh.getAs(RecordSchema.PROMPT));
    Map<String, Integer> zhPii =
        CollectionConverters.asJava(
            zh.<String, Integer>getMap(zh.fieldIndex(CleanStage.PII_COUNTS)));
    assertEquals(Map.of("phone", 2), zhPii); // user + assistant turn; prompt/response not recounted
    Row zhMsg = zh.<Row>getList(zh.fieldIndex(RecordSchema.MESSAGES)).get(1);
    assertEquals("好的，已经记录您的手机号<PHONE>，我们会尽快联系您。", zhMsg.getString(1));
    assertEquals("en", byId.get("en_ok").getAs(CleanStage.LANG));
    assertEquals(LanguageIdentifier.UNDETERMINED, byId.get("zh_short").getAs(CleanStage.LANG));
    assertEquals(
        Map.of("email", 2L, "phone", 2L + 0L),
        Map.of(
            "email",
            out.counters().get("pii_email") - 21L,
            "phone",
            out.counters().get("pii_phone")));
    assertEquals(23L, out.counters().get("pii_email")); // 2 in en_email + 21 in pii_heavy
  }

  @Test
  void quarantineRawIsRedactedOrAbsent() {
    List<Case> cases = cases();
    StageOutput out = new CleanStage(CleanOptions.defaults()).apply(bronze(cases, "ing-1"));
    Row heavy = out.dropped().where("record_id = 'pii_heavy'").first();
    String raw = heavy.getAs(Quarantine.RAW);
    assertTrue(raw.contains("<EMAIL>"), raw);
    assertFalse(raw.contains("user0@example.org"), raw);
    CleanOptions noRaw =
        CleanOptions.from(
            PipelineConfig.builder()
                .optEnvironment(Map.of())
                .optSet("clean.quarantine-keep-raw", "false")
                .build());
    Row r = new CleanStage(noRaw).apply(bronze(cases, "ing-1")).dropped().first();
    assertNull(r.getAs(Quarantine.RAW));
  }

  @Test
  void rejectsInputWithoutBronzeColumns() {
    Dataset<Row> bad =
        spark.createDataFrame(
            List.of(RowFactory.create("x")), new StructType().add("text", DataTypes.StringType));
    PipelineException e =
        assertThrows(
            PipelineException.class, () -> new CleanStage(CleanOptions.defaults()).apply(bad));
    assertTrue(e.getMessage().contains("missing column 'record_id'"), e.getMessage());
  }

  @Test
  void jobCleansNewIngestRunsOnceAndKeepsPiiOutOfTheLake() {
    Lake lake = newLake("job");
    List<Case> cases = cases();
    lake.append(LakeTable.BRONZE_RECORDS, bronze(cases, "ing-1"), "ing-1");
    PipelineConfig config = PipelineConfig.defaults();
    CleanJob job = new CleanJob();
    Run run = Run.start(lake, "clean", config, null);
    job.step(config).execute(run);
    run.succeed();
    Map<String, Long> counts = run.summary().stageCounts("clean");
    Map<String, Long> want = expectedReasons(cases);
    long dropped = want.values().stream().mapToLong(Long::longValue).sum();
    assertEquals(cases.size(), counts.get("in"));
    assertEquals(cases.size() - dropped, counts.get("kept"));
    for (Map.Entry<String, Long> e : want.entrySet()) {
      assertEquals(e.getValue(), counts.get("dropped_" + e.getKey()), e.getKey());
    }
    assertEquals(cases.size() - dropped, lake.read(LakeTable.SILVER_CLEANED).count());
    for (String json : lake.read(LakeTable.SILVER_CLEANED).toJSON().collectAsList()) {
      assertFalse(json.contains(PHONE) || json.contains(EMAIL), json);
    }
    for (String json : lake.read(LakeTable.QUARANTINE).toJSON().collectAsList()) {
      assertFalse(json.contains("@example.org") || json.contains(PHONE), json);
    }
    assertTrue(run.summary().toJson().contains("clean.pii_counts"), run.summary().toJson());

    assertEquals(0L, CleanJob.pending(lake).count()); // a rerun would clean nothing
    // A second run cleans only the new ingest run (ing-1 is already in silver.cleaned).
    lake.append(LakeTable.BRONZE_RECORDS, bronze(cases.subList(0, 1), "ing-2"), "ing-2");
    Run third = Run.start(lake, "clean", config, null);
    job.step(config).execute(third);
    third.succeed();
    assertEquals(1L, third.summary().stageCounts("clean").get("in"));
    assertEquals(1L, third.summary().stageCounts("clean").get("kept"));
  }
}
