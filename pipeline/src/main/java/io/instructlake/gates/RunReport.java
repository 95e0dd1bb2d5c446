package io.instructlake.gates;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The report written for every nightly run: {@code report.json} for machines and {@code
 * report.html}, a self-contained page (inline CSS and SVG, no scripts, no external assets) with the
 * failed checks at the top, every check, table versions before and after, stage counts, the batch
 * profile and the length, language and category distributions of the previous gold (before) and the
 * candidate gold (after) side by side.
 *
 * <p>The report carries no configuration values (secrets may live there): only check thresholds,
 * counts and statistics. All text is HTML-escaped.
 *
 * <p>JSON shape:
 *
 * <pre>{@code
 * {"run_id", "command", "status": "ok"|"rolled_back"|"failed"|"noop", "message", "generated_at",
 *  "tables": {"before": {"gold.train": 3, ...}, "after": {...}},
 *  "stages": {"ingest": {"kept": n, "dropped_<reason>": n}, ...},
 *  "gates": {"passed", "summary", "failed": [names], "checks": [{name, metric, value, threshold,
 *            status, detail}]} | null,
 *  "profiles": {"batch", "previous_batch", "candidate_gold", "previous_gold"}: Profile JSON | null}
 * }</pre>
 */
public final class RunReport {
  /** File name of the JSON report inside the report directory. */
  public static final String JSON_FILE = "report.json";

  /** File name of the HTML report inside the report directory. */
  public static final String HTML_FILE = "report.html";

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** Final status of a run as written in the report. */
  public enum Status {
    OK("ok"),
    ROLLED_BACK("rolled_back"),
    FAILED("failed"),
    NOOP("noop");

    private final String label;

    Status(String label) {
      this.label = label;
    }

    /** The lower-case name used in JSON and the run summary. */
    public String label() {
      return label;
    }
  }

  private final String runId;
  private final String command;
  private final Status status;
  private final String message;
  private final Instant generatedAt;
  private final Map<String, Long> tablesBefore;
  private final Map<String, Long> tablesAfter;
  private final Map<String, Map<String, Long>> stages;
  private final GateResult gates;
  private final Profile batch;
  private final Profile previousBatch;
  private final Profile candidateGold;
  private final Profile previousGold;

  private RunReport(Builder b) {
    this.runId = b.runId;
    this.command = b.command;
    this.status = b.status;
    this.message = b.message;
    this.generatedAt = b.generatedAt;
    this.tablesBefore = new TreeMap<>(b.tablesBefore);
    this.tablesAfter = new TreeMap<>(b.tablesAfter);
    Map<String, Map<String, Long>> st = new LinkedHashMap<>();
    b.stages.forEach((k, v) -> st.put(k, new LinkedHashMap<>(v)));
    this.stages = st;
    this.gates = b.gates;
    this.batch = b.batch;
    this.previousBatch = b.previousBatch;
    this.candidateGold = b.candidateGold;
    this.previousGold = b.previousGold;
  }

  public static Builder builder() {
    return new Builder();
  }

  public String runId() {
    return runId;
  }

  public Status status() {
    return status;
  }

