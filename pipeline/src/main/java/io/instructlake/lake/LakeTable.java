package io.instructlake.lake;

/**
 * The tables of the lake. The SQL name (what {@code bin/pipeline sql} and notebooks use) maps to a
 * path under the lake root.
 */
public enum LakeTable {
  BRONZE_RECORDS("bronze", "records"),
  /** Cleaned (normalized, filtered, PII-redacted) records, not yet deduplicated. */
  SILVER_CLEANED("silver", "cleaned"),
  SILVER_RECORDS("silver", "records"),
  GOLD_TRAIN("gold", "train"),
  GOLD_EVAL("gold", "eval"),
  QUARANTINE(null, "quarantine"),
  RUNS(null, "runs"),
  /** Raw files the nightly job has ingested (path, size, checksum, run): its exactly-once state. */
  INGESTED_FILES(null, "ingested_files"),
  METRICS(null, "metrics");

  private final String layer;
  private final String name;

  LakeTable(String layer, String name) {
    this.layer = layer;
    this.name = name;
  }

  /** Name as used in SQL: {@code bronze.records}, {@code quarantine}. */
  public String sqlName() {
    return layer == null ? name : layer + "." + name;
  }

  /** Database part of the SQL name, or null for top-level tables. */
  public String layer() {
    return layer;
  }

  /** Table part of the SQL name. */
  public String tableName() {
    return name;
  }

  /** Path relative to the lake root. */
  public String relativePath() {
    return layer == null ? name : layer + "/" + name;
  }
}
