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
 *  "details": {"<job>.<field>": value, ...}}   (each job's typed JobResult, e.g. train.final_loss)
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
  private final Map<Class<?>, JobResult> results = new LinkedHashMap<>();

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

  /**
   * Every result's entries ({@link JobResult#details()}), in the order the results were added: the
   * {@code details} object of the JSON. A read-only view computed on each call.
   */
  public Map<String, Object> details() {
    Map<String, Object> out = new LinkedHashMap<>();
    for (JobResult r : results.values()) {
      out.putAll(r.details());
    }
    return java.util.Collections.unmodifiableMap(out);
  }

  /** The typed result of that class, if a job of this run added one. */
  public <T extends JobResult> java.util.Optional<T> result(Class<T> type) {
    return java.util.Optional.ofNullable(type.cast(results.get(type)));
  }

  /** Every result added, in order. */
  public java.util.List<JobResult> results() {
    return java.util.List.copyOf(results.values());
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

  /**
   * Adds a job's typed result (replacing an earlier result of the same class). The runner adds what
   * {@code Job.execute} returns; a job adds the results of steps it runs itself (the nightly job's
   * ingest, clean, dedupe and publish) or that must survive a failure (the quality gates' counts of
   * a rolled-back run).
   */
  public void addResult(JobResult result) {
    if (result == null) {
      throw new IllegalArgumentException("result must not be null");
    }
    result.details(); // fails now, not at rendering, on a result that cannot be rendered
    results.put(result.getClass(), result);
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
    m.put("details", details());
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
