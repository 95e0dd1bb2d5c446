package io.instructlake.dedupe;

import io.instructlake.config.ConfigError;
import io.instructlake.config.ConfigReader;
import java.io.Serializable;

/**
 * Typed {@code dedupe.*} configuration; every key, its default and its documentation live in {@code
 * instructlake/dedupe.conf}. Use {@link #from(ConfigReader)} (validates, naming the key) or {@link
 * #builder()} in code and tests.
 */
public final class DedupeOptions implements Serializable {
  private static final long serialVersionUID = 1L;

  private final ContentNormalizer normalizer;
  private final boolean includeTools;
  private final boolean exactEnabled;
  private final double bloomFpp;
  private final long bloomExpectedItems;
  private final double bloomGrowth;
  private final boolean nearEnabled;
  private final double threshold;
  private final int permutations;
  private final int bands;
  private final int rows;
  private final long seed;
  private final Shingler shingler;
  private final int maxBucketCompare;

  private DedupeOptions(Builder b, BandingChooser.Banding banding) {
    this.normalizer = b.normalizer;
    this.includeTools = b.includeTools;
    this.exactEnabled = b.exactEnabled;
    this.bloomFpp = b.bloomFpp;
    this.bloomExpectedItems = b.bloomExpectedItems;
    this.bloomGrowth = b.bloomGrowth;
    this.nearEnabled = b.nearEnabled;
    this.threshold = b.threshold;
    this.permutations = b.permutations;
    this.bands = banding.bands();
    this.rows = banding.rows();
    this.seed = b.seed;
    this.shingler = b.shingler;
    this.maxBucketCompare = b.maxBucketCompare;
  }

