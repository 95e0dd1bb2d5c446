package io.instructlake.jobs;

import io.instructlake.clean.CleanJob;
import io.instructlake.dedupe.DedupeJob;
import io.instructlake.ingest.IngestJob;
import io.instructlake.publish.PublishJob;
import io.instructlake.stage.Job;
import io.instructlake.train.TrainJob;
import java.util.List;

/** The stage order of the main job, in one place. */
final class JobRegistry {
  private JobRegistry() {}

  /** The stages {@code demo} runs, in order. */
  static List<Job<?>> demoJobs() {
    return List.of(
        new IngestJob(), new CleanJob(), new DedupeJob(), new PublishJob(), new TrainJob());
  }
}
