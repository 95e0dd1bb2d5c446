package io.instructlake.infer;

import java.util.Arrays;
import java.util.Random;

/**
 * Picks the next token of one row from its logits ({@link GenerationSettings} gives the order of
 * the steps). Pure Java over a {@code float[]} of the vocabulary, so its choices are testable on
 * their own; written here because DJL has no sampling utilities for raw logits.
 */
final class Sampler {
  private Sampler() {}

  /** The next token: greedy at temperature 0, else a draw from the kept set with {@code rnd}. */
  static int next(float[] logits, boolean[] seen, GenerationSettings s, Random rnd) {
    float[] l = penalized(logits, seen, s.repetitionPenalty());
    if (!s.sampling()) {
      return argmax(l);
    }
    double[] scaled = new double[l.length];
    for (int i = 0; i < l.length; i++) {
      scaled[i] = l[i] / s.temperature();
    }
    int[] kept = kept(scaled, s.topK(), s.topP());
    double max = scaled[kept[0]];
    double[] p = new double[kept.length];
    double z = 0;
    for (int i = 0; i < kept.length; i++) {
      p[i] = Math.exp(scaled[kept[i]] - max);
      z += p[i];
    }
    double u = rnd.nextDouble() * z;
    for (int i = 0; i < kept.length; i++) {
      u -= p[i];
      if (u < 0) {
        return kept[i];
      }
    }
    return kept[kept.length - 1];
  }

  /** HF's repetition penalty on the tokens {@code seen} (a copy; the input is not changed). */
  static float[] penalized(float[] logits, boolean[] seen, double penalty) {
    float[] l = logits.clone();
    if (penalty == 1.0 || seen == null) {
      return l;
    }
    for (int i = 0; i < l.length; i++) {
      if (seen[i]) {
        l[i] = (float) (l[i] > 0 ? l[i] / penalty : l[i] * penalty);
      }
    }
    return l;
  }

  /** Index of the largest value (the first on ties). */
  static int argmax(float[] l) {
    int best = 0;
    for (int i = 1; i < l.length; i++) {
      if (l[i] > l[best]) {
        best = i;
      }
    }
    return best;
  }

  /**
   * The tokens top-k then top-p keep, most likely first (ties by index): at most {@code topK} of
   * them (0 = no limit), then the shortest prefix whose probability (softmax over the top-k set, as
   * HF's warpers apply top-p after top-k) reaches {@code topP}. Never empty.
   */
  static int[] kept(double[] scaled, int topK, double topP) {
    Integer[] order = new Integer[scaled.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(
        order, (a, b) -> scaled[a] != scaled[b] ? Double.compare(scaled[b], scaled[a]) : a - b);
    int n = topK > 0 ? Math.min(topK, order.length) : order.length;
    if (topP < 1.0) {
      double max = scaled[order[0]];
      double z = 0;
      for (int i = 0; i < n; i++) {
        z += Math.exp(scaled[order[i]] - max);
      }
      double cum = 0;
      int keep = 0;
      while (keep < n && cum < topP) {
        cum += Math.exp(scaled[order[keep]] - max) / z;
        keep++;
      }
      n = Math.max(1, keep);
    }
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      out[i] = order[i];
    }
    return out;
  }
}
