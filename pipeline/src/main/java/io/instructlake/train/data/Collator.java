package io.instructlake.train.data;

import io.instructlake.train.model.Batch;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds {@link Batch}es from encoded examples: shifts ids into inputs and targets, pads each batch
 * only to its longest row (dynamic padding), and optionally packs several short examples into one
 * row of at most {@code maxLen} slots, each as its own segment (attention stays inside a segment
 * and positions restart).
 */
public final class Collator {
  private Collator() {}

  /** Groups examples into rows: one per example, or greedily packed up to {@code maxLen} slots. */
  public static List<List<SftEncoder.Encoded>> rows(
      List<SftEncoder.Encoded> examples, int maxLen, boolean pack) {
    List<List<SftEncoder.Encoded>> rows = new ArrayList<>();
    List<SftEncoder.Encoded> cur = new ArrayList<>();
    int used = 0;
    for (SftEncoder.Encoded e : examples) {
      int slots = slots(e, maxLen);
      if (!pack || (!cur.isEmpty() && used + slots > maxLen)) {
        if (!cur.isEmpty()) {
          rows.add(cur);
        }
        cur = new ArrayList<>();
        used = 0;
      }
      cur.add(e);
      used += slots;
    }
    if (!cur.isEmpty()) {
      rows.add(cur);
    }
    return rows;
  }

  private static int slots(SftEncoder.Encoded e, int maxLen) {
    return Math.min(maxLen, Math.max(0, e.ids().length - 1));
  }

  /** One batch from rows (each row a list of segments), padded to the longest row. */
  public static Batch batch(List<List<SftEncoder.Encoded>> rows, int maxLen) {
    int t = 1;
    for (List<SftEncoder.Encoded> r : rows) {
      int used = 0;
      for (SftEncoder.Encoded e : r) {
        used += slots(e, maxLen);
      }
      t = Math.max(t, Math.min(used, maxLen));
    }
    int b = rows.size();
    long[] ids = new long[b * t];
    long[] pos = new long[b * t];
    int[] seg = new int[b * t];
    long[] tgt = new long[b * t];
    float[] lm = new float[b * t];
    for (int i = 0; i < b; i++) {
      int at = 0;
      int segment = 0;
      for (SftEncoder.Encoded e : rows.get(i)) {
        segment++;
        int n = slots(e, maxLen);
        for (int j = 0; j < n && at < t; j++, at++) {
          int s = i * t + at;
          ids[s] = e.ids()[j];
          tgt[s] = e.ids()[j + 1];
          pos[s] = j;
          seg[s] = segment;
          lm[s] = e.trainable()[j + 1] ? 1f : 0f;
        }
      }
    }
    return new Batch(b, t, ids, pos, seg, tgt, lm);
  }
}
