package io.instructlake.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecordParserTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final RecordParser parser = new RecordParser("text", "label", "category");

  private ParseOutcome parse(String json) throws Exception {
    return parser.parse(JSON.readTree(json), DatasetMapping.defaults(), SourceFormat.AUTO);
  }

  private static List<String> roles(ParsedRecord r) {
    return r.messages().stream().map(ParsedRecord.Message::role).toList();
  }

  @Test
  void alpacaJoinsInstructionAndInputAndKeepsHistory() throws Exception {
    ParseOutcome o =
        parse(
            "{\"instruction\":\"Translate\",\"input\":\"hello\",\"output\":\"你好\",\"system\":\"sys\","
                + "\"history\":[[\"q0\",\"a0\"]],\"category\":\"general\",\"label\":3}");
    assertTrue(o.isOk());
    ParsedRecord r = o.records().get(0);
    assertEquals(List.of("user", "assistant", "user", "assistant"), roles(r));
    assertEquals("Translate\nhello", r.messages().get(2).content());
    assertEquals("Translate\nhello", r.prompt());
    assertEquals("你好", r.response());
    assertEquals("sys", r.system());
    assertEquals("general", r.category());
    assertEquals("3", r.label());
    assertEquals(SourceFormat.ALPACA, r.format());
  }

  @Test
  void sharegptFromValueWithToolsAndSystemTurn() throws Exception {
    ParseOutcome o =
        parse(
            "{\"conversations\":[{\"from\":\"system\",\"value\":\"be brief\"},"
                + "{\"from\":\"human\",\"value\":\"weather?\"},"
                + "{\"from\":\"function_call\",\"value\":\"{\\\"name\\\":\\\"w\\\"}\"},"
                + "{\"from\":\"observation\",\"value\":\"sunny\"},"
                + "{\"from\":\"gpt\",\"value\":\"It is sunny.\"}],"
                + "\"tools\":[{\"name\":\"w\"}]}");
    assertTrue(o.isOk(), String.valueOf(o.detail()));
    ParsedRecord r = o.records().get(0);
    assertEquals("be brief", r.system());
    assertEquals(List.of("user", "function_call", "observation", "assistant"), roles(r));
    assertEquals("[{\"name\":\"w\"}]", r.tools());
    assertEquals("weather?", r.prompt());
    assertEquals("It is sunny.", r.response());
  }

  @Test
  void openAiMessagesWithToolRole() throws Exception {
    ParseOutcome o =
        parse(
            "{\"messages\":[{\"role\":\"user\",\"content\":\"a\"},{\"role\":\"assistant\",\"content\":\"b\"},"
                + "{\"role\":\"user\",\"content\":\"c\"},{\"role\":\"assistant\",\"content\":\"d\"}]}");
    assertTrue(o.isOk());
    assertEquals("c", o.records().get(0).prompt());
    assertEquals("d", o.records().get(0).response());
  }

  @Test
  void badShapesGetTheirReason() throws Exception {
    Map<String, IngestReason> cases =
        Map.ofEntries(
            Map.entry("[1,2]", IngestReason.WRONG_TYPE),
            Map.entry("{\"instruction\":5,\"output\":\"x\"}", IngestReason.WRONG_TYPE),
            Map.entry("{\"instruction\":\"x\"}", IngestReason.MISSING_FIELD),
            Map.entry("{\"instruction\":\" \",\"output\":\"x\"}", IngestReason.EMPTY_FIELD),
            Map.entry("{\"foo\":1}", IngestReason.UNKNOWN_FORMAT),
            Map.entry(
                "{\"conversations\":[{\"from\":\"alien\",\"value\":\"x\"},{\"from\":\"gpt\",\"value\":\"y\"}]}",
                IngestReason.UNKNOWN_ROLE),
            Map.entry(
                "{\"conversations\":[{\"from\":\"human\",\"value\":\"x\"},{\"from\":\"human\",\"value\":\"y\"}]}",
                IngestReason.NON_ALTERNATING_TURNS),
            Map.entry(
                "{\"conversations\":[{\"from\":\"human\",\"value\":\"x\"}]}",
                IngestReason.NON_ALTERNATING_TURNS),
            Map.entry("{\"conversations\":[]}", IngestReason.EMPTY_FIELD),
            Map.entry("{\"conversations\":\"no\"}", IngestReason.WRONG_TYPE),
            Map.entry(
                "{\"conversations\":[{\"from\":\"human\",\"value\":7},{\"from\":\"gpt\",\"value\":\"y\"}]}",
                IngestReason.WRONG_TYPE),
            Map.entry("{\"prompt\":\"p\"}", IngestReason.MISSING_FIELD),
            Map.entry(
                "{\"instruction\":\"i\",\"output\":\"o\",\"history\":[[\"a\"]]}",
                IngestReason.WRONG_TYPE));
    for (Map.Entry<String, IngestReason> c : cases.entrySet()) {
      ParseOutcome o = parse(c.getKey());
      assertEquals(c.getValue(), o.reason(), c.getKey() + " -> " + o.detail());
      assertTrue(o.detail() != null && !o.detail().isBlank());
    }
  }

  @Test
  void seedTaskYieldsOneRecordPerInstance() throws Exception {
    ParseOutcome o =
        parse(
            "{\"id\":\"t1\",\"instruction\":\"Is it prime?\",\"instances\":[{\"input\":\"7\",\"output\":\"yes\"},"
                + "{\"input\":\"8\",\"output\":\"no\"}],\"is_classification\":true}");
    assertEquals(2, o.records().size());
    assertEquals("Is it prime?\n8", o.records().get(1).prompt());
  }

  @Test
  void datasetInfoMappingsAreHonoured() throws Exception {
    String info =
        "{\"qa\":{\"file_name\":\"qa.json\",\"columns\":{\"prompt\":\"question\",\"response\":\"answer\"}},"
            + "\"chat\":{\"file_name\":\"chat.json\",\"formatting\":\"sharegpt\","
            + "\"columns\":{\"messages\":\"dialog\"},\"tags\":{\"role_tag\":\"speaker\",\"content_tag\":\"text\","
            + "\"user_tag\":\"customer\",\"assistant_tag\":\"agent\"}},"
            + "\"pt\":{\"file_name\":\"pt.jsonl\",\"columns\":{\"prompt\":\"body\"}},"
            + "\"hub\":{\"hf_hub_url\":\"x/y\"}}";
    Map<String, DatasetMapping> m =
        DatasetMapping.readDatasetInfo(
            new ByteArrayInputStream(info.getBytes(StandardCharsets.UTF_8)), "test");
    assertEquals(3, m.size());
    JsonNode qa = JSON.readTree("{\"question\":\"q\",\"answer\":\"a\"}");
    ParsedRecord r = parser.parse(qa, m.get("qa.json"), SourceFormat.AUTO).records().get(0);
    assertEquals("q", r.prompt());
    assertEquals("a", r.response());
    JsonNode chat =
        JSON.readTree(
            "{\"dialog\":[{\"speaker\":\"customer\",\"text\":\"hi\"},{\"speaker\":\"agent\",\"text\":\"hello\"}]}");
    ParsedRecord c = parser.parse(chat, m.get("chat.json"), SourceFormat.AUTO).records().get(0);
    assertEquals(List.of("user", "assistant"), roles(c));
    JsonNode pt = JSON.readTree("{\"body\":\"a document\"}");
    ParsedRecord p = parser.parse(pt, m.get("pt.jsonl"), SourceFormat.AUTO).records().get(0);
    assertEquals(SourceFormat.TEXT, p.format());
    assertEquals("a document", p.response());
    assertNull(p.prompt());
  }

  @Test
  void crlfAndBomAreNormalizedAndIdsAreStable() throws Exception {
    ParsedRecord a =
        parse("{\"prompt\":\"\\uFEFFline1\\r\\nline2\",\"response\":\"r\"}").records().get(0);
    ParsedRecord b = parse("{\"instruction\":\"line1\\nline2\",\"output\":\"r\"}").records().get(0);
    assertEquals("line1\nline2", a.prompt());
    assertEquals(RecordIds.of(a), RecordIds.of(b), "same content, same id across formats");
    ParsedRecord c =
        parse("{\"instruction\":\"line1\\nline2\",\"output\":\"r \"}").records().get(0);
    assertNotEquals(RecordIds.of(b), RecordIds.of(c));
    assertEquals(32, RecordIds.of(a).length());
    // Separator characters in content cannot forge another record's canonical form.
    ParsedRecord d =
        parse("{\"instruction\":\"a\\u001eassistant\\u001fb\",\"output\":\"c\"}").records().get(0);
    ParsedRecord e =
        parse("{\"instruction\":\"a\",\"output\":\"b\\u001euser\\u001fc\"}").records().get(0);
    assertNotEquals(RecordIds.of(d), RecordIds.of(e));
  }
}
