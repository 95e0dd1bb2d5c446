package io.instructlake.nightly;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.instructlake.PipelineException;
import io.instructlake.lake.Lake;
import io.instructlake.lake.LakeTable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The write-ahead record of a nightly run in progress: {@code _state/nightly/inflight.json} holds
 * the run id and every table's version before the run's first write. It is written before the first
 * write and deleted after the last one, so its presence at start means a previous run died in
 * between (driver killed, machine lost): {@link #recover} then restores every table to the recorded
 * versions (Delta RESTORE; a table that did not exist is removed) before anything else happens, and
 * the new run processes the dead run's files again. A run that dies while recovering leaves the
 * marker in place, so recovery itself is repeatable.
 *
 * <p>One nightly run at a time per lake: a second run started while one is alive would take the
 * live run's marker for a dead one. The scheduler definitions in {@code deploy/} forbid concurrent
 * runs (a lock file, {@code max_active_runs=1}, {@code concurrencyPolicy: Forbid}).
 */
public final class InflightMarker {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What a marker holds. */
  public record State(String runId, Map<LakeTable, Long> versions) {}

  private InflightMarker() {}

  static Path path(Lake lake) {
    return new Path(lake.sidePath("nightly/inflight.json"));
  }

  /** Writes the marker for {@code runId} with the tables' versions before its first write. */
  public static void write(Lake lake, String runId, Map<LakeTable, Long> versions) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("run_id", runId);
    Map<String, Long> v = new LinkedHashMap<>();
    versions.forEach((t, ver) -> v.put(t.name(), ver));
    m.put("versions", v);
    Path p = path(lake);
    try {
      FileSystem fs = fs(lake, p);
      fs.mkdirs(p.getParent());
      try (OutputStream out = fs.create(p, true)) {
        out.write(JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(m));
      }
    } catch (IOException e) {
      throw new PipelineException(
          "Cannot write the nightly marker " + p,
          e.getMessage(),
          "check that lake.root is writable",
          e);
    }
  }

  /** The marker left by a run that did not finish, if any. */
  public static Optional<State> read(Lake lake) {
    Path p = path(lake);
    try {
      FileSystem fs = fs(lake, p);
      if (!fs.exists(p)) {
        return Optional.empty();
      }
      Map<String, Object> m;
      try (InputStream in = fs.open(p)) {
        m = JSON.readValue(in.readAllBytes(), new TypeReference<Map<String, Object>>() {});
      }
      Map<LakeTable, Long> versions = new LinkedHashMap<>();
      @SuppressWarnings("unchecked")
      Map<String, Object> v = (Map<String, Object>) m.get("versions");
      for (Map.Entry<String, Object> e : v.entrySet()) {
        versions.put(LakeTable.valueOf(e.getKey()), ((Number) e.getValue()).longValue());
      }
      return Optional.of(new State((String) m.get("run_id"), versions));
    } catch (IOException | RuntimeException e) {
      throw new PipelineException(
          "Cannot read the nightly marker " + p,
          e.getClass().getSimpleName() + ": " + e.getMessage(),
          "if no nightly run is alive, restore the tables by hand (DESCRIBE HISTORY shows the run"
              + " ids) and delete the marker",
          e);
    }
  }

  /**
   * Restores every table to the versions a dead run recorded and deletes its marker; returns the
   * dead run's id, or empty when there was nothing to recover.
   */
  public static Optional<String> recover(Lake lake) {
    Optional<State> state = read(lake);
    if (state.isEmpty()) {
      return Optional.empty();
    }
    for (Map.Entry<LakeTable, Long> e : state.get().versions().entrySet()) {
      if (e.getKey() == LakeTable.RUNS) {
        continue; // the log of runs is never rolled back
      }
      lake.restore(e.getKey(), e.getValue());
    }
    delete(lake);
    return Optional.of(state.get().runId());
  }

  /** Deletes the marker (the run's writes are complete, or were rolled back). */
  public static void delete(Lake lake) {
    Path p = path(lake);
    try {
      fs(lake, p).delete(p, false);
    } catch (IOException e) {
      throw new PipelineException(
          "Cannot delete the nightly marker " + p,
          e.getMessage(),
          "check that lake.root is writable",
          e);
    }
  }

  private static FileSystem fs(Lake lake, Path p) throws IOException {
    return p.getFileSystem(lake.spark().sparkContext().hadoopConfiguration());
  }
}