  public static Builder builder() {
    return new Builder();
  }

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
    return builder()
        .optNormalizer(
            ContentNormalizer.builder()
                .optNfkc(n.bool("nfkc"))
                .optCollapseWhitespace(n.bool("collapse-whitespace"))
                .optCaseFold(n.bool("case-fold"))
                .build())
        .optIncludeTools(n.bool("include-tools"))
        .optExact(e.bool("enabled"))
        .optBloomFpp(e.doubleValue("bloom-fpp", 1e-9, 0.5))
        .optBloomExpectedItems(e.longValue("bloom-expected-items", 1, 2_000_000_000L))
        .optBloomGrowth(e.doubleValue("bloom-growth", 1.0, 100.0))
        .optNear(m.bool("enabled"))
        .optThreshold(m.doubleValue("threshold", 0.01, 0.99))
        .optPermutations(perms)
        .optBanding(bands, rows)
        .optWeights(fpW, fnW)
        .optMinRecall(minRecall)
        .optSeed(m.longValue("seed", Long.MIN_VALUE, Long.MAX_VALUE))
        .optShingler(
            Shingler.builder()
                .optMode(mode)
                .optCharNgram(m.intValue("char-ngram", 1, 64))
                .optWordNgram(m.intValue("word-ngram", 1, 64))
                .optCjkShare(m.fraction("cjk-share"))
                .build())
        .optMaxBucketCompare(m.intValue("max-bucket-compare", 1, 1_000_000))
        .build();
  }

  public ContentNormalizer normalizer() {
    return normalizer;
  }

  public DedupeKey dedupeKey() {
    return new DedupeKey(normalizer, includeTools);
  }

  public boolean exactEnabled() {
    return exactEnabled;
  }

  public double bloomFpp() {
    return bloomFpp;
  }

  public long bloomExpectedItems() {
    return bloomExpectedItems;
  }

  public double bloomGrowth() {
    return bloomGrowth;
  }

  public boolean nearEnabled() {
    return nearEnabled;
  }

  public double threshold() {
    return threshold;
  }

  public int permutations() {
    return permutations;
  }

  public int bands() {
    return bands;
  }

  public int rows() {
    return rows;
  }

  public Shingler shingler() {
    return shingler;
  }

  public int maxBucketCompare() {
    return maxBucketCompare;
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

  /** Builder; every option has the default of {@code dedupe.conf}. */
  public static final class Builder {
    private ContentNormalizer normalizer = ContentNormalizer.defaults();
    private boolean includeTools = true;
    private boolean exactEnabled = true;
    private double bloomFpp = 0.01;
    private long bloomExpectedItems = 1_000_000L;
    private double bloomGrowth = 2.0;
    private boolean nearEnabled = true;
    private double threshold = 0.8;
    private int permutations = 128;
    private int bands;
    private int rows;
    private double fpWeight = 0.5;
    private double fnWeight = 0.5;
    private long seed = 42L;
    private double minRecall = 0.95;
    private Shingler shingler = Shingler.builder().build();
    private int maxBucketCompare = 100;

    /** Text normalization; default {@link ContentNormalizer#defaults()}. */
    public Builder optNormalizer(ContentNormalizer n) {
      this.normalizer = n;
      return this;
    }

    /** Include tools in the exact key; default true. */
    public Builder optIncludeTools(boolean v) {
      this.includeTools = v;
      return this;
    }

    /** Exact dedupe on; default true. */
    public Builder optExact(boolean v) {
      this.exactEnabled = v;
      return this;
    }

    /** Bloom filter false-positive rate; default 0.01. */
    public Builder optBloomFpp(double v) {
      this.bloomFpp = v;
      return this;
    }

    /** Initial Bloom capacity; default 1,000,000. */
    public Builder optBloomExpectedItems(long v) {
      this.bloomExpectedItems = v;
      return this;
    }

    /** Capacity factor on rebuild; default 2.0. */
    public Builder optBloomGrowth(double v) {
      this.bloomGrowth = v;
      return this;
    }

    /** Near dedupe on; default true. */
    public Builder optNear(boolean v) {
      this.nearEnabled = v;
      return this;
    }

    /** Jaccard threshold; default 0.8. */
    public Builder optThreshold(double v) {
      this.threshold = v;
      return this;
    }

    /** MinHash permutations; default 128. */
    public Builder optPermutations(int v) {
      this.permutations = v;
      return this;
    }

    /** Explicit banding; default 0, 0 (chosen by {@link BandingChooser}). */
    public Builder optBanding(int bands, int rows) {
      this.bands = bands;
      this.rows = rows;
      return this;
    }

    /** Chooser weights; default 0.5, 0.5. */
    public Builder optWeights(double fp, double fn) {
      this.fpWeight = fp;
      this.fnWeight = fn;
      return this;
    }

    /**
     * Least probability that a pair exactly at the threshold becomes a candidate, when bands are
     * chosen; default 0.95 (0 = the plain weighted criterion).
     */
    public Builder optMinRecall(double v) {
      this.minRecall = v;
      return this;
    }

    /** MinHash seed; default 42. */
    public Builder optSeed(long v) {
      this.seed = v;
      return this;
    }

    /** Shingling; default {@code Shingler.builder().build()}. */
    public Builder optShingler(Shingler s) {
      this.shingler = s;
      return this;
    }

    /** Bucket comparison cap; default 100. */
    public Builder optMaxBucketCompare(int v) {
      this.maxBucketCompare = v;
      return this;
    }

    public DedupeOptions build() {
      if (!(bloomFpp > 0 && bloomFpp < 1)) {
        throw new IllegalArgumentException("bloomFpp must be in (0, 1), got " + bloomFpp);
      }
      if (bloomExpectedItems < 1) {
        throw new IllegalArgumentException(
            "bloomExpectedItems must be >= 1, got " + bloomExpectedItems);
      }
      if (bloomGrowth < 1) {
        throw new IllegalArgumentException("bloomGrowth must be >= 1, got " + bloomGrowth);
      }
      if (maxBucketCompare < 1) {
        throw new IllegalArgumentException(
            "maxBucketCompare must be >= 1, got " + maxBucketCompare);
      }
      BandingChooser.Banding banding =
          bands > 0 && rows > 0
              ? new BandingChooser.Banding(bands, rows)
              : BandingChooser.choose(threshold, permutations, fpWeight, fnWeight, minRecall);
      if ((long) banding.bands() * banding.rows() > permutations) {
        throw new IllegalArgumentException(
            "bands * rows must be <= permutations, got "
                + banding.bands()
                + " x "
                + banding.rows()
                + " > "
                + permutations);
      }
      return new DedupeOptions(this, banding);
    }
  }
}
