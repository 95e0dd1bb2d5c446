package io.instructlake.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import io.instructlake.ingest.ParsedRecord.Message;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Turns one parsed JSON object into records, or says precisely why it cannot. Pure Java; no Spark.
 *
 * <p>Format detection when none is declared: {@code conversations}/{@code messages} means sharegpt;
 * {@code instruction} + {@code instances} a self-instruct seed task (one record per instance);
 * {@code instruction}/{@code output} alpaca; {@code prompt}/{@code response} (or {@code
 * question}/{@code answer}) prompt-response; only the text field pre-training text. Text is
 * normalized only as far as ingest must: CRLF and lone CR become LF and byte-order marks are
 * removed; everything else is the clean stage's job.
 */
public final class RecordParser implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String textField;
  private final String labelField;
  private final String categoryField;

  /**
   * @param textField the field holding a document in JSON text corpora (e.g. {@code text})
   * @param labelField input field mapped to {@code label}; empty for none
   * @param categoryField input field mapped to {@code category}; empty for none
   */
  public RecordParser(String textField, String labelField, String categoryField) {
    this.textField = textField;
    this.labelField = labelField;
    this.categoryField = categoryField;
  }

  /** Parses one JSON value with {@code mapping}, honouring a forced {@code format} unless AUTO. */
  public ParseOutcome parse(JsonNode node, DatasetMapping mapping, SourceFormat format) {
    if (node == null || !node.isObject()) {
      return ParseOutcome.bad(
          IngestReason.WRONG_TYPE,
          "expected a JSON object, got " + (node == null ? "nothing" : kind(node)));
    }
    SourceFormat f = format == SourceFormat.AUTO ? detect(node, mapping) : format;
    if (f == null) {
      return ParseOutcome.bad(
          IngestReason.UNKNOWN_FORMAT,
          "no known fields (instruction/output, conversations, messages, prompt/response, "
              + textField
              + "); fields: "
              + fieldNames(node));
    }
    try {
      return switch (f) {
        case SHAREGPT -> sharegpt(node, mapping);
        case ALPACA ->
            node.has("instances") && !node.has(mapping.response)
                ? seedTask(node, mapping)
                : alpaca(node, mapping);
        case PROMPT_RESPONSE -> promptResponse(node, mapping);
        case TEXT -> text(node, mapping.promptOnly ? mapping.prompt : textField, mapping);
        default -> ParseOutcome.bad(IngestReason.UNKNOWN_FORMAT, "format " + f.code());
      };
    } catch (BadField e) {
      return ParseOutcome.bad(e.reason, e.getMessage());
    }
  }

  /** A plain text line as a pre-training document. */
  public ParseOutcome parseTextLine(String line) {
    String doc = clean(line);
    if (doc.isBlank()) {
      return ParseOutcome.bad(IngestReason.EMPTY_FIELD, "empty line");
    }
    return ParseOutcome.ok(
        new ParsedRecord(
            null, List.of(new Message("assistant", doc)), null, null, null, SourceFormat.TEXT));
  }

  SourceFormat detect(JsonNode node, DatasetMapping m) {
    if (m.declared) {
      if (m.formatting == SourceFormat.SHAREGPT) {
        return SourceFormat.SHAREGPT;
      }
      return m.promptOnly ? SourceFormat.TEXT : SourceFormat.ALPACA;
    }
    if (node.has(m.messages) || node.has("messages") || node.has("conversations")) {
      return SourceFormat.SHAREGPT;
    }
    if (node.has(m.prompt) || node.has(m.response) || node.has("instances")) {
      return SourceFormat.ALPACA;
    }
    if (node.has("prompt")
        || node.has("response")
        || (node.has("question") && node.has("answer"))) {
      return SourceFormat.PROMPT_RESPONSE;
    }
    if (node.has(textField)) {
      return SourceFormat.TEXT;
    }
    return null;
  }

  private ParseOutcome alpaca(JsonNode n, DatasetMapping m) {
    String instruction = requiredString(n, m.prompt);
    String input = optionalString(n, m.query);
    String output = requiredString(n, m.response);
    List<Message> msgs = new ArrayList<>();
    JsonNode history = n.get(m.history);
    if (history != null && !history.isNull()) {
      if (!history.isArray()) {
        throw new BadField(
            IngestReason.WRONG_TYPE, "field '" + m.history + "' is " + kind(history));
      }
      for (JsonNode pair : history) {
        if (!pair.isArray()
            || pair.size() != 2
            || !pair.get(0).isTextual()
            || !pair.get(1).isTextual()) {
          throw new BadField(
              IngestReason.WRONG_TYPE,
              "field '" + m.history + "' must hold [prompt, response] string pairs");
        }
        msgs.add(new Message("user", nonEmpty(clean(pair.get(0).asText()), m.history)));
        msgs.add(new Message("assistant", nonEmpty(clean(pair.get(1).asText()), m.history)));
      }
    }
    String user = input == null || input.isBlank() ? instruction : instruction + "\n" + input;
    msgs.add(new Message("user", user));
    msgs.add(new Message("assistant", output));
    return ParseOutcome.ok(
        new ParsedRecord(
            optionalString(n, m.system),
            msgs,
            toolsOf(n, m),
            scalar(n, labelField),
            scalar(n, categoryField),
            SourceFormat.ALPACA));
  }

  /** Self-instruct seed tasks: {@code instruction} + {@code instances[{input, output}]}. */
  private ParseOutcome seedTask(JsonNode n, DatasetMapping m) {
    String instruction = requiredString(n, m.prompt);
    JsonNode instances = n.get("instances");
    if (!instances.isArray()) {
      throw new BadField(IngestReason.WRONG_TYPE, "field 'instances' is " + kind(instances));
    }
    if (instances.isEmpty()) {
      throw new BadField(IngestReason.EMPTY_FIELD, "field 'instances' is empty");
    }
    List<ParsedRecord> out = new ArrayList<>();
    for (JsonNode inst : instances) {
      if (!inst.isObject()) {
        throw new BadField(IngestReason.WRONG_TYPE, "an element of 'instances' is " + kind(inst));
      }
      String input = optionalString(inst, "input");
      String output = requiredString(inst, "output");
      String user = input == null || input.isBlank() ? instruction : instruction + "\n" + input;
      out.add(
          new ParsedRecord(
              optionalString(n, m.system),
              List.of(new Message("user", user), new Message("assistant", output)),
              null,
              scalar(n, labelField),
              scalar(n, categoryField),
              SourceFormat.ALPACA));
    }
    return ParseOutcome.ok(out);
  }

  private ParseOutcome sharegpt(JsonNode n, DatasetMapping m) {
    String field =
        n.has(m.messages) ? m.messages : n.has("messages") ? "messages" : "conversations";
    JsonNode turns = n.get(field);
    if (turns == null || turns.isNull()) {
      throw new BadField(IngestReason.MISSING_FIELD, "missing field '" + field + "'");
    }
    if (!turns.isArray()) {
      throw new BadField(IngestReason.WRONG_TYPE, "field '" + field + "' is " + kind(turns));
    }
    if (turns.isEmpty()) {
      throw new BadField(IngestReason.EMPTY_FIELD, "field '" + field + "' is empty");
    }
    String system = optionalString(n, m.system);
    List<Message> msgs = new ArrayList<>();
    int i = 0;
    for (JsonNode t : turns) {
      if (!t.isObject()) {
        throw new BadField(IngestReason.WRONG_TYPE, "turn " + i + " is " + kind(t));
      }
      boolean fromValue = t.has(m.roleTag) || !t.has("role");
      String roleKey = fromValue ? m.roleTag : "role";
      String contentKey = fromValue ? m.contentTag : "content";
      String tag = requiredString(t, roleKey, "turn " + i + " ");
      JsonNode c = t.get(contentKey);
      if (c == null || c.isNull()) {
        throw new BadField(
            IngestReason.MISSING_FIELD, "turn " + i + " has no '" + contentKey + "'");
      }
      if (!c.isTextual()) {
        throw new BadField(
            IngestReason.WRONG_TYPE, "turn " + i + " '" + contentKey + "' is " + kind(c));
      }
      String content = clean(c.asText());
      String role = role(tag, m);
      if (role == null) {
        throw new BadField(
            IngestReason.UNKNOWN_ROLE, "turn " + i + " has unknown role '" + tag + "'");
      }
      if (role.equals("system")) {
        if (i != 0) {
          throw new BadField(
              IngestReason.NON_ALTERNATING_TURNS, "system turn at position " + i + " (only first)");
        }
        system = content;
      } else {
        if (content.isBlank()) {
          throw new BadField(IngestReason.EMPTY_FIELD, "turn " + i + " (" + role + ") is empty");
        }
        msgs.add(new Message(role, content));
      }
      i++;
    }
    checkAlternation(msgs);
    return ParseOutcome.ok(
        new ParsedRecord(
            system,
            msgs,
            toolsOf(n, m),
            scalar(n, labelField),
            scalar(n, categoryField),
            SourceFormat.SHAREGPT));
  }

  /** LLaMA-Factory's rule: even turns user/observation, odd turns assistant/function_call. */
  static void checkAlternation(List<Message> msgs) {
    if (msgs.isEmpty()) {
      throw new BadField(IngestReason.EMPTY_FIELD, "conversation has no turns besides system");
    }
    for (int i = 0; i < msgs.size(); i++) {
      String r = msgs.get(i).role();
      boolean promptSide = r.equals("user") || r.equals("observation");
      if ((i % 2 == 0) != promptSide) {
        throw new BadField(
            IngestReason.NON_ALTERNATING_TURNS,
            "turn "
                + i
                + " is '"
                + r
                + "' but turns must alternate user/observation with"
                + " assistant/function_call, starting with user");
      }
    }
    if (msgs.size() % 2 != 0) {
      throw new BadField(
          IngestReason.NON_ALTERNATING_TURNS,
          "conversation ends with a '" + msgs.get(msgs.size() - 1).role() + "' turn (no response)");
    }
    if (!msgs.get(0).role().equals("user")) {
      throw new BadField(
          IngestReason.NON_ALTERNATING_TURNS, "conversation starts with an observation");
    }
  }

  private static String role(String tag, DatasetMapping m) {
    String t = tag.trim();
    String lower = t.toLowerCase(Locale.ROOT);
    if (t.equals(m.userTag) || lower.equals("user") || lower.equals("human")) {
      return "user";
    }
    if (t.equals(m.assistantTag) || lower.equals("assistant") || lower.equals("gpt")) {
      return "assistant";
    }
    if (t.equals(m.functionTag) || lower.equals("function_call")) {
      return "function_call";
    }
    if (t.equals(m.observationTag) || lower.equals("observation") || lower.equals("tool")) {
      return "observation";
    }
    if (t.equals(m.systemTag) || lower.equals("system")) {
      return "system";
    }
    return null;
  }

  private ParseOutcome promptResponse(JsonNode n, DatasetMapping m) {
    boolean qa = !n.has("prompt") && n.has("question");
    String prompt = requiredString(n, qa ? "question" : "prompt");
    String response = requiredString(n, qa ? "answer" : "response");
    return ParseOutcome.ok(
        new ParsedRecord(
            optionalString(n, m.system),
            List.of(new Message("user", prompt), new Message("assistant", response)),
            null,
            scalar(n, labelField),
            scalar(n, categoryField),
            SourceFormat.PROMPT_RESPONSE));
  }

  private ParseOutcome text(JsonNode n, String field, DatasetMapping m) {
    String doc = requiredString(n, field);
    return ParseOutcome.ok(
        new ParsedRecord(
            null,
            List.of(new Message("assistant", doc)),
            null,
            scalar(n, labelField),
            scalar(n, categoryField),
            SourceFormat.TEXT));
  }

  private static String toolsOf(JsonNode n, DatasetMapping m) {
    JsonNode t = n.get(m.tools);
    if (t == null || t.isNull()) {
      return null;
    }
    if (t.isTextual()) {
      String s = clean(t.asText());
      return s.isBlank() ? null : s;
    }
    if (t.isArray() || t.isObject()) {
      return t.toString();
    }
    throw new BadField(IngestReason.WRONG_TYPE, "field '" + m.tools + "' is " + kind(t));
  }

  private static String requiredString(JsonNode n, String field) {
    return requiredString(n, field, "");
  }

  private static String requiredString(JsonNode n, String field, String where) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      throw new BadField(IngestReason.MISSING_FIELD, where + "missing field '" + field + "'");
    }
    if (!v.isTextual()) {
      throw new BadField(IngestReason.WRONG_TYPE, where + "field '" + field + "' is " + kind(v));
    }
    return nonEmpty(clean(v.asText()), where + field);
  }

  private static String nonEmpty(String s, String field) {
    if (s.isBlank()) {
      throw new BadField(IngestReason.EMPTY_FIELD, "field '" + field + "' is empty");
    }
    return s;
  }

  private static String optionalString(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      throw new BadField(IngestReason.WRONG_TYPE, "field '" + field + "' is " + kind(v));
    }
    String s = clean(v.asText());
    return s.isEmpty() ? null : s;
  }

  private static String scalar(JsonNode n, String field) {
    if (field == null || field.isEmpty()) {
      return null;
    }
    JsonNode v = n.get(field);
    if (v == null || v.isNull() || v.isContainerNode()) {
      return null;
    }
    String s = clean(v.asText()).trim();
    return s.isEmpty() ? null : s;
  }

  /** CRLF / CR to LF, byte-order marks removed. */
  static String clean(String s) {
    if (s.indexOf('\r') < 0 && s.indexOf('\uFEFF') < 0) {
      return s;
    }
    return s.replace("\r\n", "\n").replace('\r', '\n').replace("\uFEFF", "");
  }

  private static String kind(JsonNode v) {
    return switch (v.getNodeType()) {
      case ARRAY -> "an array";
      case OBJECT -> "an object";
      case NUMBER -> "a number";
      case BOOLEAN -> "a boolean";
      case STRING -> "a string";
      case NULL -> "null";
      default -> v.getNodeType().name().toLowerCase(Locale.ROOT);
    };
  }

  private static String fieldNames(JsonNode n) {
    List<String> names = new ArrayList<>();
    n.fieldNames().forEachRemaining(names::add);
    return names.isEmpty() ? "(none)" : String.join(", ", names);
  }

  /** Internal signal for a bad field; converted to a {@link ParseOutcome}. */
  static final class BadField extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final IngestReason reason;

    BadField(IngestReason reason, String message) {
      super(message, null, false, false);
      this.reason = reason;
    }
  }
}
