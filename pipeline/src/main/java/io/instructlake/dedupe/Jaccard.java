package io.instructlake.dedupe;

/** Exact Jaccard similarity of two sets given as sorted arrays of distinct values. */
public final class Jaccard {
  private Jaccard() {}

  /**
   * |A ∩ B| / |A ∪ B|; two empty sets have similarity 1.0 (they are equal), one empty set 0.0.
   *
   * @param a sorted, distinct
   * @param b sorted, distinct
   */
  public static double of(long[] a, long[] b) {
    if (a.length == 0 && b.length == 0) {
      return 1.0;
    }
    int i = 0;
    int j = 0;
    int inter = 0;
    while (i < a.length && j < b.length) {
      if (a[i] == b[j]) {
        inter++;
        i++;
        j++;
      } else if (a[i] < b[j]) {
        i++;
      } else {
        j++;
      }
    }
    return inter / (double) (a.length + b.length - inter);
  }
}
