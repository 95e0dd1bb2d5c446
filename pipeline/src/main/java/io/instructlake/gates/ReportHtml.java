package io.instructlake.gates;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Renders a {@link RunReport} as one self-contained page: inline CSS, inline SVG bars, no scripts
 * and no external references. The markup is XHTML-compatible (every element closed, only numeric
 * character references) so it parses as XML too. Hand-written: the page is small and a template
 * engine would be a new dependency for one file.
 */
final class ReportHtml {
  private static final int BAR_WIDTH = 160;

  private ReportHtml() {}

  static String render(RunReport r) {
    StringBuilder h = new StringBuilder(16_384);
    h.append("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n")
        .append("<meta charset=\"utf-8\"/>\n<title>instructlake run ")
        .append(esc(r.runId()))
        .append("</title>\n<style>\n")
        .append(CSS)
        .append("</style>\n</head>\n<body>\n");
    h.append("<h1>instructlake run report</h1>\n<table class=\"kv\">\n");
    kv(h, "run id", r.runId());
    kv(h, "command", r.command());
    h.append("<tr><th>status</th><td><span class=\"status ")
        .append(esc(r.status().label()))
        .append("\">")
        .append(esc(r.status().label()))
        .append("</span></td></tr>\n");
    kv(h, "message", r.message());
    kv(h, "generated at", r.generatedAt().toString());
    h.append("</table>\n");

    GateResult g = r.gates();
    if (g != null && !g.passed()) {
      h.append("<div class=\"alert\">\n<h2>Failed checks</h2>\n<ul>\n");
      for (Check c : g.failed()) {
        h.append("<li><b>")
            .append(esc(c.violation()))
            .append("</b> (")
            .append(esc(c.metric()))
            .append("; ")
            .append(esc(c.detail()))
            .append(")</li>\n");
      }
      h.append("</ul>\n</div>\n");
    }

    h.append("<h2>Quality gates</h2>\n");
    if (g == null) {
      h.append("<p>Gates were not evaluated in this run.</p>\n");
    } else {
      h.append("<p>").append(esc(g.summary())).append("</p>\n");
      h.append("<table>\n<tr><th>check</th><th>metric</th><th>value</th><th>threshold</th>")
          .append("<th>status</th><th>detail</th></tr>\n");
      for (Check c : g.checks()) {
        h.append("<tr class=\"")
            .append(c.status().name().toLowerCase(java.util.Locale.ROOT))
            .append("\">");
        td(h, c.name());
        td(h, c.metric());
        td(h, Check.format(c.value()));
        td(h, c.threshold());
        td(h, c.status().name());
        td(h, c.detail());
        h.append("</tr>\n");
      }
      h.append("</table>\n");
    }

    h.append("<h2>Table versions</h2>\n");
    Set<String> tables = new TreeSet<>(r.tablesBefore().keySet());
    tables.addAll(r.tablesAfter().keySet());
    if (tables.isEmpty()) {
      h.append("<p>No table versions recorded.</p>\n");
    } else {
      h.append("<table>\n<tr><th>table</th><th>before</th><th>after</th></tr>\n");
      for (String t : tables) {
        h.append("<tr>");
        td(h, t);
        td(h, version(r.tablesBefore().get(t)));
        td(h, version(r.tablesAfter().get(t)));
        h.append("</tr>\n");
      }
      h.append("</table>\n");
    }

    h.append("<h2>Stage counts</h2>\n");
    if (r.stages().isEmpty()) {
      h.append("<p>No stage counts recorded.</p>\n");
    } else {
      h.append("<table>\n<tr><th>stage</th><th>counter</th><th>rows</th></tr>\n");
      for (Map.Entry<String, Map<String, Long>> s : r.stages().entrySet()) {
        for (Map.Entry<String, Long> c : s.getValue().entrySet()) {
          h.append("<tr>");
          td(h, s.getKey());
          td(h, c.getKey());
          h.append("<td class=\"num\">").append(esc(String.valueOf(c.getValue()))).append("</td>");
          h.append("</tr>\n");
        }
      }
      h.append("</table>\n");
    }

    h.append("<h2>Batch profile</h2>\n");
    profileTable(h, r.batch(), r.previousBatch());
    if (r.batch() != null && !r.batch().drops().isEmpty()) {
      h.append("<h3>Dropped rows per reason (this batch)</h3>\n");
      distribution(h, null, r.batch().drops(), "", "dropped");
    }

    h.append("<h2>Gold distributions: before (previous gold) and after (candidate gold)</h2>\n");
    Profile before = r.previousGold();
    Profile after = r.candidateGold();
    if (before == null && after == null) {
      h.append("<p>No gold profiles recorded.</p>\n");
    } else {
      h.append("<h3>Text length (characters)</h3>\n");
      distribution(
          h,
          before == null ? null : before.lengthHistogram(),
          after == null ? null : after.lengthHistogram(),
          "before",
          "after");
      h.append("<h3>Language</h3>\n");
      distribution(
          h,
          before == null ? null : before.languages(),
          after == null ? null : after.languages(),
          "before",
          "after");
      h.append("<h3>Category</h3>\n");
      distribution(
          h,
          before == null ? null : before.categories(),
          after == null ? null : after.categories(),
          "before",
          "after");
      h.append("<h3>Gold summary</h3>\n");
      profileTable(h, after, before);
    }
    h.append("</body>\n</html>\n");
    return h.toString();
  }

