package io.instructlake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The library's packages form no cycle: a package may use another only if that one does not,
 * directly or through others, use it back (an orchestrator sits in its own package above what it
 * calls). Dependencies are read from the sources: imports (static ones too) and fully qualified
 * names in code. A failure names each cycle and, for each edge of it, a file and line that creates
 * it.
 */
class PackageCyclesTest {
  private static final Pattern PACKAGE = Pattern.compile("^package ([\\w.]+);", Pattern.MULTILINE);

  /** {@code io.instructlake.x.y.Class}: the package is everything before the first capital. */
  private static final Pattern REFERENCE =
      Pattern.compile("\\b(io\\.instructlake(?:\\.[a-z]\\w*)*)\\.[A-Z]");

  @Test
  void theLibraryHasNoPackageCycle() throws IOException {
    Map<String, Map<String, String>> graph = graph(Path.of("src/main/java"));
    assertTrue(graph.size() > 15, "read only " + graph.keySet());
    List<List<String>> cycles = cycles(graph);
    StringBuilder why = new StringBuilder();
    for (List<String> c : cycles) {
      why.append("\npackages that use each other in a cycle: ").append(c);
      for (String from : c) {
        for (Map.Entry<String, String> e : graph.get(from).entrySet()) {
          if (c.contains(e.getKey())) {
            why.append("\n  ").append(from).append(" -> ").append(e.getKey());
            why.append(" (").append(e.getValue()).append(")");
          }
        }
      }
    }
    assertEquals(List.of(), cycles, why.toString());
  }

  @Test
  void theCheckFindsACycleThroughSeveralPackages() {
    Map<String, Map<String, String>> g = new TreeMap<>();
    g.put("a", Map.of("b", "A.java:3"));
    g.put("b", Map.of("c", "B.java:4"));
    g.put("c", Map.of("a", "C.java:5", "d", "C.java:6"));
    g.put("d", Map.of());
    List<List<String>> cycles = cycles(g);
    assertEquals(1, cycles.size(), cycles.toString());
    assertEquals(Set.of("a", "b", "c"), new TreeSet<>(cycles.get(0)));
  }

  /** Package -> (package it uses -> the first "file:line" that uses it). */
  static Map<String, Map<String, String>> graph(Path sourceRoot) throws IOException {
    Map<String, Map<String, String>> g = new TreeMap<>();
    List<Path> files;
    try (Stream<Path> s = Files.walk(sourceRoot)) {
      files = s.filter(p -> p.toString().endsWith(".java")).sorted().toList();
    }
    for (Path f : files) {
      List<String> lines = Files.readAllLines(f);
      Matcher pm = PACKAGE.matcher(String.join("\n", lines));
      if (!pm.find()) {
        continue;
      }
      String pkg = pm.group(1);
      Map<String, String> out = g.computeIfAbsent(pkg, k -> new TreeMap<>());
      for (int i = 0; i < lines.size(); i++) {
        String line = lines.get(i);
        String code = line.strip();
        if (code.startsWith("package ") || code.startsWith("*") || code.startsWith("//")) {
          continue;
        }
        Matcher m = REFERENCE.matcher(line);
        while (m.find()) {
          String used = m.group(1);
          if (!used.equals(pkg)) {
            out.putIfAbsent(used, sourceRoot.relativize(f) + ":" + (i + 1));
          }
        }
      }
    }
    return g;
  }

  /** Every strongly connected component of more than one package (Tarjan's algorithm). */
  static List<List<String>> cycles(Map<String, Map<String, String>> g) {
    Map<String, Integer> index = new HashMap<>();
    Map<String, Integer> low = new HashMap<>();
    Deque<String> stack = new ArrayDeque<>();
    Set<String> onStack = new TreeSet<>();
    List<List<String>> out = new ArrayList<>();
    int[] counter = {0};
    for (String v : g.keySet()) {
      if (!index.containsKey(v)) {
        strongConnect(v, g, index, low, stack, onStack, out, counter);
      }
    }
    return out;
  }

  private static void strongConnect(
      String v,
      Map<String, Map<String, String>> g,
      Map<String, Integer> index,
      Map<String, Integer> low,
      Deque<String> stack,
      Set<String> onStack,
      List<List<String>> out,
      int[] counter) {
    index.put(v, counter[0]);
    low.put(v, counter[0]);
    counter[0]++;
    stack.push(v);
    onStack.add(v);
    for (String w : g.getOrDefault(v, Map.of()).keySet()) {
      if (!index.containsKey(w)) {
        strongConnect(w, g, index, low, stack, onStack, out, counter);
        low.put(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.contains(w)) {
        low.put(v, Math.min(low.get(v), index.get(w)));
      }
    }
    if (low.get(v).equals(index.get(v))) {
      List<String> component = new ArrayList<>();
      String w;
      do {
        w = stack.pop();
        onStack.remove(w);
        component.add(0, w);
      } while (!w.equals(v));
      if (component.size() > 1) {
        out.add(component);
      }
    }
  }
}
