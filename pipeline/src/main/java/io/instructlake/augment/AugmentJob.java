package io.instructlake.augment;

import io.instructlake.config.PipelineConfig;
import io.instructlake.gold.GoldColumns;
import io.instructlake.gold.GoldTables;
import io.instructlake.gold.SilverSource;
import io.instructlake.gold.StageWrites;
import io.instructlake.lake.JobResult;
import io.instructlake.lake.Run;
import io.instructlake.lake.StageOutput;
import io.instructlake.stage.Job;
import java.util.List;

/**
 * {@code bin/pipeline augment}: reads the split side table ({@code _state/gold/split}, written by
 * {@code split}), augments its train rows and writes {@code _state/gold/augmented}; drops go to
 * quarantine. Counts per method and the back-translation notice go to the run summary.
 */
public final class AugmentJob implements Job<AugmentOptions> {
  /**
   * What augment reports.
   *
   * @param output the side table written
   * @param backTranslation why back-translation did not run as configured; null when it did (or was
   *     not asked for)
   * @param silverTable the silver table the split was built from (its provenance)
   * @param silverVersion that table's version
   */
  public record Result(
      String output, String backTranslation, String silverTable, Long silverVersion)
      implements JobResult {
    @Override
    public String prefix() {
      return "augment";
    }
  }

  @Override
  public String name() {
    return "augment";
  }

  @Override
  public AugmentOptions options(PipelineConfig config) {
    return AugmentOptions.from(config.section("augment"));
  }

  @Override
  public Result execute(Run run, AugmentOptions options) {
    long t0 = System.nanoTime();
    String in = run.lake().sidePath(GoldTables.SPLIT);
    String outPath = run.lake().sidePath(GoldTables.AUGMENTED);
    Augmenter augmenter = Augmenter.builder().setOptions(options).build();
    StageOutput out = augmenter.augment(GoldTables.read(run.lake().spark(), in, "split"));
    StageWrites.write(run, out, outPath, List.of(GoldColumns.AUG_METHOD), t0);
    SilverSource.Pin pin = StageWrites.copyProvenance(run, in, outPath);
    return new Result(outPath, augmenter.backTranslationNotice(), pin.table(), pin.version());
  }
}
