package io.instructlake.export;

import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The provenance JSON written beside every export: what produced it (config, input table and
 * version, seed, run id) and with what (Java, Spark, DJL and PyTorch versions, git commit when
 * known from {@code INSTRUCTLAKE_GIT_COMMIT} or the {@code instructlake.git.commit} property).
 */
public final class Provenance {
  private final Map<String, Object> fields = new LinkedHashMap<>();

  /** Starts a record with the runtime versions filled in. */
  public static Provenance create() {
    Provenance p = new Provenance();
    p.fields.put("created_at", Instant.now().toString());
    p.fields.put("java_version", System.getProperty("java.version"));
    p.fields.put("spark_version", sparkVersion());
    p.fields.put("djl_version", djlVersion());
    String commit = System.getenv("INSTRUCTLAKE_GIT_COMMIT");
    if (commit == null) {
      commit = System.getProperty("instructlake.git.commit", "unknown");
    }
    p.fields.put("git_commit", commit);
    return p;
  }

  /** Adds or replaces a field (strings, numbers, booleans, maps and lists). */
  public Provenance put(String key, Object value) {
    fields.put(key, value);
    return this;
  }

  public Map<String, Object> fields() {
    return fields;
  }

  /** Writes {@code provenance.json} into dir. */
  public void write(Path dir) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(
        dir.resolve("provenance.json"),
        new GsonBuilder().setPrettyPrinting().serializeNulls().create().toJson(fields));
  }

  private static String sparkVersion() {
    try {
      return org.apache.spark.package$.MODULE$.SPARK_VERSION();
    } catch (Throwable t) {
      return "unknown";
    }
  }

  private static String djlVersion() {
    try {
      return ai.djl.engine.Engine.getDjlVersion();
    } catch (Throwable t) {
      return "unknown";
    }
  }
}
