package io.instructlake.augment;

import io.instructlake.config.PipelineConfig;
import io.instructlake.gold.GoldColumns;
import io.instructlake.gold.GoldTables;
import io.instructlake.gold.StageWrites;
import io.instructlake.lake.Run;
import io.instructlake.lake.StageOutput;
import io.instructlake.stage.Job;
import java.util.List;

/**
 * {@code bin/pipeline augment}: reads the split side table ({@code _state/gold/split}, written by
 * {@code split}), augments its train rows and writes {@code _state/gold/augmented}; drops go to
 * quarantine. Counts per method and the back-translation notice go to the run summary.
 */
public final class AugmentJob implements Job {
  @Override
  public String name() {
    return "augment";
  }

  @Override
  public void validate(PipelineConfig config) {
    AugmentOptions.from(config.section("augment"));
  }

  @Override
  public void execute(Run run, PipelineConfig config) {
    long t0 = System.nanoTime();
    AugmentOptions options = AugmentOptions.from(config.section("augment"));
    String in = run.lake().sidePath(GoldTables.SPLIT);
    String outPath = run.lake().sidePath(GoldTables.AUGMENTED);
    Augmenter augmenter = Augmenter.builder().setOptions(options).build();
    StageOutput out = augmenter.augment(GoldTables.read(run.lake().spark(), in, "split"));
    StageWrites.write(run, out, outPath, List.of(GoldColumns.AUG_METHOD), t0);
    StageWrites.copyProvenance(run, in, outPath);
    run.summary().putDetail("augment.output", outPath);
    String notice = augmenter.backTranslationNotice();
    if (notice != null) {
      run.summary().putDetail("augment.back_translation", notice);
    }
  }
}
