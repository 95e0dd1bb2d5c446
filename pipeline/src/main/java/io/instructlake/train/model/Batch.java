package io.instructlake.train.model;

/**
 * One padded training batch of {@code batch x seqLen} token slots, already shifted: slot t reads
 * {@code inputIds[t]} and is trained to predict {@code targets[t]} where {@code lossMask[t] = 1}.
 *
 * <p>{@code segments} says which example a slot belongs to: 0 is padding, 1, 2, ... are the
 * examples packed into the row. Attention is causal and never crosses segments, so packed examples
 * do not see each other and real tokens never see padding. {@code positions} restart at 0 for every
 * segment (RoPE positions).
 */
public record Batch(
    int batch,
    int seqLen,
    long[] inputIds,
    long[] positions,
    int[] segments,
    long[] targets,
    float[] lossMask) {
  public Batch {
    int n = batch * seqLen;
    if (batch <= 0 || seqLen <= 0) {
      throw new IllegalArgumentException("empty batch " + batch + "x" + seqLen);
    }
    if (inputIds.length != n
        || positions.length != n
        || segments.length != n
        || targets.length != n
        || lossMask.length != n) {
      throw new IllegalArgumentException("every batch array must have " + n + " slots");
    }
  }

  /** A batch of unpacked rows: one segment per row, right padded, no loss (for inference). */
  public static Batch ofRows(long[][] rows) {
    int t = 0;
    for (long[] r : rows) {
      t = Math.max(t, r.length);
    }
    int b = rows.length;
    long[] ids = new long[b * t];
    long[] pos = new long[b * t];
    int[] seg = new int[b * t];
    for (int i = 0; i < b; i++) {
      for (int j = 0; j < rows[i].length; j++) {
        ids[i * t + j] = rows[i][j];
        pos[i * t + j] = j;
        seg[i * t + j] = 1;
      }
    }
    return new Batch(b, t, ids, pos, seg, new long[b * t], new float[b * t]);
  }

  /** Slots holding real (non-padding) tokens. */
  public long realTokens() {
    long n = 0;
    for (int s : segments) {
      if (s != 0) {
        n++;
      }
    }
    return n;
  }

  /** Slots that carry loss. */
  public long lossTokens() {
    long n = 0;
    for (float m : lossMask) {
      if (m != 0) {
        n++;
      }
    }
    return n;
  }
}
