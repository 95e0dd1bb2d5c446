package io.instructlake.nightly;

import static org.apache.spark.sql.functions.col;

import io.instructlake.clean.CleanJob;
import io.instructlake.clean.CleanOptions;
import io.instructlake.config.PipelineConfig;
import io.instructlake.dedupe.DedupeJob;
import io.instructlake.dedupe.DedupeOptions;
import io.instructlake.gates.GateSettings;
import io.instructlake.gates.RunReport;
import io.instructlake.gold.SilverSource;
import io.instructlake.ingest.IngestJob;
import io.instructlake.ingest.IngestOptions;
import io.instructlake.ingest.IngestStage;
import io.instructlake.lake.JobResult;
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
import org.apache.hadoop.fs.Path;
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
public final class NightlyJob implements Job<NightlyJob.Options> {
  /** Columns whose values name the run or the wall-clock time, not the data. */
  public static final List<String> RUN_SPECIFIC_COLUMNS =
      List.of(
          RecordSchema.INGEST_RUN_ID,
          RecordSchema.INGEST_TIME,
          "run_id",
          "quarantined_at",
          IngestedFiles.INGESTED_AT);

  /**
   * The options of every step the nightly run chains, read once.
   *
   * @param reportDir {@code nightly.report-dir}; blank for {@code <lake>/reports/nightly}
   */
  public record Options(
      IngestOptions ingest,
      CleanOptions clean,
      DedupeOptions dedupe,
      PublishJob.Options publish,
      GateSettings gates,
      String reportDir) {}

  /**
   * What the nightly run reports beyond its steps' own results (key prefix {@code nightly}).
   *
   * @param recoveredRun the run whose driver died and whose writes this run rolled back first; null
   *     when there was none
   * @param listedFiles corpus files under {@code input.path}
   * @param newFiles files ingested: not seen before by path, size and time, nor by content
   * @param duplicateContentFiles new files whose content an ingested file already had (recorded,
   *     not ingested)
   * @param nothingNew true when every file was seen before: the run wrote nothing at all
   */
  public record Result(
      String recoveredRun,
      int listedFiles,
      int newFiles,
      int duplicateContentFiles,
      boolean nothingNew)
      implements JobResult {
    @Override
    public String prefix() {
      return "nightly";
    }
  }

  /** Where this run's report went (key {@code nightly.report}): its {@code report.html}. */
  public record Report(String report) implements JobResult {
    @Override
    public String prefix() {
      return "nightly";
    }
  }

  private final IngestJob ingest = new IngestJob();
  private final CleanJob clean = new CleanJob();
  private final DedupeJob dedupe = new DedupeJob();
  private final PublishJob publish = new PublishJob();
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
  public Options options(PipelineConfig config) {
    return new Options(
        ingest.options(config),
        clean.options(config),
        dedupe.options(config),
        publish.options(config),
        GateSettings.from(config.section("gates")),
        config.section("nightly").string("report-dir"));
  }

  @Override
  public void beforeRun(Lake lake, Options options) {
    reportDir =
        options.reportDir().isBlank() ? lake.root() + "/reports/nightly" : options.reportDir();
    recoveredRun = InflightMarker.recover(lake).orElse(null);
    // After the recovery's restores: drops dedupe side state for versions that no longer exist.
    dedupe.beforeRun(lake, options.dedupe());
  }

  @Override
  public Result execute(Run run, Options options) {
    Lake lake = run.lake();
    versionsBefore = new EnumMap<>(LakeTable.class);
    for (LakeTable t : LakeTable.values()) {
      versionsBefore.put(t, run.startVersion(t));
    }
    IngestStage.Listing listing = ingest.list(lake, options.ingest());
    List<IngestedFiles.Checked> checked = IngestedFiles.newFiles(lake, listing.files());
    List<String> toIngest =
        checked.stream().filter(c -> !c.isDuplicate()).map(c -> c.file().path()).toList();
    Result result =
        new Result(
            recoveredRun,
            listing.files().size(),
            toIngest.size(),
            checked.size() - toIngest.size(),
            checked.isEmpty());
    run.summary().addResult(result);
    if (checked.isEmpty()) {
      run.recordOnlyIfWritten();
      return result;
    }
    InflightMarker.write(lake, run.id(), versionsBefore);
    markerWritten = true;
    if (!toIngest.isEmpty()) {
      run.summary().addResult(ingest.executeFiles(run, options.ingest(), toIngest, listing));
      Dataset<Row> bronzeBatch = batchOf(lake, LakeTable.BRONZE_RECORDS, run.id());
      run.summary().addResult(clean.execute(run, options.clean(), bronzeBatch));
      run.summary()
          .addResult(
              dedupe.execute(
                  run, options.dedupe(), batchOf(lake, LakeTable.SILVER_CLEANED, run.id())));
      NightlyGates gates =
          new NightlyGates(options.gates(), run, versionsBefore, bronzeBatch, report);
      run.summary()
          .addResult(
              publish.execute(run, options.publish(), SilverSource.read(lake), gates::check));
    }
    IngestedFiles.record(run, checked);
    return result;
  }

  /** The rows of {@code table} this run's ingest produced. */
  private static Dataset<Row> batchOf(Lake lake, LakeTable table, String runId) {
    return lake.read(table).where(col(RecordSchema.INGEST_RUN_ID).equalTo(runId));
  }

  @Override
  public void afterRun(Run run, Options options, RunSummary summary) {
    Lake lake = run.lake();
    // When the run did not succeed its tables are back at their versions before it: the dedupe
    // side state written for versions that no longer exist goes.
    dedupe.afterRun(run, options.dedupe(), summary);
    if (markerWritten) {
      // The run's writes are complete, or the runner restored them: nothing left to recover.
      InflightMarker.delete(lake);
    }
    Path dir = report.write(run, summary, versionsBefore, reportDir);
    summary.addResult(new Report(new Path(dir, RunReport.HTML_FILE).toString()));
  }
}
