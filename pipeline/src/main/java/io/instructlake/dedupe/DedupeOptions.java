package io.instructlake.dedupe;

import io.instructlake.config.ConfigError;
import io.instructlake.config.ConfigReader;
import java.io.Serializable;

/**
 * The {@code dedupe} configuration section; every key, its default and its documentation live in
 * {@code instructlake/dedupe.conf}. Read and validated by {@link #from(ConfigReader)}, which names
 * the bad key; code and tests vary it through the configuration ({@code PipelineConfig.with}).
 *
 * @param normalizer text normalization before keys and shingles ({@code normalize.*})
 * @param includeTools whether tool definitions are part of the exact key
 * @param exactEnabled exact dedupe (Bloom filter, then exact confirmation) on
 * @param bloomFpp the Bloom filter's false-positive rate
 * @param bloomExpectedItems the filter's initial capacity
 * @param bloomGrowth capacity factor when the filter is rebuilt larger
 * @param nearEnabled near dedupe (MinHash LSH) on
 * @param threshold Jaccard similarity at or above which two records are near duplicates
 * @param permutations MinHash permutations
 * @param bands LSH bands (configured, or chosen by {@link BandingChooser})
 * @param rows rows per band
 * @param seed MinHash seed
 * @param shingler shingling of the normalized text
 * @param maxBucketCompare most pairs compared per LSH bucket
 */
public record DedupeOptions(
    ContentNormalizer normalizer,
    boolean includeTools,
    boolean exactEnabled,
    double bloomFpp,
    long bloomExpectedItems,
    double bloomGrowth,
    boolean nearEnabled,
    double threshold,
    int permutations,
    int bands,
    int rows,
    long seed,
    Shingler shingler,
    int maxBucketCompare)
    implements Serializable {

  /** Reads and validates the {@code dedupe} section. */
  public static DedupeOptions from(ConfigReader r) {
    ConfigReader n = r.section("normalize");
    ConfigReader e = r.section("exact");
    ConfigReader m = r.section("near");
    Shingler.Mode mode = Shingler.Mode.parse(m.oneOf("shingle-mode", "auto", "char", "word"));
    int perms = m.intValue("permutations", 1, 4096);
    int bands = m.intValue("bands", 0, 4096);
    int rows = m.intValue("rows", 0, 4096);
    if ((bands == 0) != (rows == 0)) {
      throw ConfigError.badValue(
          m.key(bands == 0 ? "bands" : "rows"), 0, "both bands and rows set, or both 0 (auto)");
    }
    if ((long) bands * rows > perms) {
      throw ConfigError.badValue(
          m.key("bands"), bands, "bands * rows <= permutations (" + perms + "), rows=" + rows);
    }
    double minRecall = m.doubleValue("min-recall", 0.0, 0.999);
    double fpW = m.doubleValue("fp-weight", 0.0, 1.0);
    double fnW = m.doubleValue("fn-weight", 0.0, 1.0);
    if (fpW + fnW <= 0) {
      throw ConfigError.badValue(m.key("fn-weight"), fnW, "fp-weight + fn-weight > 0");
    }
    double threshold = m.doubleValue("threshold", 0.01, 0.99);
    // Explicit banding, or the one BandingChooser picks for the threshold (both validated above).
    BandingChooser.Banding banding =
        bands > 0
            ? new BandingChooser.Banding(bands, rows)
            : BandingChooser.choose(threshold, perms, fpW, fnW, minRecall);
    return new DedupeOptions(
        ContentNormalizer.builder()
            .optNfkc(n.bool("nfkc"))
            .optCollapseWhitespace(n.bool("collapse-whitespace"))
            .optCaseFold(n.bool("case-fold"))
            .build(),
        n.bool("include-tools"),
        e.bool("enabled"),
        e.doubleValue("bloom-fpp", 1e-9, 0.5),
        e.longValue("bloom-expected-items", 1, 2_000_000_000L),
        e.doubleValue("bloom-growth", 1.0, 100.0),
        m.bool("enabled"),
        threshold,
        perms,
        banding.bands(),
        banding.rows(),
        m.longValue("seed", Long.MIN_VALUE, Long.MAX_VALUE),
        Shingler.builder()
            .optMode(mode)
            .optCharNgram(m.intValue("char-ngram", 1, 64))
            .optWordNgram(m.intValue("word-ngram", 1, 64))
            .optCjkShare(m.fraction("cjk-share"))
            .build(),
        m.intValue("max-bucket-compare", 1, 1_000_000));
  }

  public DedupeKey dedupeKey() {
    return new DedupeKey(normalizer, includeTools);
  }

  public MinHasher minHasher() {
    return new MinHasher(permutations, bands, rows, seed);
  }

  /**
   * Everything that changes stored band keys; stored per row in {@code silver.records} ({@code
   * lsh_params}) so rows written under other settings are recomputed, never mismatched.
   */
  public String lshParams() {
    return normalizer.describe() + ";" + shingler.describe() + ";" + minHasher().describe();
  }
}
