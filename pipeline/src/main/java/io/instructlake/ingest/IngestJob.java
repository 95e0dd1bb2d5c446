package io.instructlake.ingest;

import io.instructlake.config.PipelineConfig;
import io.instructlake.lake.JobResult;
import io.instructlake.lake.Lake;
import io.instructlake.lake.LakeTable;
import io.instructlake.lake.Run;
import io.instructlake.stage.Job;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;

/** {@code bin/pipeline ingest}: raw files to {@code bronze.records} plus {@code quarantine}. */
public final class IngestJob implements Job<IngestOptions> {
  /**
   * What ingest reports.
   *
   * @param files corpus files read
   * @param skippedFiles files under the input that are not corpus files (by name), left unread
   */
  public record Result(int files, List<String> skippedFiles) implements JobResult {
    @Override
    public String prefix() {
      return IngestStage.STAGE;
    }
  }

  @Override
  public String name() {
    return IngestStage.STAGE;
  }

  /** {@code input.*} and {@code ingest.*}; fails naming {@code input.path} when it is unset. */
  @Override
  public IngestOptions options(PipelineConfig config) {
    IngestOptions o = IngestOptions.from(config);
    o.requireInput();
    return o;
  }

  @Override
  public Result execute(Run run, IngestOptions options) {
    long start = System.nanoTime();
    IngestStage.Result result =
        new IngestStage(options)
            .ingest(run.lake().spark(), run.id(), Timestamp.from(Instant.now()));
    return write(run, result, start);
  }

  /**
   * The corpus files under {@code input.path} (what {@link #execute} would read), for a caller that
   * ingests a subset of them, e.g. the nightly job's files not processed before.
   */
  public IngestStage.Listing list(Lake lake, IngestOptions options) {
    return IngestStage.list(
        options.requireInput(), lake.spark().sparkContext().hadoopConfiguration());
  }

  /** Ingests exactly {@code files} (a subset of {@code listing}) into bronze and quarantine. */
  public Result executeFiles(
      Run run, IngestOptions options, List<String> files, IngestStage.Listing listing) {
    long start = System.nanoTime();
    IngestStage.Result result =
        new IngestStage(options)
            .ingestFiles(
                run.lake().spark(), run.id(), Timestamp.from(Instant.now()), files, listing);
    return write(run, result, start);
  }

  private static Result write(Run run, IngestStage.Result result, long start) {
    try {
      run.writeStage(result.output(), LakeTable.BRONZE_RECORDS, false, start);
      return new Result(result.files().size(), result.skippedFiles());
    } finally {
      result.release();
    }
  }
}
