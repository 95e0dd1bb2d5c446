package io.instructlake.train.dp;

import io.instructlake.train.data.ChatTemplate;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * One training conversation on its way to a rank: its index in the input order (which decides the
 * rank, {@code index mod W}, and the order inside the rank), the system prompt and the turns.
 */
public record DpExample(long index, String system, String[] roles, String[] contents)
    implements Serializable {

  /** The turns as chat-template messages. */
  public List<ChatTemplate.Message> messages() {
    List<ChatTemplate.Message> m = new ArrayList<>(roles.length);
    for (int i = 0; i < roles.length; i++) {
      m.add(new ChatTemplate.Message(roles[i], contents[i]));
    }
    return m;
  }
}
