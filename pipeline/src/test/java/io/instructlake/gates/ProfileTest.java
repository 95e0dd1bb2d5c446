package io.instructlake.gates;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instructlake.PipelineException;
import io.instructlake.testkit.SparkTestBase;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

class ProfileTest extends SparkTestBase {
  private static final StructType MESSAGE =
      new StructType().add("role", DataTypes.StringType).add("content", DataTypes.StringType);
  private static final StructType SCHEMA =
      new StructType()
          .add("messages", DataTypes.createArrayType(MESSAGE, true))
          .add("system", DataTypes.StringType)
          .add("prompt", DataTypes.StringType)
          .add("response", DataTypes.StringType)
          .add("lang", DataTypes.StringType)
          .add("category", DataTypes.StringType);

  private static Object messages(String... userAssistant) {
    if (userAssistant == null) {
      return null;
    }
    List<Row> list = new ArrayList<>();
    for (int i = 0; i < userAssistant.length; i++) {
      list.add(RowFactory.create(i % 2 == 0 ? "user" : "assistant", userAssistant[i]));
    }
    return scala.jdk.javaapi.CollectionConverters.asScala(list).toSeq();
  }

  private static Row row(Object msgs, String prompt, String response, String lang, String cat) {
    return RowFactory.create(msgs, "sys", prompt, response, lang, cat);
  }

  private static Dataset<Row> sample() {
    String a40 = "a".repeat(40);
    String c100 = "c".repeat(100);
    String d5000 = "d".repeat(5000);
    List<Row> rows =
        Arrays.asList(
            // length 5 + 6 = 11 -> bin [0,32)
            row(messages("hello", "world!"), "hello", "world!", "en", "finance"),
            // 40 + 30 = 70 -> [64,128); response blank: empty but not null
            row(messages(a40, "b".repeat(30)), a40, "  ", "zh", "law"),
            // 100 + null content (0) = 100 -> [64,128); response null; lang, category null
            row(messages(c100, null), c100, null, null, null),
            // no messages -> 0 -> [0,32); prompt null
            row(null, null, "x", "en", "finance"),
            // 5000 -> [4096,+inf); blank lang counts as none
            row(messages(d5000), d5000, "ok", "  ", "finance"));
    return spark.createDataFrame(rows, SCHEMA);
  }

  @Test
  void profilesHandBuiltRows() {
    GateSettings s = GateSettings.defaults();
    Profile p = Profile.of(sample(), s);
    assertEquals(5, p.rows());
    assertEquals(1, p.nullPrompt()); // row 4
    assertEquals(1, p.nullResponse()); // row 3
    assertEquals(1, p.emptyPrompt()); // row 4
    assertEquals(2, p.emptyResponse()); // rows 2 (blank) and 3 (null)
    assertEquals(0.4, p.emptyRateResponse(), 1e-12);
    assertEquals(0.2, p.nullRatePrompt(), 1e-12);
    // bins 0,32,64,128,...,4096: lengths 11, 0 | 70, 100 | 5000
    assertArrayEquals(new long[] {2, 0, 2, 0, 0, 0, 0, 0, 1}, p.lengthCounts());
    assertEquals(2L, p.lengthHistogram().get("[64,128)"));
    assertEquals(1L, p.lengthHistogram().get("[4096,+inf)"));
    // sorted lengths 0, 11, 70, 100, 5000: median 70; p90 and p99 are the largest value
    assertEquals(70.0, p.lengthP50());
    assertEquals(5000.0, p.lengthP90());
    assertEquals(5000.0, p.lengthP99());
    assertEquals(Map.of("en", 2L, "zh", 1L, "none", 2L), p.languages());
    assertEquals(Map.of("finance", 3L, "law", 1L, "none", 1L), p.categories());
    assertEquals(-1, p.inputRows());

    Profile withDrops = p.withDrops(Map.of("too_short", 3L), 8);
    assertEquals(8, withDrops.inputRows());
    assertEquals(Map.of("too_short", 3L), withDrops.drops());
    assertEquals(withDrops, Profile.fromJson(withDrops.toJson()));
  }

  @Test
  void withoutMessagesOrLangColumnsUsesPromptPlusResponse() {
    Dataset<Row> df =
        sample().drop("messages", "lang").where("prompt is not null and length(prompt) < 1000");
    Profile p = Profile.of(df, GateSettings.builder().optLengthBins(0, 50).build());
    // rows 1 (5 + 6 = 11) and 2 (40 + 2 = 42) and 3 (100 + 0 = 100)
    assertEquals(3, p.rows());
    assertArrayEquals(new long[] {2, 1}, p.lengthCounts());
    assertEquals(Map.of("none", 3L), p.languages());
  }

  @Test
  void emptyInputGivesZeroProfile() {
    Profile p = Profile.of(sample().limit(0), GateSettings.defaults());
    assertEquals(0, p.rows());
    assertEquals(0, Arrays.stream(p.lengthCounts()).sum());
    assertTrue(p.languages().isEmpty());
  }

  @Test
  void missingResponseColumnIsNamed() {
    PipelineException e =
        assertThrows(
            PipelineException.class,
            () -> Profile.of(sample().drop("response"), GateSettings.defaults()));
    assertTrue(e.getMessage().contains("'response'"), e.getMessage());
  }
}
