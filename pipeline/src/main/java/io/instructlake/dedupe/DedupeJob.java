package io.instructlake.dedupe;

import static org.apache.spark.sql.functions.col;

import io.instructlake.config.PipelineConfig;
import io.instructlake.lake.JobResult;
import io.instructlake.lake.Lake;
import io.instructlake.lake.LakeTable;
import io.instructlake.lake.RecordSchema;
import io.instructlake.lake.Run;
import io.instructlake.lake.RunSummary;
import io.instructlake.lake.StageOutput;
import io.instructlake.stage.Job;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * {@code bin/pipeline dedupe}: reads {@code silver.cleaned} when it exists, else {@code
 * bronze.records}; takes only the ingest runs not yet in {@code silver.records}; dedupes them
 * within the batch and against {@code silver.records} ({@link DedupeStage}); appends the kept rows
 * to {@code silver.records} and the drops to quarantine; then brings the persisted history Bloom
 * filter ({@link HistoryBloom}) up to the new silver version (merging the new keys, or rebuilding
 * larger when the table outgrew it). Near-dedupe signatures are stored in {@code silver.records}
 * itself ({@code minhash_bands}, {@code lsh_params}), so they are always in step with the table.
 */
public final class DedupeJob implements Job<DedupeOptions> {
  /**
   * What dedupe reports.
   *
   * @param source the table the batch was read from ({@code silver.cleaned} or {@code
   *     bronze.records}); null when the caller passed the batch (the nightly job)
   * @param banding the LSH banding used, {@code "<b> bands x <r> rows"}
   * @param historyLineageUpdated history records whose lineage gained this batch's duplicates; null
   *     when there was no history or no such duplicate
   * @param bloomCapacity capacity of the history Bloom filter now saved; null with exact dedupe off
   * @param bloomItems items in that filter; null with exact dedupe off
   */
  public record Result(
      String source,
      String banding,
      Long historyLineageUpdated,
      Long bloomCapacity,
      Long bloomItems)
      implements JobResult {
    @Override
    public String prefix() {
      return DedupeStage.STAGE;
    }

    Result withSource(String s) {
      return new Result(s, banding, historyLineageUpdated, bloomCapacity, bloomItems);
    }
  }

  @Override
  public String name() {
    return DedupeStage.STAGE;
  }

  @Override
  public DedupeOptions options(PipelineConfig config) {
    return DedupeOptions.from(config.section("dedupe"));
  }

  /**
   * Deletes the dedupe side state (Bloom filters, key index manifests) that does not cover the
   * current version of {@code silver.records}, e.g. what a run that was rolled back or killed saved
   * for a version that RESTORE has since replaced; the run rebuilds what is missing. A caller that
   * restores tables before this (the nightly job's recovery) calls it after restoring.
   */
  @Override
  public void beforeRun(Lake lake, DedupeOptions options) {
    pruneStaleState(lake);
  }

  /** A run that did not succeed had its tables restored: its side state is stale, so it goes. */
  @Override
  public void afterRun(Run run, DedupeOptions options, RunSummary summary) {
    if (!RunSummary.OK.equals(summary.status())) {
      pruneStaleState(run.lake());
    }
  }

  @Override
  public Result execute(Run run, DedupeOptions options) {
    Lake lake = run.lake();
    LakeTable source =
        lake.exists(LakeTable.SILVER_CLEANED) ? LakeTable.SILVER_CLEANED : LakeTable.BRONZE_RECORDS;
    Dataset<Row> input = lake.read(source);
    RecordSchema.require(name(), input.schema(), RecordSchema.BRONZE);
    Dataset<Row> batch = input;
    if (lake.exists(LakeTable.SILVER_RECORDS)) {
      // Pinned: the batch is re-evaluated after this run appends to silver.records (e.g. for the
      // Bloom merge), and an unpinned read would then exclude the run's own rows.
      Dataset<Row> history =
          lake.readVersion(LakeTable.SILVER_RECORDS, lake.version(LakeTable.SILVER_RECORDS));
      batch =
          input.join(
              history.select(col(RecordSchema.INGEST_RUN_ID).as("_done_run")).distinct(),
              input.col(RecordSchema.INGEST_RUN_ID).equalTo(col("_done_run")),
              "left_anti");
    }
    return execute(run, options, batch).withSource(source.sqlName());
  }