  /** Current profile vs previous, one row per statistic. */
  private static void profileTable(StringBuilder h, Profile now, Profile prev) {
    if (now == null && prev == null) {
      h.append("<p>No profile recorded.</p>\n");
      return;
    }
    h.append("<table>\n<tr><th>statistic</th><th>previous</th><th>this run</th></tr>\n");
    stat(h, "rows", prev, now, p -> (double) p.rows());
    stat(h, "empty rate (prompt)", prev, now, Profile::emptyRatePrompt);
    stat(h, "empty rate (response)", prev, now, Profile::emptyRateResponse);
    stat(h, "null rate (prompt)", prev, now, Profile::nullRatePrompt);
    stat(h, "null rate (response)", prev, now, Profile::nullRateResponse);
    stat(h, "length p50", prev, now, Profile::lengthP50);
    stat(h, "length p90", prev, now, Profile::lengthP90);
    stat(h, "length p99", prev, now, Profile::lengthP99);
    h.append("</table>\n");
  }

  private static void stat(
      StringBuilder h,
      String name,
      Profile prev,
      Profile now,
      java.util.function.ToDoubleFunction<Profile> f) {
    h.append("<tr>");
    td(h, name);
    h.append("<td class=\"num\">")
        .append(esc(prev == null ? "-" : Check.format(f.applyAsDouble(prev))))
        .append("</td><td class=\"num\">")
        .append(esc(now == null ? "-" : Check.format(f.applyAsDouble(now))))
        .append("</td></tr>\n");
  }

  /**
   * A table with one row per key and, per side, an SVG bar of its share and the count. {@code left}
   * may be null (one-sided table).
   */
  private static void distribution(
      StringBuilder h,
      Map<String, Long> left,
      Map<String, Long> right,
      String leftName,
      String rightName) {
    Set<String> keys = new LinkedHashSet<>();
    if (left != null) {
      keys.addAll(left.keySet());
    }
    if (right != null) {
      keys.addAll(right.keySet());
    }
    if (keys.isEmpty()) {
      h.append("<p>No values.</p>\n");
      return;
    }
    boolean twoSided = !leftName.isEmpty();
    h.append("<table class=\"dist\">\n<tr><th>value</th>");
    if (twoSided) {
      h.append("<th>").append(esc(leftName)).append("</th>");
    }
    h.append("<th>").append(esc(rightName)).append("</th></tr>\n");
    long lt = total(left);
    long rt = total(right);
    for (String k : keys) {
      h.append("<tr>");
      td(h, k);
      if (twoSided) {
        bar(h, left, k, lt, "before");
      }
      bar(h, right, k, rt, "after");
      h.append("</tr>\n");
    }
    h.append("</table>\n");
  }

  private static void bar(StringBuilder h, Map<String, Long> m, String k, long total, String cls) {
    if (m == null) {
      h.append("<td>-</td>");
      return;
    }
    long n = m.getOrDefault(k, 0L);
    double share = total == 0 ? 0 : (double) n / total;
    int w = (int) Math.round(share * BAR_WIDTH);
    h.append("<td><svg xmlns=\"http://www.w3.org/2000/svg\" class=\"bar\" width=\"")
        .append(BAR_WIDTH)
        .append("\" height=\"12\"><rect class=\"")
        .append(cls)
        .append("\" x=\"0\" y=\"0\" width=\"")
        .append(w)
        .append("\" height=\"12\"/></svg> ")
        .append(esc(String.format(java.util.Locale.ROOT, "%.1f%% (%d)", share * 100, n)))
        .append("</td>");
  }

  private static long total(Map<String, Long> m) {
    return m == null ? 0 : m.values().stream().mapToLong(Long::longValue).sum();
  }

  private static String version(Long v) {
    return v == null ? "-" : String.valueOf(v);
  }

  private static void kv(StringBuilder h, String k, String v) {
    h.append("<tr><th>").append(esc(k)).append("</th><td>").append(esc(v)).append("</td></tr>\n");
  }

  private static void td(StringBuilder h, String v) {
    h.append("<td>").append(esc(v)).append("</td>");
  }

  /** Escapes text for HTML element content and attribute values. */
  static String esc(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder b = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> {
          // Control characters other than tab/newline are not allowed in XML; drop them.
          if (c >= 0x20 || c == '\t' || c == '\n' || c == '\r') {
            b.append(c);
          }
        }
      }
    }
    return b.toString();
  }

  private static final String CSS =
      String.join(
          "\n",
          List.of(
              "body{font-family:system-ui,sans-serif;margin:2em;color:#222}",
              "table{border-collapse:collapse;margin:0.5em 0 1.5em}",
              "th,td{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:middle}",
              "th{background:#f2f2f2}",
              "td.num{text-align:right}",
              "tr.failed td{background:#fde2e2;font-weight:bold}",
              "tr.skipped td{color:#777}",
              ".alert{border:2px solid #c00;background:#fff0f0;padding:0.5em 1em;margin:1em 0}",
              ".status{padding:2px 8px;border-radius:4px;color:#fff;background:#777}",
              ".status.ok{background:#2a7}",
              ".status.rolled_back,.status.failed{background:#c00}",
              "svg.bar{background:#eee;vertical-align:middle}",
              "rect.before{fill:#999}",
              "rect.after{fill:#36c}",
              ""));
}
