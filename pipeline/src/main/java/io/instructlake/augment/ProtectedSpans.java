package io.instructlake.augment;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Character ranges of a text that augmentation must never change: fenced and inline code, JSON
 * objects and arrays (tool calls), PII placeholders written by clean ({@code <EMAIL>}, {@code
 * <PHONE>}...), URLs, and numbers (including words that contain digits, such as {@code v2} or
 * {@code 3.14}).
 */
public final class ProtectedSpans {
  private static final Pattern FENCED = Pattern.compile("```.*?```", Pattern.DOTALL);
  private static final Pattern INLINE_CODE = Pattern.compile("`[^`\\n]+`");
  private static final Pattern PLACEHOLDER = Pattern.compile("<[A-Z][A-Z0-9_]*>");
  private static final Pattern URL = Pattern.compile("(?:https?|ftp)://\\S+|www\\.\\S+");
  private static final Pattern NUMBERISH =
      Pattern.compile("[\\p{L}_]*\\d[\\p{L}\\d_]*(?:[.,:/%-]\\d+)*%?");

  private ProtectedSpans() {}

  /** Sorted, merged {@code [start, end)} ranges. */
  public static List<int[]> find(String text) {
    List<int[]> spans = new ArrayList<>();
    for (Pattern p : List.of(FENCED, INLINE_CODE, PLACEHOLDER, URL, NUMBERISH)) {
      Matcher m = p.matcher(text);
      while (m.find()) {
        spans.add(new int[] {m.start(), m.end()});
      }
    }
    spans.addAll(jsonSpans(text));
    spans.sort((a, b) -> a[0] != b[0] ? Integer.compare(a[0], b[0]) : Integer.compare(b[1], a[1]));
    List<int[]> merged = new ArrayList<>();
    for (int[] s : spans) {
      if (!merged.isEmpty() && s[0] < merged.get(merged.size() - 1)[1]) {
        int[] last = merged.get(merged.size() - 1);
        last[1] = Math.max(last[1], s[1]);
      } else {
        merged.add(new int[] {s[0], s[1]});
      }
    }
    return merged;
  }

  /** Balanced {@code {...}} and {@code [...]} regions (a JSON-ish scan that respects strings). */
  static List<int[]> jsonSpans(String text) {
    List<int[]> out = new ArrayList<>();
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c == '{' || c == '[') {
        int end = matchClose(text, i);
        if (end > 0) {
          out.add(new int[] {i, end});
          i = end;
          continue;
        }
      }
      i++;
    }
    return out;
  }

  private static int matchClose(String text, int start) {
    int depth = 0;
    boolean inString = false;
    for (int i = start; i < text.length(); i++) {
      char c = text.charAt(i);
      if (inString) {
        if (c == '\\') {
          i++;
        } else if (c == '"') {
          inString = false;
        }
        continue;
      }
      if (c == '"') {
        inString = true;
      } else if (c == '{' || c == '[') {
        depth++;
      } else if (c == '}' || c == ']') {
        depth--;
        if (depth == 0) {
          return i + 1;
        }
      }
    }
    return -1;
  }
}