  private static void pruneStaleState(Lake lake) {
    long version = lake.version(LakeTable.SILVER_RECORDS);
    HistoryBloom.pruneExcept(lake, version);
    HistoryKeys.pruneExcept(lake, version);
  }

  /**
   * Dedupes a given batch (rows not yet in {@code silver.records}) against the current history: the
   * nightly job passes exactly the rows its own ingest produced. Appends survivors, quarantines
   * drops, adds the batch's duplicates of history records to those records' {@code lineage} (a
   * MERGE, so a survivor's lineage does not depend on which run its duplicates arrived in), and
   * brings the Bloom filter and the key index ({@link HistoryKeys}) up to the new version.
   */
  public Result execute(Run run, DedupeOptions options, Dataset<Row> batch) {
    long start = System.nanoTime();
    Lake lake = run.lake();
    RecordSchema.require(name(), batch.schema(), RecordSchema.BRONZE);
    String banding = options.bands() + " bands x " + options.rows() + " rows";
    Long lineageUpdated = null;

    long historyVersion = lake.version(LakeTable.SILVER_RECORDS);
    Dataset<Row> history = null;
    HistoryBloom bloom = null;
    HistoryKeys keys = null;
    if (historyVersion >= 0) {
      history = lake.readVersion(LakeTable.SILVER_RECORDS, historyVersion);
      if (options.exactEnabled()) {
        Dataset<Row> h = history;
        long v = historyVersion;
        bloom =
            HistoryBloom.load(lake, historyVersion, options)
                .orElseGet(() -> HistoryBloom.build(h, v, h.count(), options));
        keys =
            HistoryKeys.load(lake, historyVersion).orElseGet(() -> HistoryKeys.build(lake, h, v));
      }
    }
    DedupeStage.Builder sb = DedupeStage.builder().setOptions(options);
    if (history != null) {
      sb.optHistory(history);
      if (bloom != null) {
        sb.optBloom(bloom.filter());
        sb.optHistoryKeys(keys.keys());
      }
    }
    DedupeStage stage = sb.build();
    StageOutput out = stage.dedupe(batch);
    Map<String, Long> counts = run.writeStage(out, LakeTable.SILVER_RECORDS, false, start);
    if (history != null) {
      Dataset<Row> added = stage.historyLineage(lake.spark());
      if (!added.isEmpty()) {
        String lineage = DedupeStage.LINEAGE;
        run.updateMatched(
            LakeTable.SILVER_RECORDS,
            added,
            "t." + RecordSchema.RECORD_ID + " = s." + RecordSchema.RECORD_ID,
            Map.of(
                lineage,
                "sort_array(array_distinct(concat(coalesce(t."
                    + lineage
                    + ", array()), s."
                    + lineage
                    + ")))"));
        lineageUpdated = added.count();
      }
    }

    Long bloomCapacity = null;
    Long bloomItems = null;
    if (options.exactEnabled()) {
      long newVersion = lake.version(LakeTable.SILVER_RECORDS);
      long items = (bloom == null ? 0L : bloom.items()) + counts.getOrDefault("kept", 0L);
      HistoryBloom next =
          bloom == null
              ? null
              : bloom
                  .merge(out.kept().select(DedupeStage.DEDUPE_KEY), newVersion, items)
                  .orElse(null);
      if (next == null) {
        Dataset<Row> all = lake.readVersion(LakeTable.SILVER_RECORDS, newVersion);
        next = HistoryBloom.build(all, newVersion, all.count(), options);
      }
      next.save(lake);
      // The exact keys the next run confirms its Bloom positives against (see HistoryKeys).
      if (keys != null) {
        keys.append(lake, out.kept(), newVersion);
      } else {
        HistoryKeys.build(lake, lake.readVersion(LakeTable.SILVER_RECORDS, newVersion), newVersion);
      }
      bloomCapacity = next.capacity();
      bloomItems = next.items();
    }
    stage.release();
    return new Result(null, banding, lineageUpdated, bloomCapacity, bloomItems);
  }
}
