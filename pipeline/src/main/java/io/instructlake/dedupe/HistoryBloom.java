package io.instructlake.dedupe;

import io.instructlake.PipelineException;
import io.instructlake.lake.Lake;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Properties;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.util.sketch.BloomFilter;

/**
 * The persisted Bloom filter over the {@code dedupe_key}s of {@code silver.records}, built with
 * Spark's own {@link BloomFilter} ({@code Dataset.stat().bloomFilter} through {@link
 * SparkBloomFilters}, {@code mergeInPlace}, {@code writeTo}/{@code readFrom}).
 *
 * <p>Stored under {@code lake.sidePath("dedupe/")} as {@code bloom-v<version>.bin} (the filter)
 * plus {@code bloom-v<version>.properties} (the silver version it covers, its capacity, fpp, item
 * count and the key settings), written filter first so a reader never sees metadata without its
 * filter. A filter is used only when it covers exactly the current silver version with the same key
 * settings and is within capacity; otherwise it is rebuilt from the table, sized for {@code
 * max(bloom-expected-items, bloom-growth * items)}. A rollback or a foreign write changes the
 * version, so a stale filter is never trusted.
 */
public final class HistoryBloom {
  private final BloomFilter filter;
  private final long version;
  private final long capacity;
  private final double fpp;
  private final long items;
  private final String keySettings;

  HistoryBloom(
      BloomFilter filter, long version, long capacity, double fpp, long items, String keySettings) {
    this.filter = filter;
    this.version = version;
    this.capacity = capacity;
    this.fpp = fpp;
    this.items = items;
    this.keySettings = keySettings;
  }

  public BloomFilter filter() {
    return filter;
  }

  /** The silver.records version whose keys the filter holds. */
  public long version() {
    return version;
  }

  /** Number of items the filter was sized for. */
  public long capacity() {
    return capacity;
  }

  /** Number of keys inserted (rows of silver.records at {@link #version()}). */
  public long items() {
    return items;
  }

  public double fpp() {
    return fpp;
  }

  /**
   * Builds a filter from {@code history}'s {@code dedupe_key} column for {@code version}, sized for
   * {@code max(options.bloomExpectedItems, options.bloomGrowth * items)}.
   */
  public static HistoryBloom build(
      Dataset<Row> history, long version, long items, DedupeOptions options) {
    long capacity =
        Math.max(options.bloomExpectedItems(), (long) Math.ceil(options.bloomGrowth() * items));
    BloomFilter f =
        SparkBloomFilters.build(history, DedupeStage.DEDUPE_KEY, capacity, options.bloomFpp());
    return new HistoryBloom(
        f, version, capacity, options.bloomFpp(), items, options.dedupeKey().describe());
  }

  /**
   * Adds {@code newKeys} (a {@code dedupe_key} column) for the new {@code version}; returns empty
   * when the total would exceed the capacity (the caller rebuilds larger).
   */
  public Optional<HistoryBloom> merge(Dataset<Row> newKeys, long newVersion, long newItems) {
    if (newItems > capacity) {
      return Optional.empty();
    }
    if (newItems == items) {
      // Nothing was added (Spark's bloomFilter aggregate has no result on an empty input).
      return Optional.of(new HistoryBloom(filter, newVersion, capacity, fpp, items, keySettings));
    }
    // Same capacity and bit size give the same number of hash functions, so the filters merge.
    BloomFilter add =
        SparkBloomFilters.build(newKeys, DedupeStage.DEDUPE_KEY, capacity, filter.bitSize());
    try {
      filter.mergeInPlace(add);
    } catch (org.apache.spark.util.sketch.IncompatibleMergeException e) {
      // Cannot happen with equal capacity and bit size; rebuild rather than fail.
      return Optional.empty();
    }
    return Optional.of(new HistoryBloom(filter, newVersion, capacity, fpp, newItems, keySettings));
  }

