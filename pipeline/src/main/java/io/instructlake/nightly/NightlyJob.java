package io.instructlake.nightly;

import static org.apache.spark.sql.functions.col;

import io.instructlake.clean.CleanJob;
import io.instructlake.config.PipelineConfig;
import io.instructlake.dedupe.DedupeJob;
import io.instructlake.gold.SilverSource;
import io.instructlake.ingest.IngestJob;
import io.instructlake.ingest.IngestOptions;
import io.instructlake.ingest.IngestStage;
import io.instructlake.lake.Lake;
import io.instructlake.lake.LakeTable;
import io.instructlake.lake.RecordSchema;
import io.instructlake.lake.Run;
import io.instructlake.lake.RunSummary;
import io.instructlake.publish.PublishJob;
import io.instructlake.stage.Job;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * {@code bin/pipeline nightly}: the incremental refresh, exactly once. In one run it
 *
 * <ol>
 *   <li>recovers from a run whose driver died ({@link InflightMarker}: restores every table to the
 *       versions recorded before that run's first write), before the run starts;
 *   <li>lists {@code input.path} and keeps the files not yet in {@code ingested_files} ({@link
 *       IngestedFiles}: by path, size and time, then by SHA-256 of the content);
 *   <li>when there is nothing new, writes nothing at all (not even a {@code runs} row), so a rerun
 *       on the same input changes no table;
 *   <li>otherwise writes the marker, ingests exactly the new files to bronze, cleans exactly those
 *       rows, dedupes them against history (Bloom filter, stored MinHash bands), publishes gold
 *       from the new silver snapshot after the quality gates pass on the candidate rows, records
 *       the files in {@code ingested_files}, and deletes the marker.
 * </ol>
 *
 * <p>Every write goes through the {@link Run}, so a failure or a failed gate restores every table
 * the run wrote (Delta RESTORE) and the files stay "new" for the next run. Record ids are content
 * hashes and every stage is deterministic, so a rerun after a kill produces the rows an
 * uninterrupted run would have; only run ids and timestamps ({@link #RUN_SPECIFIC_COLUMNS}) differ.
 */
public final class NightlyJob implements Job {
  /** Columns whose values name the run or the wall-clock time, not the data. */
  public static final List<String> RUN_SPECIFIC_COLUMNS =
      List.of(
          RecordSchema.INGEST_RUN_ID,
          RecordSchema.INGEST_TIME,
          "run_id",
          "quarantined_at",
          IngestedFiles.INGESTED_AT);

  private String recoveredRun;
  private boolean markerWritten;
  private Map<LakeTable, Long> versionsBefore;
  private String reportDir;
  private final NightlyReportData report = new NightlyReportData();

  @Override
  public String name() {
    return "nightly";
  }

  @Override
  public void validate(PipelineConfig config) {
    new IngestJob().validate(config);
    new CleanJob().validate(config);
    new DedupeJob().validate(config);
    new PublishJob().validate(config);
    NightlyGates.validate(config);
  }

  @Override
  public void beforeRun(Lake lake, PipelineConfig config) {
    String dir = config.section("nightly").string("report-dir");
    reportDir = dir.isBlank() ? lake.root() + "/reports/nightly" : dir;
    recoveredRun = InflightMarker.recover(lake).orElse(null);
    if (recoveredRun != null) {
      DedupeJob.pruneHistoryState(lake);
    }
  }

  @Override
  public void execute(Run run, PipelineConfig config) {
    Lake lake = run.lake();
    versionsBefore = new EnumMap<>(LakeTable.class);
    for (LakeTable t : LakeTable.values()) {
      versionsBefore.put(t, run.startVersion(t));
    }
    if (recoveredRun != null) {
      run.summary().putDetail("nightly.recovered_run", recoveredRun);
    }
    IngestOptions ingestOptions = IngestOptions.from(config);
    IngestStage.Listing listing =
        IngestStage.list(
            ingestOptions.requireInput(), lake.spark().sparkContext().hadoopConfiguration());
    List<IngestedFiles.Checked> checked = IngestedFiles.newFiles(lake, listing.files());
    List<String> toIngest =
        checked.stream().filter(c -> !c.isDuplicate()).map(c -> c.file().path()).toList();
    run.summary().putDetail("nightly.listed_files", listing.files().size());
    run.summary().putDetail("nightly.new_files", toIngest.size());
    run.summary().putDetail("nightly.duplicate_content_files", checked.size() - toIngest.size());
    if (checked.isEmpty()) {
      run.recordOnlyIfWritten();
      run.summary().putDetail("nightly.nothing_new", true);
      return;
    }
    InflightMarker.write(lake, run.id(), versionsBefore);
    markerWritten = true;
    if (!toIngest.isEmpty()) {
      new IngestJob().execute(run, config, toIngest, listing);
      Dataset<Row> bronzeBatch = batchOf(lake, LakeTable.BRONZE_RECORDS, run.id());
      new CleanJob().execute(run, config, bronzeBatch);
      new DedupeJob().execute(run, config, batchOf(lake, LakeTable.SILVER_CLEANED, run.id()));
      NightlyGates gates = NightlyGates.from(config, run, versionsBefore, bronzeBatch, report);
      new PublishJob().execute(run, config, SilverSource.read(lake), gates::check);
    }
    IngestedFiles.record(run, checked);
  }

  /** The rows of {@code table} this run's ingest produced. */
  private static Dataset<Row> batchOf(Lake lake, LakeTable table, String runId) {
    return lake.read(table).where(col(RecordSchema.INGEST_RUN_ID).equalTo(runId));
  }

  @Override
  public void afterRun(Run run, RunSummary summary) {
    Lake lake = run.lake();
    if (!RunSummary.OK.equals(summary.status())) {
      // Tables are back at their versions before the run: drop side state written for versions
      // that no longer exist.
      DedupeJob.pruneHistoryState(lake);
    }
    if (markerWritten) {
      // The run's writes are complete, or the runner restored them: nothing left to recover.
      InflightMarker.delete(lake);
    }
    report.write(run, summary, versionsBefore, reportDir);
  }
}
