package io.instructlake.clean;

import java.util.ArrayList;
import java.util.List;

/**
 * The text of one record as the clean rules see it: the system text, the turns, and the optional
 * prompt/response views from bronze (derived from the turns when absent). Plain Java, no Spark.
 */
public record CleanRecord(String system, List<Message> messages, String prompt, String response) {

  /** One turn: role (user, assistant, function_call, observation) and content. */
  public record Message(String role, String content) {}

  public CleanRecord {
    messages = messages == null ? List.of() : List.copyOf(messages);
  }

  /** The response: bronze's response column, else the last assistant turn. */
  public String responseText() {
    if (response != null) {
      return response;
    }
    for (int i = messages.size() - 1; i >= 0; i--) {
      if ("assistant".equals(messages.get(i).role())) {
        return messages.get(i).content();
      }
    }
    return null;
  }

  /** The prompt: bronze's prompt column, else the turns before the last assistant turn. */
  public String promptText() {
    if (prompt != null) {
      return prompt;
    }
    int last = lastAssistant();
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < (last < 0 ? messages.size() : last); i++) {
      if (sb.length() > 0) {
        sb.append('\n');
      }
      sb.append(messages.get(i).content());
    }
    return sb.toString();
  }

  /** The last user turn before the last assistant turn, or null. */
  public String lastUserText() {
    int last = lastAssistant();
    for (int i = (last < 0 ? messages.size() : last) - 1; i >= 0; i--) {
      if ("user".equals(messages.get(i).role())) {
        return messages.get(i).content();
      }
    }
    return null;
  }

  /** Whether any turn is a user turn (pre-training text records have none). */
  public boolean hasUserTurn() {
    for (Message m : messages) {
      if ("user".equals(m.role())) {
        return true;
      }
    }
    return false;
  }

  /** Every assistant turn, joined by blank lines (the text the quality rules judge). */
  public String assistantText() {
    return joined("assistant", null);
  }

  /** User and assistant turns joined (the text the language identifier sees). */
  public String conversationText() {
    return joined("user", "assistant");
  }

  /** System text and every turn's content (non-null), for slot and regex searches. */
  public List<String> allTexts() {
    List<String> out = new ArrayList<>();
    if (system != null) {
      out.add(system);
    }
    for (Message m : messages) {
      if (m.content() != null) {
        out.add(m.content());
      }
    }
    return out;
  }

  private String joined(String roleA, String roleB) {
    StringBuilder sb = new StringBuilder();
    for (Message m : messages) {
      if (m.content() != null && (m.role().equals(roleA) || m.role().equals(roleB))) {
        if (sb.length() > 0) {
          sb.append("\n\n");
        }
        sb.append(m.content());
      }
    }
    return sb.toString();
  }

  private int lastAssistant() {
    for (int i = messages.size() - 1; i >= 0; i--) {
      if ("assistant".equals(messages.get(i).role())) {
        return i;
      }
    }
    return -1;
  }
}
