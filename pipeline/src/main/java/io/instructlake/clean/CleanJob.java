package io.instructlake.clean;

import io.instructlake.config.PipelineConfig;
import io.instructlake.lake.JobResult;
import io.instructlake.lake.Lake;
import io.instructlake.lake.LakeTable;
import io.instructlake.lake.RecordSchema;
import io.instructlake.lake.Run;
import io.instructlake.lake.StageOutput;
import io.instructlake.stage.Job;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * {@code bin/pipeline clean}: cleans the bronze records of every ingest run not yet in {@code
 * silver.cleaned} (all of bronze on the first run) and appends the kept rows to {@code
 * silver.cleaned}, the drops to quarantine. Counts per reason and PII hits per type ({@code
 * pii_<type>}) go to the run summary; its {@link Result} repeats the PII totals ({@code
 * clean.pii_counts}). A rerun with no new ingest run appends nothing.
 */
public final class CleanJob implements Job<CleanOptions> {
  /**
   * What clean reports.
   *
   * @param piiCounts PII redactions per type in the rows kept (empty when nothing was new)
   */
  public record Result(Map<String, Long> piiCounts) implements JobResult {
    @Override
    public String prefix() {
      return CleanStage.NAME;
    }
  }

  @Override
  public String name() {
    return CleanStage.NAME;
  }

  @Override
  public CleanOptions options(PipelineConfig config) {
    return CleanOptions.from(config);
  }

  @Override
  public Result execute(Run run, CleanOptions options) {
    return execute(run, options, pending(run.lake()));
  }

  /**
   * Cleans the given bronze rows (the nightly job passes exactly the rows its own ingest wrote) and
   * appends them to {@code silver.cleaned}, the drops to quarantine.
   */
  public Result execute(Run run, CleanOptions options, Dataset<Row> pending) {
    long start = System.nanoTime();
    if (pending.isEmpty()) {
      // Nothing new: record zero counts without an empty commit (whose metrics Run cannot read).
      run.recordStage(
          name(), Map.of("in", 0L, "kept", 0L), (System.nanoTime() - start) / 1_000_000L);
      return new Result(Map.of());
    }
    StageOutput out = new CleanStage(options).apply(pending);
    run.writeStage(out, LakeTable.SILVER_CLEANED, false, start);
    Map<String, Long> pii = new LinkedHashMap<>();
    out.counters().entrySet().stream()
        .filter(e -> e.getKey().startsWith("pii_"))
        .sorted(Map.Entry.comparingByKey())
        .forEach(e -> pii.put(e.getKey().substring(4), e.getValue()));
    return new Result(java.util.Collections.unmodifiableMap(pii));
  }

  /** Bronze rows whose ingest run has not been cleaned yet. */
  static Dataset<Row> pending(Lake lake) {
    Dataset<Row> bronze = lake.read(LakeTable.BRONZE_RECORDS);
    if (!lake.exists(LakeTable.SILVER_CLEANED)) {
      return bronze;
    }
    Dataset<Row> done =
        lake.read(LakeTable.SILVER_CLEANED)
            .select(RecordSchema.INGEST_RUN_ID)
            .distinct()
            .withColumnRenamed(RecordSchema.INGEST_RUN_ID, "_done_run");
    return bronze.join(
        done,
        bronze.col(RecordSchema.INGEST_RUN_ID).eqNullSafe(done.col("_done_run")),
        "left_anti");
  }
}