  /**
   * The persisted filter covering {@code version} with these options, or empty when there is none,
   * it covers another version, was built with other key settings or fpp, or is over capacity.
   */
  public static Optional<HistoryBloom> load(Lake lake, long version, DedupeOptions options) {
    Path meta = new Path(lake.sidePath("dedupe/bloom-v" + version + ".properties"));
    Path bin = new Path(lake.sidePath("dedupe/bloom-v" + version + ".bin"));
    try {
      FileSystem fs = meta.getFileSystem(lake.spark().sparkContext().hadoopConfiguration());
      if (!fs.exists(meta) || !fs.exists(bin)) {
        return Optional.empty();
      }
      Properties p = new Properties();
      try (InputStream in = fs.open(meta)) {
        p.load(new java.io.InputStreamReader(in, StandardCharsets.UTF_8));
      }
      long v = Long.parseLong(p.getProperty("version"));
      long capacity = Long.parseLong(p.getProperty("capacity"));
      double fpp = Double.parseDouble(p.getProperty("fpp"));
      long items = Long.parseLong(p.getProperty("items"));
      String keys = p.getProperty("key_settings");
      if (v != version
          || fpp != options.bloomFpp()
          || !options.dedupeKey().describe().equals(keys)
          || items > capacity) {
        return Optional.empty();
      }
      BloomFilter f;
      try (InputStream in = fs.open(bin)) {
        f = BloomFilter.readFrom(in);
      }
      return Optional.of(new HistoryBloom(f, v, capacity, fpp, items, keys));
    } catch (IOException | RuntimeException e) {
      throw new PipelineException(
          "Cannot read the dedupe Bloom filter at " + bin,
          e.getClass().getSimpleName() + ": " + e.getMessage(),
          "delete " + lake.sidePath("dedupe/") + " bloom-* files; the next run rebuilds them",
          e);
    }
  }

  /**
   * Deletes every stored filter that does not cover {@code version} of {@code silver.records} (e.g.
   * the filter a rolled-back run saved for a version that RESTORE has since replaced), so no filter
   * file outlives the table state it describes; the next dedupe rebuilds a missing one.
   */
  public static void pruneExcept(Lake lake, long version) {
    pruneSideFiles(lake, "bloom-v", "bloom-v" + version + ".", "Bloom filters");
  }

  /**
   * Deletes the files in {@code lake.sidePath("dedupe")} whose names start with {@code prefix} but
   * not with {@code keepPrefix} (shared with {@link HistoryKeys#pruneExcept}).
   */
  static void pruneSideFiles(Lake lake, String prefix, String keepPrefix, String what) {
    Path dir = new Path(lake.sidePath("dedupe"));
    try {
      FileSystem fs = dir.getFileSystem(lake.spark().sparkContext().hadoopConfiguration());
      if (!fs.exists(dir)) {
        return;
      }
      for (FileStatus st : fs.listStatus(dir)) {
        String n = st.getPath().getName();
        if (st.isFile() && n.startsWith(prefix) && !n.startsWith(keepPrefix)) {
          fs.delete(st.getPath(), false);
        }
      }
    } catch (IOException e) {
      throw new PipelineException(
          "Cannot prune the dedupe " + what + " in " + dir,
          e.getMessage(),
          "check that lake.root is writable",
          e);
    }
  }

  /** Writes the filter and its metadata; removes filters of older versions. */
  public void save(Lake lake) {
    Path dir = new Path(lake.sidePath("dedupe"));
    Path bin = new Path(dir, "bloom-v" + version + ".bin");
    Path meta = new Path(dir, "bloom-v" + version + ".properties");
    try {
      FileSystem fs = dir.getFileSystem(lake.spark().sparkContext().hadoopConfiguration());
      fs.mkdirs(dir);
      try (OutputStream out = fs.create(bin, true)) {
        filter.writeTo(out);
      }
      Properties p = new Properties();
      p.setProperty("version", Long.toString(version));
      p.setProperty("capacity", Long.toString(capacity));
      p.setProperty("fpp", Double.toString(fpp));
      p.setProperty("items", Long.toString(items));
      p.setProperty("bit_size", Long.toString(filter.bitSize()));
      p.setProperty("key_settings", keySettings);
      try (OutputStream out = fs.create(meta, true)) {
        p.store(
            new java.io.OutputStreamWriter(out, StandardCharsets.UTF_8),
            "instructlake dedupe Bloom filter over silver.records dedupe_key");
      }
      for (FileStatus st : fs.listStatus(dir)) {
        String n = st.getPath().getName();
        if (n.startsWith("bloom-v")
            && !n.equals(bin.getName())
            && !n.equals(meta.getName())
            && (n.endsWith(".bin") || n.endsWith(".properties"))) {
          fs.delete(st.getPath(), false);
        }
      }
    } catch (IOException e) {
      throw new PipelineException(
          "Cannot write the dedupe Bloom filter to " + bin,
          e.getMessage(),
          "check that lake.root is writable",
          e);
    }
  }
}
