package io.instructlake.augment;

import java.util.HashSet;
import java.util.Set;

/**
 * Jaccard similarity of character-bigram sets (whitespace collapsed), which works for Chinese and
 * English alike; the similarity band guard compares an augmented text with its parent's.
 */
public final class Similarity {
  private Similarity() {}

  /** Jaccard in [0, 1]; 1 for two empty texts. */
  public static double jaccard(String a, String b) {
    Set<String> x = bigrams(a);
    Set<String> y = bigrams(b);
    if (x.isEmpty() && y.isEmpty()) {
      return 1.0;
    }
    Set<String> inter = new HashSet<>(x);
    inter.retainAll(y);
    return inter.size() / (double) (x.size() + y.size() - inter.size());
  }

  static Set<String> bigrams(String s) {
    String t = s.replaceAll("\\s+", " ").trim();
    Set<String> out = new HashSet<>();
    for (int i = 0; i + 2 <= t.length(); i++) {
      out.add(t.substring(i, i + 2));
    }
    if (t.length() == 1) {
      out.add(t);
    }
    return out;
  }
}