  /** The gate result, or null when gates were not evaluated. */
  public GateResult gates() {
    return gates;
  }

  Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("run_id", runId);
    m.put("command", command);
    m.put("status", status.label());
    m.put("message", message);
    m.put("generated_at", generatedAt.toString());
    Map<String, Object> tables = new LinkedHashMap<>();
    tables.put("before", tablesBefore);
    tables.put("after", tablesAfter);
    m.put("tables", tables);
    m.put("stages", stages);
    m.put("gates", gates == null ? null : gates.toMap());
    Map<String, Object> profiles = new LinkedHashMap<>();
    profiles.put("batch", batch == null ? null : batch.toMap());
    profiles.put("previous_batch", previousBatch == null ? null : previousBatch.toMap());
    profiles.put("candidate_gold", candidateGold == null ? null : candidateGold.toMap());
    profiles.put("previous_gold", previousGold == null ? null : previousGold.toMap());
    m.put("profiles", profiles);
    return m;
  }

  /** The report as indented JSON. */
  public String toJson() {
    try {
      return JSON.writeValueAsString(toMap());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot render the run report as JSON", e);
    }
  }

  /** The report as one self-contained XHTML-compatible HTML page. */
  public String toHtml() {
    return ReportHtml.render(this);
  }

  /**
   * Writes {@link #JSON_FILE} and {@link #HTML_FILE} into {@code dir} (created if missing, existing
   * reports overwritten) through the Hadoop FileSystem API, so {@code s3a://} lakes work.
   *
   * @return the path of the HTML report
   * @throws IOException from the file system, with the path in the message
   */
  public Path write(Path dir, Configuration hadoopConf) throws IOException {
    FileSystem fs = dir.getFileSystem(hadoopConf);
    fs.mkdirs(dir);
    writeFile(fs, new Path(dir, JSON_FILE), toJson());
    Path html = new Path(dir, HTML_FILE);
    writeFile(fs, html, toHtml());
    return html;
  }

  private static void writeFile(FileSystem fs, Path p, String text) throws IOException {
    try (OutputStream out = fs.create(p, true)) {
      out.write(text.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IOException("Cannot write the run report " + p + ": " + e.getMessage(), e);
    }
  }

  String command() {
    return command;
  }

  String message() {
    return message;
  }

  Instant generatedAt() {
    return generatedAt;
  }

  Map<String, Long> tablesBefore() {
    return tablesBefore;
  }

  Map<String, Long> tablesAfter() {
    return tablesAfter;
  }

  Map<String, Map<String, Long>> stages() {
    return stages;
  }

  Profile batch() {
    return batch;
  }

  Profile previousBatch() {
    return previousBatch;
  }

  Profile candidateGold() {
    return candidateGold;
  }

  Profile previousGold() {
    return previousGold;
  }

  /**
   * Builds a {@link RunReport}. Required: {@code setRunId}, {@code setCommand}, {@code setStatus}.
   * Optional (default empty or null): message, table versions, stage counts, gate result, profiles,
   * and the generation time (default now).
   */
  public static final class Builder {
    private String runId;
    private String command;
    private Status status;
    private String message = "";
    private Instant generatedAt;
    private Map<String, Long> tablesBefore = Map.of();
    private Map<String, Long> tablesAfter = Map.of();
    private Map<String, Map<String, Long>> stages = Map.of();
    private GateResult gates;
    private Profile batch;
    private Profile previousBatch;
    private Profile candidateGold;
    private Profile previousGold;

    private Builder() {}

    public Builder setRunId(String v) {
      this.runId = v;
      return this;
    }

    /** The CLI command, e.g. {@code nightly}. */
    public Builder setCommand(String v) {
      this.command = v;
      return this;
    }

    public Builder setStatus(Status v) {
      this.status = v;
      return this;
    }

    /** One line saying what happened; default empty. */
    public Builder optMessage(String v) {
      this.message = v == null ? "" : v;
      return this;
    }

    /** Generation time; default the time of {@link #build()}. */
    public Builder optGeneratedAt(Instant v) {
      this.generatedAt = v;
      return this;
    }

    /** Delta versions per table before and after the run; default empty. */
    public Builder optTableVersions(Map<String, Long> before, Map<String, Long> after) {
      this.tablesBefore = Objects.requireNonNull(before, "before");
      this.tablesAfter = Objects.requireNonNull(after, "after");
      return this;
    }

    /** Counters per stage ({@code kept}, {@code dropped_<reason>}, ...); default empty. */
    public Builder optStageCounts(Map<String, Map<String, Long>> v) {
      this.stages = Objects.requireNonNull(v, "stage counts");
      return this;
    }

    /** The gate result; default null (not evaluated). */
    public Builder optGates(GateResult v) {
      this.gates = v;
      return this;
    }

    /** The four profiles the gates compared; any may be null. */
    public Builder optProfiles(
        Profile batch, Profile previousBatch, Profile candidateGold, Profile previousGold) {
      this.batch = batch;
      this.previousBatch = previousBatch;
      this.candidateGold = candidateGold;
      this.previousGold = previousGold;
      return this;
    }

    public RunReport build() {
      if (runId == null || runId.isBlank()) {
        throw new IllegalArgumentException("RunReport needs a run id, got '" + runId + "'");
      }
      if (command == null || command.isBlank()) {
        throw new IllegalArgumentException("RunReport needs a command, got '" + command + "'");
      }
      if (status == null) {
        throw new IllegalArgumentException("RunReport needs a status (ok, rolled_back, ...)");
      }
      if (generatedAt == null) {
        generatedAt = Instant.now();
      }
      return new RunReport(this);
    }
  }
}
