package io.instructlake.train.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Chat templates applied in Java. {@link #render} turns a conversation into text pieces, each
 * marked trainable (assistant replies and their end marker) or not (system, user, observation and
 * the headers), so loss masks follow the pieces.
 */
public enum ChatTemplate {
  /** Stanford Alpaca: {@code ### Instruction:} / {@code ### Response:}, ends with {@code </s>}. */
  ALPACA("", "</s>", List.of("<s>", "</s>")),
  /** ChatML (Qwen): {@code <|im_start|>role ... <|im_end|>}. */
  CHATML("", "<|im_end|>", List.of("<|im_start|>", "<|im_end|>")),
  /** DeepSeek-R1-Distill: {@code <｜User｜> ... <｜Assistant｜> ... <｜end▁of▁sentence｜>}. */
  DEEPSEEK(
      "<｜begin▁of▁sentence｜>",
      "<｜end▁of▁sentence｜>",
      List.of("<｜begin▁of▁sentence｜>", "<｜end▁of▁sentence｜>", "<｜User｜>", "<｜Assistant｜>"));

  private final String bos;
  private final String eos;
  private final List<String> specials;

  ChatTemplate(String bos, String eos, List<String> specials) {
    this.bos = bos;
    this.eos = eos;
    this.specials = specials;
  }

  /** A template by config name ({@code alpaca}, {@code chatml}, {@code deepseek}). */
  public static ChatTemplate of(String name) {
    try {
      return valueOf(name.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "unknown chat template " + name + "; use alpaca, chatml or deepseek", e);
    }
  }

  /** Special tokens this template uses (must be single tokens in the tokenizer). */
  public List<String> specialTokens() {
    return specials;
  }

  /** End-of-reply marker (trained, so the model learns to stop). */
  public String eos() {
    return eos;
  }

  /** All fixed words of the template (for building a vocabulary). */
  String templateText() {
    return "### Instruction: ### Input: ### Response: ### Observation: system user assistant"
        + " observation function_call";
  }

  /** One rendered piece of a conversation. */
  public record Piece(String text, boolean trainable) {}

  /** One message: role is user, assistant, function_call, observation or system. */
  public record Message(String role, String content) {}

  /** Renders a conversation; consecutive pieces concatenated give the full prompt text. */
  public List<Piece> render(String system, List<Message> messages) {
    List<Piece> out = new ArrayList<>();
    boolean hasSystem = system != null && !system.isBlank();
    switch (this) {
      case ALPACA:
        if (hasSystem) {
          out.add(new Piece(system + "\n\n", false));
        }
        for (Message m : messages) {
          if (isReply(m)) {
            out.add(new Piece(m.content() + eos, true));
          } else if (m.role().equals("observation")) {
            out.add(
                new Piece("\n\n### Observation:\n" + m.content() + "\n\n### Response:\n", false));
          } else {
            out.add(new Piece("### Instruction:\n" + m.content() + "\n\n### Response:\n", false));
          }
        }
        break;
      case CHATML:
        if (hasSystem) {
          out.add(new Piece("<|im_start|>system\n" + system + "<|im_end|>\n", false));
        }
        for (Message m : messages) {
          if (isReply(m)) {
            out.add(new Piece(m.content() + eos, true));
            out.add(new Piece("\n", false));
          } else {
            String role = m.role().equals("observation") ? "observation" : "user";
            out.add(
                new Piece(
                    "<|im_start|>"
                        + role
                        + "\n"
                        + m.content()
                        + "<|im_end|>\n<|im_start|>assistant\n",
                    false));
          }
        }
        break;
      default: // DEEPSEEK
        out.add(new Piece(bos + (hasSystem ? system : ""), false));
        for (Message m : messages) {
          if (isReply(m)) {
            out.add(new Piece(m.content() + eos, true));
          } else {
            out.add(new Piece("<｜User｜>" + m.content() + "<｜Assistant｜>", false));
          }
        }
    }
    return out;
  }

  private static boolean isReply(Message m) {
    return m.role().equals("assistant") || m.role().equals("function_call");
  }
}
