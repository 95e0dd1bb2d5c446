package io.instructlake.ingest;

import io.instructlake.config.PipelineConfig;
import io.instructlake.lake.LakeTable;
import io.instructlake.lake.Run;
import io.instructlake.stage.Job;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;

/** {@code bin/pipeline ingest}: raw files to {@code bronze.records} plus {@code quarantine}. */
public final class IngestJob implements Job {
  @Override
  public String name() {
    return IngestStage.STAGE;
  }

  @Override
  public void validate(PipelineConfig config) {
    IngestOptions.from(config).requireInput();
  }

  @Override
  public void execute(Run run, PipelineConfig config) {
    long start = System.nanoTime();
    IngestStage.Result result =
        new IngestStage(IngestOptions.from(config))
            .ingest(run.lake().spark(), run.id(), Timestamp.from(Instant.now()));
    write(run, result, start);
  }

  /**
   * Ingests exactly {@code files} (a subset of {@code listing}, e.g. the files a nightly run has
   * not processed yet) into bronze and quarantine.
   */
  public void execute(
      Run run, PipelineConfig config, List<String> files, IngestStage.Listing listing) {
    long start = System.nanoTime();
    IngestStage.Result result =
        new IngestStage(IngestOptions.from(config))
            .ingestFiles(
                run.lake().spark(), run.id(), Timestamp.from(Instant.now()), files, listing);
    write(run, result, start);
  }

  private static void write(Run run, IngestStage.Result result, long start) {
    try {
      run.writeStage(result.output(), LakeTable.BRONZE_RECORDS, false, start);
      run.summary().putDetail("ingest.files", result.files().size());
      if (!result.skippedFiles().isEmpty()) {
        run.summary().putDetail("ingest.skipped_files", result.skippedFiles());
      }
    } finally {
      result.release();
    }
  }
}
