package io.instructlake.nightly;

import static org.apache.spark.sql.functions.col;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.instructlake.PipelineException;
import io.instructlake.gates.GateResult;
import io.instructlake.gates.GateSettings;
import io.instructlake.gates.Profile;
import io.instructlake.gates.QualityGates;
import io.instructlake.lake.JobResult;
import io.instructlake.lake.Lake;
import io.instructlake.lake.LakeTable;
import io.instructlake.lake.Run;
import io.instructlake.lake.RunSummary;
import io.instructlake.stage.RollBackException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The quality gates of one nightly run, evaluated on the candidate gold rows before they are
 * written ({@link io.instructlake.publish.PublishJob.BeforeWrite}):
 *
 * <ul>
 *   <li>the <b>batch</b> profile: this run's new bronze rows, with the rows ingest, clean and
 *       dedupe dropped per reason; compared with the previous successful nightly run's batch
 *       profile, which that run stored in its {@code runs} row (detail {@code
 *       nightly.batch_profile}), so no side file can disagree with the tables;
 *   <li>the <b>gold</b> profile: the candidate {@code gold.train} rows, compared with {@code
 *       gold.train} as it was when the run started (time travel).
 * </ul>
 *
 * A failed check throws {@link RollBackException}: nothing reaches gold and the runner restores
 * every table the run wrote. Profiles and the result go to the run's report either way.
 */
final class NightlyGates {
  static final String BATCH_PROFILE = "nightly.batch_profile";

  /**
   * This run's batch profile as JSON (key {@link #BATCH_PROFILE}): the next run's baseline.
   *
   * @param batchProfile {@link Profile#toJson()} parsed
   */
  record BatchProfile(Map<?, ?> batchProfile) implements JobResult {
    @Override
    public String prefix() {
      return "nightly";
    }
  }

  /** How many checks failed, passed and were skipped (key prefix {@code gates}). */
  record Counts(int failed, int passed, int skipped) implements JobResult {
    @Override
    public String prefix() {
      return "gates";
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> BATCH_STAGES = List.of("ingest", "clean", "dedupe");

  private final GateSettings settings;
  private final Run run;
  private final Map<LakeTable, Long> versionsBefore;
  private final Dataset<Row> bronzeBatch;
  private final NightlyReportData report;

  NightlyGates(
      GateSettings settings,
      Run run,
      Map<LakeTable, Long> versionsBefore,
      Dataset<Row> bronzeBatch,
      NightlyReportData report) {
    this.settings = settings;
    this.run = run;
    this.versionsBefore = versionsBefore;
    this.bronzeBatch = bronzeBatch;
    this.report = report;
  }

  /** Profiles, evaluates, records; throws {@link RollBackException} when a check failed. */
  void check(Dataset<Row> train, Dataset<Row> eval) {
    Lake lake = run.lake();
    long in = run.summary().stageCounts("ingest").getOrDefault("in", 0L);
    Map<String, Long> drops = new LinkedHashMap<>();
    for (String stage : BATCH_STAGES) {
      run.summary()
          .stageCounts(stage)
          .forEach(
              (k, v) -> {
                if (k.startsWith("dropped_")) {
                  drops.merge(k.substring("dropped_".length()), v, Long::sum);
                }
              });
    }
    Profile batch = Profile.of(bronzeBatch, settings).withDrops(drops, in);
    Profile previousBatch = previousBatchProfile(lake);
    Profile gold = Profile.of(train, settings);
    long goldBefore = versionsBefore.getOrDefault(LakeTable.GOLD_TRAIN, -1L);
    Profile previousGold =
        goldBefore < 0
            ? null
            : Profile.of(lake.readVersion(LakeTable.GOLD_TRAIN, goldBefore), settings);
    report.profiles(batch, previousBatch, gold, previousGold);
    try {
      run.summary().addResult(new BatchProfile(JSON.readValue(batch.toJson(), Map.class)));
    } catch (java.io.IOException e) {
      throw new IllegalStateException("profile JSON does not parse back", e);
    }
    if (!settings.enabled()) {
      return;
    }
    GateResult result = QualityGates.evaluate(settings, batch, previousBatch, gold, previousGold);
    report.gates(result);
    // Added before a failure throws, so that a rolled-back run's summary shows its gate counts.
    run.summary()
        .addResult(
            new Counts(
                result.failed().size(),
                result.checks().size() - result.failed().size() - result.skipped().size(),
                result.skipped().size()));
    if (!result.passed()) {
      throw new RollBackException(
          result.summary(),
          "the new data broke the quality gates, so nothing was published",
          "inspect the batch (the run's report lists every check with its value), fix the"
              + " input, or adjust the gates.* thresholds if the change is expected");
    }
  }

  /** The batch profile of the newest successful nightly run, or null on a first run. */
  private static Profile previousBatchProfile(Lake lake) {
    if (!lake.exists(LakeTable.RUNS)) {
      return null;
    }
    List<Row> last =
        lake.read(LakeTable.RUNS)
            .where(
                col("command")
                    .equalTo("nightly")
                    .and(col("status").equalTo(RunSummary.OK))
                    .and(col("summary_json").contains(BATCH_PROFILE)))
            .orderBy(col("started_at").desc())
            .select("summary_json")
            .limit(1)
            .collectAsList();
    if (last.isEmpty()) {
      return null;
    }
    try {
      JsonNode node = JSON.readTree(last.get(0).getString(0)).path("details").path(BATCH_PROFILE);
      return node.isMissingNode() ? null : Profile.fromJson(JSON.writeValueAsString(node));
    } catch (java.io.IOException | RuntimeException e) {
      throw new PipelineException(
          "Cannot read the previous nightly batch profile from the runs table",
          e.getClass().getSimpleName() + ": " + e.getMessage(),
          "set gates.row-count.enabled=false for one run to start a new baseline",
          e);
    }
  }
}
