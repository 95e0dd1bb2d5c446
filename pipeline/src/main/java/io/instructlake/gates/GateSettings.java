package io.instructlake.gates;

import com.typesafe.config.ConfigException;
import io.instructlake.config.ConfigError;
import io.instructlake.config.ConfigReader;
import io.instructlake.config.PipelineConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The declarative quality-gate checks and their thresholds, read from the {@code gates} section
 * ({@code instructlake/gates.conf} documents every key and its default). Values are checked when
 * read and again in {@link Builder#build()} (ratios in range, minimum at most maximum, ascending
 * bins); every failure is a {@link ConfigError} naming the full key, so a bad configuration fails
 * at start, before any Spark work.
 */
public final class GateSettings {
  private final boolean enabled;
  private final long[] lengthBins;
  private final int quantileAccuracy;
  private final double epsilon;
  private final boolean rowCountEnabled;
  private final long minRows;
  private final double minRatio;
  private final double maxRatio;
  private final boolean dropShareEnabled;
  private final double maxDropTotal;
  private final Map<String, Double> maxDropPerReason;
  private final boolean emptyRateEnabled;
  private final double maxEmptyPrompt;
  private final double maxEmptyResponse;
  private final boolean nullRateEnabled;
  private final double maxNullPrompt;
  private final double maxNullResponse;
  private final boolean lengthEnabled;
  private final double minP50;
  private final double maxP99;
  private final boolean driftEnabled;
  private final double jsMaxLength;
  private final double jsMaxCategory;
  private final double jsMaxLanguage;
  private final double psiMaxLength;
  private final double klMaxCategory;
  private final Mix languageMix;
  private final Mix categoryMix;

  /**
   * Limits on a value mix (language or category) of the candidate gold.
   *
   * @param enabled whether the checks run
   * @param maxShare largest share one value may have; 1.0 never fails
   * @param required values that must have at least one row
   */
  public record Mix(boolean enabled, double maxShare, List<String> required) {
    public Mix {
      required = List.copyOf(required);
    }
  }

  private GateSettings(Builder b) {
    this.enabled = b.enabled;
    this.lengthBins = b.lengthBins.clone();
    this.quantileAccuracy = b.quantileAccuracy;
    this.epsilon = b.epsilon;
    this.rowCountEnabled = b.rowCountEnabled;
    this.minRows = b.minRows;
    this.minRatio = b.minRatio;
    this.maxRatio = b.maxRatio;
    this.dropShareEnabled = b.dropShareEnabled;
    this.maxDropTotal = b.maxDropTotal;
    this.maxDropPerReason = Collections.unmodifiableMap(new TreeMap<>(b.maxDropPerReason));
    this.emptyRateEnabled = b.emptyRateEnabled;
    this.maxEmptyPrompt = b.maxEmptyPrompt;
    this.maxEmptyResponse = b.maxEmptyResponse;
    this.nullRateEnabled = b.nullRateEnabled;
    this.maxNullPrompt = b.maxNullPrompt;
    this.maxNullResponse = b.maxNullResponse;
    this.lengthEnabled = b.lengthEnabled;
    this.minP50 = b.minP50;
    this.maxP99 = b.maxP99;
    this.driftEnabled = b.driftEnabled;
    this.jsMaxLength = b.jsMaxLength;
    this.jsMaxCategory = b.jsMaxCategory;
    this.jsMaxLanguage = b.jsMaxLanguage;
    this.psiMaxLength = b.psiMaxLength;
    this.klMaxCategory = b.klMaxCategory;
    this.languageMix = b.languageMix;
    this.categoryMix = b.categoryMix;
  }

  /** A builder holding the defaults of {@code gates.conf}. */
  public static Builder builder() {
    return new Builder();
  }

  /** The defaults (what {@code gates.conf} ships). */
  public static GateSettings defaults() {
    return from(PipelineConfig.defaults().section("gates"));
  }

