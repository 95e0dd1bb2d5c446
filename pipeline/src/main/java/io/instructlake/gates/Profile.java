package io.instructlake.gates;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.grouping_id;
import static org.apache.spark.sql.functions.length;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.percentile_approx;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.when;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.instructlake.PipelineException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * An immutable statistical profile of a set of records (a batch, or a gold table): row count, null
 * and empty counts of prompt and response, a text length histogram with fixed bin edges and length
 * quantiles, the language and category mix, and optionally the per-reason drop counts of the run
 * that produced the batch. Profiles are small (a few hundred numbers), are compared by {@link
 * QualityGates}, and round-trip through JSON ({@link #toJson()} / {@link #fromJson(String)}) so the
 * previous run's profile can be stored beside the lake and read back.
 *
 * <p>Definitions:
 *
 * <ul>
 *   <li>empty: null or blank after {@code trim} (so every null also counts as empty);
 *   <li>text length: characters of all {@code messages[].content} summed (0 for null contents);
 *       when the input has no {@code messages} column, prompt plus response characters;
 *   <li>length bins: lower edges {@code e_0 = 0 < e_1 < ...}; bin i holds {@code e_i <= len <
 *       e_(i+1)}, the last bin is open-ended;
 *   <li>language: the {@code lang} column, {@code "none"} when the column is missing or the value
 *       null or blank; category likewise from {@code category}.
 * </ul>
 */
public final class Profile {
  /** The value counted when language or category is missing. */
  public static final String NONE = "none";

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final long rows;
  private final long nullPrompt;
  private final long nullResponse;
  private final long emptyPrompt;
  private final long emptyResponse;
  private final long[] lengthBins;
  private final long[] lengthCounts;
  private final double p50;
  private final double p90;
  private final double p99;
  private final Map<String, Long> languages;
  private final Map<String, Long> categories;
  private final long inputRows;
  private final Map<String, Long> drops;

  private Profile(Builder b) {
    this.rows = b.rows;
    this.nullPrompt = b.nullPrompt;
    this.nullResponse = b.nullResponse;
    this.emptyPrompt = b.emptyPrompt;
    this.emptyResponse = b.emptyResponse;
    this.lengthBins = b.lengthBins.clone();
    this.lengthCounts = b.lengthCounts.clone();
    this.p50 = b.p50;
    this.p90 = b.p90;
    this.p99 = b.p99;
    this.languages = Collections.unmodifiableMap(new TreeMap<>(b.languages));
    this.categories = Collections.unmodifiableMap(new TreeMap<>(b.categories));
    this.inputRows = b.inputRows;
    this.drops = Collections.unmodifiableMap(new TreeMap<>(b.drops));
  }

  /** A builder, for profiles computed elsewhere and for tests. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Profiles {@code rows} in one Spark job: a single aggregation over the grouping sets {@code
   * ((lang, category), ())} computes the counts, the histogram sums and {@code percentile_approx}
   * of the length for the grand total, and the per (language, category) row counts from which both
   * mixes are summed.
   *
   * @param rows records with at least {@code prompt} and {@code response}; {@code messages}, {@code
   *     lang} and {@code category} are optional
   * @param s the histogram edges and quantile accuracy
   * @throws PipelineException naming a missing required column
   */
  public static Profile of(Dataset<Row> rows, GateSettings s) {
    Set<String> cols = Set.of(rows.columns());
    for (String required : List.of("prompt", "response")) {
      if (!cols.contains(required)) {
        throw new PipelineException(
            "Cannot profile records for the quality gates",
            "column '" + required + "' is missing (columns: " + String.join(", ", cols) + ")",
            "profile a bronze, silver or gold table (they all have prompt and response)");
      }
    }
    Column len =
        cols.contains("messages")
            ? coalesce(
                expr("aggregate(messages, 0L, (acc, m) -> acc + coalesce(length(m.content), 0))"),
                lit(0L))
            : coalesce(length(col("prompt")), lit(0))
                .plus(coalesce(length(col("response")), lit(0)))
                .cast("long");
    Column lang = cols.contains("lang") ? key(col("lang")) : lit(NONE);
    Column cat = cols.contains("category") ? key(col("category")) : lit(NONE);
    Dataset<Row> prepared =
        rows.select(
            lang.as("_lang"),
            cat.as("_cat"),
            len.as("_len"),
            col("prompt").cast("string").as("_p"),
            col("response").cast("string").as("_r"));

    long[] edges = s.lengthBins();
    List<Column> aggs = new ArrayList<>();
    aggs.add(count(lit(1)).as("_n"));
    aggs.add(countIf(col("_p").isNull()).as("_np"));
    aggs.add(countIf(col("_r").isNull()).as("_nr"));
    aggs.add(countIf(blank(col("_p"))).as("_ep"));
    aggs.add(countIf(blank(col("_r"))).as("_er"));
    for (int i = 0; i < edges.length; i++) {
      Column in = col("_len").geq(edges[i]);
      if (i + 1 < edges.length) {
        in = in.and(col("_len").lt(edges[i + 1]));
      }
      aggs.add(countIf(in).as("_b" + i));
    }
    aggs.add(
        percentile_approx(
                col("_len"), array(lit(0.5), lit(0.9), lit(0.99)), lit(s.quantileAccuracy()))
            .as("_q"));
    aggs.add(grouping_id().as("_gid"));
    // GROUPING SETS ((lang, category), ()): the per-pair counts and the grand total in one job.
    List<Row> out =
        prepared
            .groupingSets(
                seq(List.of(seq(List.of(col("_lang"), col("_cat"))), seq(List.<Column>of()))),
                col("_lang"),
                col("_cat"))
            .agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(new Column[0]))
            .collectAsList();

    // Grouping sets over no rows yields no grand-total row: the profile then stays all zero.
    Builder b = builder().setRows(0);
    long[] hist = new long[edges.length];
    Map<String, Long> langs = new TreeMap<>();
    Map<String, Long> cats = new TreeMap<>();
    for (Row r : out) {
      long gid = ((Number) r.getAs("_gid")).longValue();
      if (gid == 0) {
        long n = r.<Number>getAs("_n").longValue();
        langs.merge(r.getAs("_lang"), n, Long::sum);
        cats.merge(r.getAs("_cat"), n, Long::sum);
      } else if (gid == 3) {
        b.setRows(r.<Number>getAs("_n").longValue());
        b.optNulls(r.<Number>getAs("_np").longValue(), r.<Number>getAs("_nr").longValue());
        b.optEmpties(r.<Number>getAs("_ep").longValue(), r.<Number>getAs("_er").longValue());
        for (int i = 0; i < edges.length; i++) {
          hist[i] = r.<Number>getAs("_b" + i).longValue();
        }
        List<Object> q = r.getList(r.fieldIndex("_q"));
        if (q != null && q.size() == 3 && q.get(0) != null) {
          b.optQuantiles(
              ((Number) q.get(0)).doubleValue(),
              ((Number) q.get(1)).doubleValue(),
              ((Number) q.get(2)).doubleValue());
        }
      }
    }
    return b.setLengthHistogram(edges, hist).optLanguages(langs).optCategories(cats).build();
  }

  private static <T> scala.collection.immutable.Seq<T> seq(List<T> list) {
    return scala.jdk.javaapi.CollectionConverters.asScala(list).toSeq();
  }

  private static Column key(Column c) {
    Column t = trim(c.cast("string"));
    return when(t.isNull().or(t.equalTo("")), lit(NONE)).otherwise(t);
  }

  private static Column blank(Column c) {
    return c.isNull().or(trim(c).equalTo(""));
  }

  private static Column countIf(Column condition) {
    return sum(when(condition, 1L).otherwise(0L));
  }

  /**
   * A copy carrying the drop counts of the run that produced this batch.
   *
   * @param droppedPerReason rows sent to quarantine per reason code (ingest, clean, dedupe...)
   * @param in rows that entered the run (kept plus dropped), the denominator of drop shares
   */
  public Profile withDrops(Map<String, Long> droppedPerReason, long in) {
    return toBuilder().optDrops(droppedPerReason, in).build();
  }

  private Builder toBuilder() {
    return builder()
        .setRows(rows)
        .optNulls(nullPrompt, nullResponse)
        .optEmpties(emptyPrompt, emptyResponse)
        .setLengthHistogram(lengthBins, lengthCounts)
        .optQuantiles(p50, p90, p99)
        .optLanguages(languages)
        .optCategories(categories)
        .optDrops(drops, inputRows);
  }

  public long rows() {
    return rows;
  }

  public long nullPrompt() {
    return nullPrompt;
  }

  public long nullResponse() {
    return nullResponse;
  }

  public long emptyPrompt() {
    return emptyPrompt;
  }

  public long emptyResponse() {
    return emptyResponse;
  }

  /** Share of rows whose prompt is null; 0 when there are no rows. */
  public double nullRatePrompt() {
    return rate(nullPrompt);
  }

  /** Share of rows whose response is null; 0 when there are no rows. */
  public double nullRateResponse() {
    return rate(nullResponse);
  }

  /** Share of rows whose prompt is null or blank; 0 when there are no rows. */
  public double emptyRatePrompt() {
    return rate(emptyPrompt);
  }

  /** Share of rows whose response is null or blank; 0 when there are no rows. */
  public double emptyRateResponse() {
    return rate(emptyResponse);
  }

  private double rate(long n) {
    return rows == 0 ? 0.0 : (double) n / rows;
  }

  /** Lower edges of the length bins (the last bin is open-ended). */
  public long[] lengthBins() {
    return lengthBins.clone();
  }

  /** Row counts per length bin, aligned with {@link #lengthBins()}. */
  public long[] lengthCounts() {
    return lengthCounts.clone();
  }

  /** The histogram keyed by bin label ("[0,32)", ..., "[4096,+inf)"), in bin order. */
  public Map<String, Long> lengthHistogram() {
    Map<String, Long> m = new LinkedHashMap<>();
    for (int i = 0; i < lengthBins.length; i++) {
      String hi = i + 1 < lengthBins.length ? String.valueOf(lengthBins[i + 1]) : "+inf";
      m.put("[" + lengthBins[i] + "," + hi + ")", lengthCounts[i]);
    }
    return m;
  }

  /** Approximate median text length; 0 when there are no rows. */
  public double lengthP50() {
    return p50;
  }

  public double lengthP90() {
    return p90;
  }

  public double lengthP99() {
    return p99;
  }

  /** Rows per language ({@link #NONE} for missing), sorted by key. */
  public Map<String, Long> languages() {
    return languages;
  }

  /** Rows per category ({@link #NONE} for missing), sorted by key. */
  public Map<String, Long> categories() {
    return categories;
  }

  /** Rows that entered the run, or -1 when {@link #withDrops} was not applied. */
  public long inputRows() {
    return inputRows;
  }

  /** Rows dropped per reason in the run that produced this batch (empty when unknown). */
  public Map<String, Long> drops() {
    return drops;
  }

  /** A JSON tree of this profile (also used inside the run report). */
  Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("rows", rows);
    m.put("null_prompt", nullPrompt);
    m.put("null_response", nullResponse);
    m.put("empty_prompt", emptyPrompt);
    m.put("empty_response", emptyResponse);
    m.put("null_rate_prompt", nullRatePrompt());
    m.put("null_rate_response", nullRateResponse());
    m.put("empty_rate_prompt", emptyRatePrompt());
    m.put("empty_rate_response", emptyRateResponse());
    m.put("length_bins", lengthBins);
    m.put("length_counts", lengthCounts);
    m.put("length_p50", p50);
    m.put("length_p90", p90);
    m.put("length_p99", p99);
    m.put("languages", languages);
    m.put("categories", categories);
    m.put("input_rows", inputRows);
    m.put("drops", drops);
    return m;
  }

  /** This profile as indented JSON; {@link #fromJson(String)} reads it back. */
  public String toJson() {
    try {
      return JSON.writeValueAsString(toMap());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot render a profile as JSON", e);
    }
  }

  /**
   * Writes {@link #toJson()} to {@code file} through the Hadoop FileSystem API (local, {@code
   * s3a://}, ...), replacing an existing file; e.g. a side file of the lake holding the last
   * published gold's profile.
   */
  public void write(Path file, Configuration conf) throws IOException {
    FileSystem fs = file.getFileSystem(conf);
    try (OutputStream out = fs.create(file, true)) {
      out.write(toJson().getBytes(StandardCharsets.UTF_8));
    }
  }

  /**
   * Reads a profile written by {@link #write}; null when {@code file} does not exist (a first run).
   *
   * @throws IllegalArgumentException when the file is not a profile, naming the file
   */
  public static Profile read(Path file, Configuration conf) throws IOException {
    FileSystem fs = file.getFileSystem(conf);
    if (!fs.exists(file)) {
      return null;
    }
    String text;
    try (InputStream in = fs.open(file)) {
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    try {
      return fromJson(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("Cannot read profile " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Reads a profile written by {@link #toJson()}; derived fields (rates) are ignored.
   *
   * @throws IllegalArgumentException when the text is not a profile, naming the missing field
   */
  public static Profile fromJson(String json) {
    JsonNode n;
    try {
      n = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("Not a profile JSON: " + e.getOriginalMessage(), e);
    }
    return fromNode(n);
  }

  static Profile fromNode(JsonNode n) {
    if (n == null || !n.isObject()) {
      throw new IllegalArgumentException("Not a profile JSON: expected an object");
    }
    return builder()
        .setRows(field(n, "rows").asLong())
        .optNulls(field(n, "null_prompt").asLong(), field(n, "null_response").asLong())
        .optEmpties(field(n, "empty_prompt").asLong(), field(n, "empty_response").asLong())
        .setLengthHistogram(longs(field(n, "length_bins")), longs(field(n, "length_counts")))
        .optQuantiles(
            field(n, "length_p50").asDouble(),
            field(n, "length_p90").asDouble(),
            field(n, "length_p99").asDouble())
        .optLanguages(counts(field(n, "languages")))
        .optCategories(counts(field(n, "categories")))
        .optDrops(counts(field(n, "drops")), field(n, "input_rows").asLong())
        .build();
  }

  private static JsonNode field(JsonNode n, String name) {
    JsonNode v = n.get(name);
    if (v == null || v.isNull()) {
      throw new IllegalArgumentException("Not a profile JSON: field '" + name + "' is missing");
    }
    return v;
  }

  private static long[] longs(JsonNode a) {
    long[] out = new long[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = a.get(i).asLong();
    }
    return out;
  }

  private static Map<String, Long> counts(JsonNode o) {
    Map<String, Long> m = new TreeMap<>();
    for (Map.Entry<String, JsonNode> e : o.properties()) {
      m.put(e.getKey(), e.getValue().asLong());
    }
    return m;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Profile)) {
      return false;
    }
    Profile p = (Profile) o;
    return rows == p.rows
        && nullPrompt == p.nullPrompt
        && nullResponse == p.nullResponse
        && emptyPrompt == p.emptyPrompt
        && emptyResponse == p.emptyResponse
        && Arrays.equals(lengthBins, p.lengthBins)
        && Arrays.equals(lengthCounts, p.lengthCounts)
        && Double.compare(p50, p.p50) == 0
        && Double.compare(p90, p.p90) == 0
        && Double.compare(p99, p.p99) == 0
        && languages.equals(p.languages)
        && categories.equals(p.categories)
        && inputRows == p.inputRows
        && drops.equals(p.drops);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(rows) * 31 + Arrays.hashCode(lengthCounts);
  }

  @Override
  public String toString() {
    return "Profile" + toMap();
  }

  /**
   * Builds a {@link Profile}. Required: {@code setRows}, {@code setLengthHistogram}; the rest
   * default to zero counts, empty mixes, quantiles 0 and no drop information (input rows -1).
   * {@link #build()} checks counts are non-negative, at most the row count, and that the histogram
   * sums to the row count.
   */
  public static final class Builder {
    private long rows = -1;
    private long nullPrompt;
    private long nullResponse;
    private long emptyPrompt;
    private long emptyResponse;
    private long[] lengthBins;
    private long[] lengthCounts;
    private double p50;
    private double p90;
    private double p99;
    private Map<String, Long> languages = Map.of();
    private Map<String, Long> categories = Map.of();
    private long inputRows = -1;
    private Map<String, Long> drops = Map.of();

    private Builder() {}

    public Builder setRows(long v) {
      this.rows = v;
      return this;
    }

    /** Null prompt and response counts; default 0. */
    public Builder optNulls(long prompt, long response) {
      this.nullPrompt = prompt;
      this.nullResponse = response;
      return this;
    }

    /** Empty (null or blank) prompt and response counts; default 0. */
    public Builder optEmpties(long prompt, long response) {
      this.emptyPrompt = prompt;
      this.emptyResponse = response;
      return this;
    }

    /** Bin lower edges (ascending, first 0) and the row count per bin. */
    public Builder setLengthHistogram(long[] edges, long[] counts) {
      this.lengthBins = edges.clone();
      this.lengthCounts = counts.clone();
      return this;
    }

    /** Length quantiles; default 0. */
    public Builder optQuantiles(double p50, double p90, double p99) {
      this.p50 = p50;
      this.p90 = p90;
      this.p99 = p99;
      return this;
    }

    /** Rows per language; default empty. */
    public Builder optLanguages(Map<String, Long> v) {
      this.languages = v;
      return this;
    }

    /** Rows per category; default empty. */
    public Builder optCategories(Map<String, Long> v) {
      this.categories = v;
      return this;
    }

    /** Drop counts per reason and the input rows of the run; default none and -1. */
    public Builder optDrops(Map<String, Long> perReason, long in) {
      this.drops = perReason;
      this.inputRows = in;
      return this;
    }

    public Profile build() {
      if (rows < 0) {
        throw new IllegalArgumentException("Profile rows must be set and >= 0, got " + rows);
      }
      if (lengthBins == null || lengthCounts == null || lengthBins.length == 0) {
        throw new IllegalArgumentException("Profile length histogram must be set");
      }
      if (lengthBins.length != lengthCounts.length) {
        throw new IllegalArgumentException(
            "Profile length histogram has "
                + lengthBins.length
                + " edges but "
                + lengthCounts.length
                + " counts");
      }
      long sum = 0;
      for (long c : lengthCounts) {
        if (c < 0) {
          throw new IllegalArgumentException("Profile length counts must be >= 0, got " + c);
        }
        sum += c;
      }
      if (sum != rows) {
        throw new IllegalArgumentException(
            "Profile length histogram sums to " + sum + " but rows = " + rows);
      }
      for (long c : new long[] {nullPrompt, nullResponse, emptyPrompt, emptyResponse}) {
        if (c < 0 || c > rows) {
          throw new IllegalArgumentException(
              "Profile null/empty counts must be in [0, rows=" + rows + "], got " + c);
        }
      }
      for (Map<String, Long> m : List.of(languages, categories, drops)) {
        for (Map.Entry<String, Long> e : m.entrySet()) {
          if (e.getValue() == null || e.getValue() < 0) {
            throw new IllegalArgumentException(
                "Profile counts must be >= 0, got " + e.getKey() + "=" + e.getValue());
          }
        }
      }
      return new Profile(this);
    }
  }
}
