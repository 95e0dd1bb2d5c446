package io.instructlake.lake;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The JSON run summary ({@code --summary FILE}) that schedulers and notebooks read, and the row the
 * {@code runs} table keeps. Shape:
 *
 * <pre>{@code
 * {"run_id", "command", "status": "ok"|"failed"|"rolled_back", "message",
 *  "started_at", "ended_at", "duration_ms", "config_digest", "input", "lake",
 *  "tables": {"bronze.records": {"rows": n, "version": v}, ...},
 *  "stages": {"ingest": {"counts": {"read": n, "kept": n, "dropped_<reason>": n}, "duration_ms": t}},
 *  "reasons": {"<reason>": n, ...},
 *  "details": {...stage-specific values, e.g. output paths...}}
 * }</pre>
 */
public final class RunSummary {
  public static final String OK = "ok";
  public static final String FAILED = "failed";
  public static final String ROLLED_BACK = "rolled_back";

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final String runId;
  private final String command;
  private final String configDigest;
  private final String input;
  private final String lake;
  private final Instant startedAt;
  private Instant endedAt;
  private String status;
  private String message;
  private final Map<String, Map<String, Object>> tables = new TreeMap<>();
  private final Map<String, Map<String, Object>> stages = new LinkedHashMap<>();
  private final Map<String, Long> reasons = new TreeMap<>();
  private final Map<String, Object> details = new LinkedHashMap<>();

  RunSummary(
      String runId,
      String command,
      String configDigest,
      String input,
      String lake,
      Instant startedAt) {
    this.runId = runId;
    this.command = command;
    this.configDigest = configDigest;
    this.input = input;
    this.lake = lake;
    this.startedAt = startedAt;
  }

  public String runId() {
    return runId;
  }

  public String command() {
    return command;
  }

  public String status() {
    return status;
  }

  public String message() {
    return message;
  }

  public String configDigest() {
    return configDigest;
  }

  public String input() {
    return input;
  }

  public Instant startedAt() {
    return startedAt;
  }

  public Instant endedAt() {
    return endedAt;
  }

  /** Counts of one stage ({@code read}, {@code kept}, {@code dropped_<reason>}, counters). */
  @SuppressWarnings("unchecked")
  public Map<String, Long> stageCounts(String stage) {
    Map<String, Object> s = stages.get(stage);
    return s == null ? Map.of() : (Map<String, Long>) s.get("counts");
  }

  /** Every stage's counts flattened as {@code stage.counter}. */
  public Map<String, Long> flatCounts() {
    Map<String, Long> out = new TreeMap<>();
    for (String stage : stages.keySet()) {
      for (Map.Entry<String, Long> e : stageCounts(stage).entrySet()) {
        out.put(stage + "." + e.getKey(), e.getValue());
      }
    }
    return out;
  }

  public Map<String, Long> reasons() {
    return reasons;
  }

  /** Rows and version per table, as recorded at the end of the run. */
  public Map<String, Map<String, Object>> tables() {
    return tables;
  }

  public Map<String, Object> details() {
    return details;
  }

  void recordStage(String stage, Map<String, Long> counts, long durationMs) {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("counts", new LinkedHashMap<>(counts));
    s.put("duration_ms", durationMs);
    stages.put(stage, s);
    for (Map.Entry<String, Long> e : counts.entrySet()) {
      if (e.getKey().startsWith("dropped_")) {
        reasons.merge(e.getKey().substring("dropped_".length()), e.getValue(), Long::sum);
      }
    }
  }

  void recordTable(String sqlName, long rows, long version) {
    Map<String, Object> t = new LinkedHashMap<>();
    t.put("rows", rows);
    t.put("version", version);
    tables.put(sqlName, t);
  }

  /** Adds a stage-specific detail (an output path, a chosen parameter) to the summary. */
  public void putDetail(String key, Object value) {
    details.put(key, value);
  }

  void finish(String status, String message) {
    this.status = status;
    this.message = message;
    this.endedAt = Instant.now();
  }

  /** The summary as a JSON-ready map (stable key order). */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("run_id", runId);
    m.put("command", command);
    m.put("status", status);
    m.put("message", message);
    m.put("started_at", startedAt.toString());
    m.put("ended_at", endedAt == null ? null : endedAt.toString());
    m.put(
        "duration_ms", endedAt == null ? null : endedAt.toEpochMilli() - startedAt.toEpochMilli());
    m.put("config_digest", configDigest);
    m.put("input", input);
    m.put("lake", lake);
    m.put("tables", tables);
    m.put("stages", stages);
    m.put("reasons", reasons);
    m.put("details", details);
    return m;
  }

  public String toJson() {
    try {
      return JSON.writeValueAsString(toMap());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("run summary is not serializable", e);
    }
  }
}