  /**
   * Reads the {@code gates} section.
   *
   * @param r the reader of {@code config.section("gates")}
   * @throws ConfigError naming the key of the first bad value
   */
  public static GateSettings from(ConfigReader r) {
    Builder b = builder();
    b.optEnabled(r.bool("enabled"));
    b.optLengthBins(longList(r, "length-bins"));
    b.optQuantileAccuracy(r.intValue("quantile-accuracy", 1, Integer.MAX_VALUE));
    b.optEpsilon(r.doubleValue("epsilon", 0.0, 0.01));

    ConfigReader rc = r.section("row-count");
    b.optRowCount(
        rc.bool("enabled"),
        rc.longValue("min-rows", 0, Long.MAX_VALUE),
        rc.doubleValue("min-ratio", 0.0, Double.MAX_VALUE),
        rc.doubleValue("max-ratio", 0.0, Double.MAX_VALUE));

    ConfigReader ds = r.section("drop-share");
    Map<String, Double> perReason = new TreeMap<>();
    for (String entry : ds.stringList("max-per-reason")) {
      int eq = entry.indexOf('=');
      double share = Double.NaN;
      if (eq > 0) {
        try {
          share = Double.parseDouble(entry.substring(eq + 1).trim());
        } catch (NumberFormatException e) {
          share = Double.NaN;
        }
      }
      if (!(share >= 0 && share <= 1)) {
        throw ConfigError.badValue(
            ds.key("max-per-reason"),
            entry,
            "entries like \"exact_duplicate=0.4\" (share in [0, 1])");
      }
      perReason.put(entry.substring(0, eq).trim(), share);
    }
    b.optDropShare(ds.bool("enabled"), ds.fraction("max-total"), perReason);

    ConfigReader er = r.section("empty-rate");
    b.optEmptyRate(er.bool("enabled"), er.fraction("prompt"), er.fraction("response"));
    ConfigReader nr = r.section("null-rate");
    b.optNullRate(nr.bool("enabled"), nr.fraction("prompt"), nr.fraction("response"));

    ConfigReader ln = r.section("length");
    b.optLength(
        ln.bool("enabled"),
        ln.doubleValue("min-p50", 0.0, Double.MAX_VALUE),
        ln.doubleValue("max-p99", 0.0, Double.MAX_VALUE));

    ConfigReader dr = r.section("drift");
    b.optDrift(
        dr.bool("enabled"),
        dr.fraction("js-max-length"),
        dr.fraction("js-max-category"),
        dr.fraction("js-max-language"),
        dr.doubleValue("psi-max-length", 0.0, Double.MAX_VALUE),
        dr.doubleValue("kl-max-category", 0.0, Double.MAX_VALUE));

    b.optLanguageMix(mix(r.section("language-mix")));
    b.optCategoryMix(mix(r.section("category-mix")));
    return b.build();
  }

  private static Mix mix(ConfigReader m) {
    return new Mix(m.bool("enabled"), m.fraction("max-share"), m.stringList("required"));
  }

  private static long[] longList(ConfigReader r, String path) {
    List<Long> values;
    try {
      values = r.raw().getLongList(path);
    } catch (ConfigException.Missing e) {
      throw ConfigError.missing(r.key(path), "a list of integers like [0, 32, 64]");
    } catch (ConfigException e) {
      throw ConfigError.badValue(
          r.key(path), r.raw().getValue(path).unwrapped(), "a list of integers like [0, 32, 64]");
    }
    return values.stream().mapToLong(Long::longValue).toArray();
  }

  /** Whether the nightly run evaluates gates ({@code gates.enabled}). */
  public boolean enabled() {
    return enabled;
  }

  /** Lower edges of the length histogram bins; the last bin is open-ended. */
  public long[] lengthBins() {
    return lengthBins.clone();
  }

  /** Accuracy passed to {@code percentile_approx}. */
  public int quantileAccuracy() {
    return quantileAccuracy;
  }

  /** Additive smoothing for KL and PSI. */
  public double epsilon() {
    return epsilon;
  }

  public boolean rowCountEnabled() {
    return rowCountEnabled;
  }

  public long minRows() {
    return minRows;
  }

  public double minRatio() {
    return minRatio;
  }

  public double maxRatio() {
    return maxRatio;
  }

  public boolean dropShareEnabled() {
    return dropShareEnabled;
  }

  public double maxDropTotal() {
    return maxDropTotal;
  }

  /** Per-reason overrides of the largest dropped share. */
  public Map<String, Double> maxDropPerReason() {
    return maxDropPerReason;
  }

  public boolean emptyRateEnabled() {
    return emptyRateEnabled;
  }

  public double maxEmptyPrompt() {
    return maxEmptyPrompt;
  }

  public double maxEmptyResponse() {
    return maxEmptyResponse;
  }

  public boolean nullRateEnabled() {
    return nullRateEnabled;
  }

  public double maxNullPrompt() {
    return maxNullPrompt;
  }

  public double maxNullResponse() {
    return maxNullResponse;
  }

  public boolean lengthEnabled() {
    return lengthEnabled;
  }

  public double minP50() {
    return minP50;
  }

  public double maxP99() {
    return maxP99;
  }

  public boolean driftEnabled() {
    return driftEnabled;
  }

