package io.instructlake.ingest;

import java.util.List;

/**
 * One training example after parsing, before it becomes a bronze row.
 *
 * @param system the system prompt, or null
 * @param messages turns with roles from {@link io.instructlake.lake.RecordSchema#ROLES}
 * @param tools tool definitions as JSON text, or null
 * @param label optional label from the input
 * @param category optional category from the input
 * @param format the detected source format
 */
public record ParsedRecord(
    String system,
    List<Message> messages,
    String tools,
    String label,
    String category,
    SourceFormat format) {

  /** One conversation turn. */
  public record Message(String role, String content) {}

  /** Content of the last assistant turn (the response), or null. */
  public String response() {
    for (int i = messages.size() - 1; i >= 0; i--) {
      if ("assistant".equals(messages.get(i).role())) {
        return messages.get(i).content();
      }
    }
    return null;
  }

  /** Content of the last user turn before the response, or null (e.g. plain text documents). */
  public String prompt() {
    int last = messages.size() - 1;
    while (last >= 0 && !"assistant".equals(messages.get(last).role())) {
      last--;
    }
    for (int i = last - 1; i >= 0; i--) {
      if ("user".equals(messages.get(i).role())) {
        return messages.get(i).content();
      }
    }
    return null;
  }
}
