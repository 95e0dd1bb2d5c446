package io.instructlake.dedupe;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RuntimeConfig;
import org.apache.spark.util.sketch.BloomFilter;

/**
 * Builds Spark {@link BloomFilter}s with {@code Dataset.stat().bloomFilter} at the size asked for.
 *
 * <p>Trap (Spark 4.x): {@code stat().bloomFilter} runs the {@code bloom_filter_agg} aggregate of
 * runtime join filtering, which silently caps the filter at {@code
 * spark.sql.optimizer.runtime.bloomFilter.maxNumBits} (default 67,108,864 bits = 8 MiB) and the
 * expected item count at {@code ...maxNumItems} (default 4,000,000). A filter for 10M keys at 1%
 * then gets 64 Mi bits and the 12 hash functions meant for 4M items, and its measured false
 * positive rate is about 11%, not 1% (measured by {@code BloomBenchmark} at 10M keys). Filters of
 * different requested sizes also stop being mergeable. This class raises both limits to the
 * requested size for the duration of the build and restores them afterwards.
 */
public final class SparkBloomFilters {
  static final String MAX_NUM_BITS = "spark.sql.optimizer.runtime.bloomFilter.maxNumBits";
  static final String MAX_NUM_ITEMS = "spark.sql.optimizer.runtime.bloomFilter.maxNumItems";

  private SparkBloomFilters() {}

  /**
   * A filter over {@code column} sized for {@code expectedItems} at false positive rate {@code
   * fpp}.
   */
  public static BloomFilter build(
      Dataset<Row> data, String column, long expectedItems, double fpp) {
    return build(data, column, expectedItems, BloomFilter.optimalNumOfBits(expectedItems, fpp));
  }

  /**
   * A filter over {@code column} with exactly {@code numBits} bits and the hash-function count that
   * is optimal for {@code expectedItems} (so two filters built with the same arguments merge).
   */
  public static BloomFilter build(
      Dataset<Row> data, String column, long expectedItems, long numBits) {
    synchronized (SparkBloomFilters.class) {
      RuntimeConfig conf = data.sparkSession().conf();
      String oldBits = conf.getOption(MAX_NUM_BITS).getOrElse(() -> null);
      String oldItems = conf.getOption(MAX_NUM_ITEMS).getOrElse(() -> null);
      try {
        conf.set(MAX_NUM_BITS, Math.max(numBits, atLeastZero(oldBits)));
        conf.set(MAX_NUM_ITEMS, Math.max(expectedItems, atLeastZero(oldItems)));
        return data.stat().bloomFilter(column, expectedItems, numBits);
      } finally {
        restore(conf, MAX_NUM_BITS, oldBits);
        restore(conf, MAX_NUM_ITEMS, oldItems);
      }
    }
  }

  /** A limit the session set, or 0 where it set none (the default is then below our size). */
  private static long atLeastZero(String v) {
    return v == null ? 0 : Long.parseLong(v.trim());
  }

  private static void restore(RuntimeConfig conf, String key, String old) {
    if (old == null) {
      conf.unset(key);
    } else {
      conf.set(key, old);
    }
  }
}