  public double jsMaxLength() {
    return jsMaxLength;
  }

  public double jsMaxCategory() {
    return jsMaxCategory;
  }

  public double jsMaxLanguage() {
    return jsMaxLanguage;
  }

  public double psiMaxLength() {
    return psiMaxLength;
  }

  public double klMaxCategory() {
    return klMaxCategory;
  }

  public Mix languageMix() {
    return languageMix;
  }

  public Mix categoryMix() {
    return categoryMix;
  }

  /**
   * Builds {@link GateSettings}. Every value is optional; the defaults are those of {@code
   * gates.conf}. {@link #build()} validates and names the configuration key of a bad value.
   */
  public static final class Builder {
    private boolean enabled = true;
    private long[] lengthBins = {0, 32, 64, 128, 256, 512, 1024, 2048, 4096};
    private int quantileAccuracy = 10000;
    private double epsilon = 1e-6;
    private boolean rowCountEnabled = true;
    private long minRows = 1;
    private double minRatio = 0.2;
    private double maxRatio = 5.0;
    private boolean dropShareEnabled = true;
    private double maxDropTotal = 0.5;
    private Map<String, Double> maxDropPerReason = Map.of();
    private boolean emptyRateEnabled = true;
    private double maxEmptyPrompt = 0.05;
    private double maxEmptyResponse = 0.05;
    private boolean nullRateEnabled = true;
    private double maxNullPrompt = 0.05;
    private double maxNullResponse = 0.05;
    private boolean lengthEnabled = true;
    private double minP50 = 8;
    private double maxP99 = 32768;
    private boolean driftEnabled = true;
    private double jsMaxLength = 0.1;
    private double jsMaxCategory = 0.1;
    private double jsMaxLanguage = 0.1;
    private double psiMaxLength = 0.25;
    private double klMaxCategory = 0.5;
    private Mix languageMix = new Mix(true, 1.0, List.of());
    private Mix categoryMix = new Mix(true, 1.0, List.of());

    private Builder() {}

    /** {@code gates.enabled}; default true. */
    public Builder optEnabled(boolean v) {
      this.enabled = v;
      return this;
    }

    /** {@code gates.length-bins}: ascending, first 0; default 0,32,...,4096. */
    public Builder optLengthBins(long... edges) {
      this.lengthBins = edges.clone();
      return this;
    }

    /** {@code gates.quantile-accuracy}; default 10000. */
    public Builder optQuantileAccuracy(int v) {
      this.quantileAccuracy = v;
      return this;
    }

    /** {@code gates.epsilon}; default 1e-6. */
    public Builder optEpsilon(double v) {
      this.epsilon = v;
      return this;
    }

    /** {@code gates.row-count.*}; default on, 1 row, ratio in [0.2, 5.0]. */
    public Builder optRowCount(boolean on, long minRows, double minRatio, double maxRatio) {
      this.rowCountEnabled = on;
      this.minRows = minRows;
      this.minRatio = minRatio;
      this.maxRatio = maxRatio;
      return this;
    }

    /** {@code gates.drop-share.*}; default on, 0.5 total, no per-reason overrides. */
    public Builder optDropShare(boolean on, double maxTotal, Map<String, Double> perReason) {
      this.dropShareEnabled = on;
      this.maxDropTotal = maxTotal;
      this.maxDropPerReason = new TreeMap<>(perReason);
      return this;
    }

    /** {@code gates.empty-rate.*}; default on, 0.05 each. */
    public Builder optEmptyRate(boolean on, double prompt, double response) {
      this.emptyRateEnabled = on;
      this.maxEmptyPrompt = prompt;
      this.maxEmptyResponse = response;
      return this;
    }

    /** {@code gates.null-rate.*}; default on, 0.05 each. */
    public Builder optNullRate(boolean on, double prompt, double response) {
      this.nullRateEnabled = on;
      this.maxNullPrompt = prompt;
      this.maxNullResponse = response;
      return this;
    }

    /** {@code gates.length.*}; default on, p50 >= 8, p99 <= 32768. */
    public Builder optLength(boolean on, double minP50, double maxP99) {
      this.lengthEnabled = on;
      this.minP50 = minP50;
      this.maxP99 = maxP99;
      return this;
    }

    /** {@code gates.drift.*}; default on, JS 0.1 each, PSI 0.25, KL 0.5. */
    public Builder optDrift(
        boolean on,
        double jsMaxLength,
        double jsMaxCategory,
        double jsMaxLanguage,
        double psiMaxLength,
        double klMaxCategory) {
      this.driftEnabled = on;
      this.jsMaxLength = jsMaxLength;
      this.jsMaxCategory = jsMaxCategory;
      this.jsMaxLanguage = jsMaxLanguage;
      this.psiMaxLength = psiMaxLength;
      this.klMaxCategory = klMaxCategory;
      return this;
    }

