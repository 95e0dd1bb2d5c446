package io.instructlake.clean;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Structural conversation checks ({@code empty_turn}, {@code response_equals_prompt}, {@code
 * template_slot}, {@code refusal}) and the configurable regex keep/drop rules ({@code regex_drop},
 * {@code regex_no_keep_match}). Patterns compile once per instance.
 */
public final class RecordChecks {
  private final CleanOptions.Structure structure;
  private final List<Pattern> slots;
  private final List<Pattern> refusals;
  private final List<Pattern> drop;
  private final List<Pattern> keep;

  public RecordChecks(CleanOptions.Structure structure, CleanOptions.Regex regex) {
    this.structure = structure;
    this.slots = compile(structure.templateSlots());
    this.refusals = compile(structure.refusals());
    this.drop = compile(regex.drop());
    this.keep = compile(regex.keep());
  }

  private static List<Pattern> compile(List<String> ps) {
    List<Pattern> out = new ArrayList<>();
    for (String p : ps) {
      out.add(Pattern.compile(p));
    }
    return out;
  }

  /** Blank user or assistant turn, no messages, or no assistant turn. */
  public Drop emptyTurn(CleanRecord r) {
    if (!structure.emptyTurn()) {
      return null;
    }
    if (r.messages().isEmpty()) {
      return new Drop("empty_turn", "record has no messages");
    }
    boolean assistant = false;
    for (int i = 0; i < r.messages().size(); i++) {
      CleanRecord.Message m = r.messages().get(i);
      boolean checked = "user".equals(m.role()) || "assistant".equals(m.role());
      assistant |= "assistant".equals(m.role());
      if (checked && (m.content() == null || m.content().isBlank())) {
        return new Drop("empty_turn", "turn " + (i + 1) + " (" + m.role() + ") is blank");
      }
    }
    return assistant ? null : new Drop("empty_turn", "record has no assistant turn");
  }

  /** The response equals the user turn it answers (trimmed, case-folded). */
  public Drop responseEqualsPrompt(CleanRecord r) {
    if (!structure.responseEqualsPrompt()) {
      return null;
    }
    String response = fold(r.responseText());
    if (response.isEmpty()) {
      return null;
    }
    String lastUser = fold(r.lastUserText());
    String prompt = fold(r.promptText());
    if (response.equals(lastUser) || response.equals(prompt)) {
      return new Drop(
          "response_equals_prompt", "response equals the prompt (" + response.length() + " chars)");
    }
    return null;
  }

  private static String fold(String s) {
    return s == null ? "" : s.strip().toLowerCase(Locale.ROOT);
  }

  /** An unfilled template slot such as {@code {{name}}} in the system text or any turn. */
  public Drop templateSlot(CleanRecord r) {
    for (String text : r.allTexts()) {
      for (Pattern p : slots) {
        Matcher m = p.matcher(text);
        if (m.find()) {
          return new Drop(
              "template_slot", "unfilled slot '" + m.group() + "' (pattern " + p.pattern() + ")");
        }
      }
    }
    return null;
  }

  /** A refusal or boilerplate pattern in the response. */
  public Drop refusal(CleanRecord r) {
    String response = r.responseText();
    if (response == null) {
      return null;
    }
    for (Pattern p : refusals) {
      Matcher m = p.matcher(response);
      if (m.find()) {
        return new Drop("refusal", "response matches '" + m.group() + "' (pattern " + p + ")");
      }
    }
    return null;
  }

  /** Drop patterns first, then keep patterns (when any are configured). */
  public Drop regex(CleanRecord r) {
    List<String> texts = r.allTexts();
    for (Pattern p : drop) {
      for (String t : texts) {
        if (p.matcher(t).find()) {
          return new Drop("regex_drop", "matches clean.regex.drop pattern " + p.pattern());
        }
      }
    }
    if (keep.isEmpty()) {
      return null;
    }
    for (Pattern p : keep) {
      for (String t : texts) {
        if (p.matcher(t).find()) {
          return null;
        }
      }
    }
    return new Drop("regex_no_keep_match", "matches none of clean.regex.keep " + keep);
  }
}