    /** {@code gates.language-mix.*}; default on, max share 1.0, nothing required. */
    public Builder optLanguageMix(Mix v) {
      this.languageMix = v;
      return this;
    }

    /** {@code gates.category-mix.*}; default on, max share 1.0, nothing required. */
    public Builder optCategoryMix(Mix v) {
      this.categoryMix = v;
      return this;
    }

    /**
     * Validates and builds.
     *
     * @throws ConfigError naming the {@code gates.*} key of the first bad value
     */
    public GateSettings build() {
      if (lengthBins.length < 1 || lengthBins[0] != 0) {
        throw ConfigError.badValue(
            "gates.length-bins", Arrays.toString(lengthBins), "ascending edges starting at 0");
      }
      for (int i = 1; i < lengthBins.length; i++) {
        if (lengthBins[i] <= lengthBins[i - 1]) {
          throw ConfigError.badValue(
              "gates.length-bins",
              Arrays.toString(lengthBins),
              "strictly ascending edges starting at 0");
        }
      }
      positive("gates.quantile-accuracy", quantileAccuracy);
      range("gates.epsilon", epsilon, 0, 0.01);
      if (minRows < 0) {
        throw ConfigError.badValue("gates.row-count.min-rows", minRows, "an integer >= 0");
      }
      range("gates.row-count.min-ratio", minRatio, 0, Double.MAX_VALUE);
      range("gates.row-count.max-ratio", maxRatio, 0, Double.MAX_VALUE);
      if (minRatio > maxRatio) {
        throw ConfigError.badValue(
            "gates.row-count.min-ratio",
            minRatio,
            "at most gates.row-count.max-ratio (" + maxRatio + ")");
      }
      range("gates.drop-share.max-total", maxDropTotal, 0, 1);
      for (Map.Entry<String, Double> e : maxDropPerReason.entrySet()) {
        if (e.getKey().isEmpty() || !(e.getValue() >= 0 && e.getValue() <= 1)) {
          throw ConfigError.badValue(
              "gates.drop-share.max-per-reason",
              e.getKey() + "=" + e.getValue(),
              "entries like \"exact_duplicate=0.4\" (share in [0, 1])");
        }
      }
      range("gates.empty-rate.prompt", maxEmptyPrompt, 0, 1);
      range("gates.empty-rate.response", maxEmptyResponse, 0, 1);
      range("gates.null-rate.prompt", maxNullPrompt, 0, 1);
      range("gates.null-rate.response", maxNullResponse, 0, 1);
      range("gates.length.min-p50", minP50, 0, Double.MAX_VALUE);
      range("gates.length.max-p99", maxP99, 0, Double.MAX_VALUE);
      if (minP50 > maxP99) {
        throw ConfigError.badValue(
            "gates.length.min-p50", minP50, "at most gates.length.max-p99 (" + maxP99 + ")");
      }
      range("gates.drift.js-max-length", jsMaxLength, 0, 1);
      range("gates.drift.js-max-category", jsMaxCategory, 0, 1);
      range("gates.drift.js-max-language", jsMaxLanguage, 0, 1);
      range("gates.drift.psi-max-length", psiMaxLength, 0, Double.MAX_VALUE);
      range("gates.drift.kl-max-category", klMaxCategory, 0, Double.MAX_VALUE);
      checkMix("gates.language-mix", languageMix);
      checkMix("gates.category-mix", categoryMix);
      return new GateSettings(this);
    }

    private static void checkMix(String key, Mix m) {
      if (m == null) {
        throw ConfigError.missing(key, "a mix section");
      }
      range(key + ".max-share", m.maxShare(), 0, 1);
      List<String> blank = new ArrayList<>();
      for (String v : m.required()) {
        if (v == null || v.isBlank()) {
          blank.add(String.valueOf(v));
        }
      }
      if (!blank.isEmpty()) {
        throw ConfigError.badValue(key + ".required", m.required(), "non-blank values");
      }
    }

    private static void positive(String key, long v) {
      if (v < 1) {
        throw ConfigError.badValue(key, v, "an integer >= 1");
      }
    }

    private static void range(String key, double v, double min, double max) {
      if (!(v >= min && v <= max)) {
        throw ConfigError.badValue(key, v, "a number in [" + min + ", " + max + "]");
      }
    }
  }
}
