package io.instructlake.train.dp;

import ai.djl.ndarray.NDManager;
import io.instructlake.PipelineException;
import io.instructlake.config.PipelineConfig;
import io.instructlake.export.Provenance;
import io.instructlake.lake.Lake;
import io.instructlake.lake.LakeTable;
import io.instructlake.lake.Run;
import io.instructlake.stage.Job;
import io.instructlake.train.Checkpoints;
import io.instructlake.train.ModelExport;
import io.instructlake.train.ModelOutput;
import io.instructlake.train.Models;
import io.instructlake.train.TrainInput;
import io.instructlake.train.TrainMetrics;
import io.instructlake.train.TrainResult;
import io.instructlake.train.TrainSettings;
import io.instructlake.train.Trainer;
import io.instructlake.train.model.LlamaModel;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * The {@code train --workers W} command: data-parallel fine-tuning with {@code train.workers} Spark
 * tasks (see {@link DataParallelTrainer}). Reads the same input table as {@code train}, writes
 * {@code <lake>/_state/models/<run id>/} ({@code tokenizer.json}, {@code checkpoints/}, {@code
 * hf/}) and appends to the {@code metrics} table, per step, each rank's {@code rank<r>.<metric>}
 * (loss, tokens, tokens_per_s, compute_ms, allreduce_ms, wait_ms, update_ms) and the global {@code
 * loss} (mean over ranks) and {@code tokens_per_s} (sum over ranks), with command {@code train} (as
 * the single worker's runs).
 *
 * <p>With a local lake the model directory must be reachable from every executor (one machine, or a
 * shared mount). With a lake on an object store ({@code s3a://}, ...) rank 0 writes the checkpoints
 * straight to {@code <lake>/_state/models/<run id>/checkpoints/} ({@link CheckpointStore}), every
 * rank of a resubmitted stage resumes from there, and the driver stages {@code tokenizer.json} and
 * the export locally and copies them next to the checkpoints at the end.
 */
public final class DataParallelTrainJob implements Job<DataParallelTrainJob.Options> {
  /** The {@code train} section: the engine's settings and the data-parallel ones. */
  public record Options(TrainSettings train, DpSettings dp) {}

  private final PrintStream out;

  public DataParallelTrainJob() {
    this(System.out);
  }

  /** A job that prints its summary lines to {@code out}. */
  public DataParallelTrainJob(PrintStream out) {
    this.out = out;
  }

  @Override
  public String name() {
    return "train";
  }

  @Override
  public Options options(PipelineConfig config) {
    return new Options(
        TrainSettings.from(config.section("train")), DpSettings.from(config.section("train")));
  }

  @Override
  public TrainResult execute(Run run, Options options) {
    long start = System.nanoTime();
    Lake lake = run.lake();
    TrainSettings s = options.train();
    if (s.bf16Mixed()
        && lake.spark().conf().getOption("spark.executor.resource.gpu.amount").isEmpty()) {
      throw TrainSettings.bf16NeedsGpu(
          "the executors have no GPUs (spark.executor.resource.gpu.amount is not set)");
    }
    LakeTable table = TrainInput.table(lake, s);
    long version = lake.version(table);
    // A remote lake: checkpoints go straight to it; tokenizer.json and the export are staged here.
    ModelOutput output = ModelOutput.of(run);
    Path outDir = output.dir();
    boolean local = output.isLocal();
    String outputUri = output.uri();
    DataParallelTrainer.Builder tb =
        DataParallelTrainer.builder()
            .setSettings(s, options.dp())
            .setOutputDir(outDir)
            .optProgress(out);
    if (!local) {
      tb.optCheckpointUri(outputUri + "/checkpoints");
    }
    DataParallelTrainer trainer = tb.build();
    int w = trainer.dpSettings().workers();
    out.printf("train-dp: %s with %d workers, %d steps%n", table.sqlName(), w, s.steps());
    DataParallelTrainer.Result r = trainer.train(lake.spark(), lake.read(table));

    List<Row> rows = metricRows(run.id(), r.metrics());
    run.append(LakeTable.METRICS, lake.spark().createDataFrame(rows, TrainMetrics.SCHEMA));
    double finalLoss = globalLoss(r.metrics()).getOrDefault((long) s.steps(), Double.NaN);
    for (Map.Entry<Long, Double> e : globalLoss(r.metrics()).entrySet()) {
      // Without live progress (rank 0 could not reach the driver), the losses after the fact.
      long step = e.getKey();
      if (r.progressLines() == 0 && (step % s.logEvery() == 0 || step == 1 || step == s.steps())) {
        out.printf("train-dp: step %d/%d loss %.4f%n", step, s.steps(), e.getValue());
      }
    }
    exportModel(s, r, outDir, run, finalLoss, w);
    // Checkpoints are already there (the staged checkpoints/ holds only the fetched newest one).
    output.publish(run, Set.of("checkpoints"));
    Map<String, Long> counts = new LinkedHashMap<>();
    counts.put("workers", (long) w);
    counts.put("steps", (long) s.steps());
    run.recordStage("train", counts, (System.nanoTime() - start) / 1_000_000);
    return new TrainResult(outputUri, outputUri + "/hf", finalLoss, table.sqlName(), version, w);
  }

  /** The global loss per step: the mean of the ranks' losses. */
  static TreeMap<Long, Double> globalLoss(List<DpMetric> metrics) {
    TreeMap<Long, double[]> acc = new TreeMap<>();
    for (DpMetric m : metrics) {
      if (m.metric().equals("loss")) {
        double[] a = acc.computeIfAbsent(m.step(), k -> new double[2]);
        a[0] += m.value();
        a[1]++;
      }
    }
    TreeMap<Long, Double> out = new TreeMap<>();
    acc.forEach((k, a) -> out.put(k, a[0] / a[1]));
    return out;
  }

  /** Rows of the metrics table: per-rank metrics plus the global loss and tokens/s. */
  static List<Row> metricRows(String runId, List<DpMetric> metrics) {
    Timestamp now = new Timestamp(System.currentTimeMillis());
    List<Row> rows = new ArrayList<>();
    TreeMap<Long, Double> tps = new TreeMap<>();
    for (DpMetric m : metrics) {
      rows.add(
          RowFactory.create(
              runId, "train", m.step(), "rank" + m.rank() + "." + m.metric(), m.value(), now));
      if (m.metric().equals("tokens_per_s")) {
        tps.merge(m.step(), m.value(), Double::sum);
      }
    }
    globalLoss(metrics)
        .forEach((k, v) -> rows.add(RowFactory.create(runId, "train", k, "loss", v, now)));
    tps.forEach((k, v) -> rows.add(RowFactory.create(runId, "train", k, "tokens_per_s", v, now)));
    return rows;
  }

  private static void exportModel(
      TrainSettings s,
      DataParallelTrainer.Result r,
      Path outDir,
      Run run,
      double finalLoss,
      int workers) {
    Path last =
        Checkpoints.latest(r.checkpoints())
            .orElseThrow(
                () ->
                    new PipelineException(
                        "Data-parallel training left no checkpoint",
                        "nothing under " + r.checkpoints(),
                        "check the executors' logs"));
    try (NDManager nd = NDManager.newBaseManager();
        LlamaModel model = Models.build(s, Models.vocabSize(Files.readString(r.tokenizer())), nd);
        Trainer t = new Trainer(model, s.trainerOptions())) {
      Checkpoints.restore(last, t);
      Provenance prov =
          Provenance.create()
              .put("run_id", run.id())
              .put("seed", s.seed())
              .put("steps", t.step())
              .put("workers", workers)
              .put("final_loss", finalLoss)
              .put("method", s.method().name().toLowerCase(java.util.Locale.ROOT))
              .put("base_model", s.baseModel());
      ModelExport.write(outDir, model, r.tokenizer(), s, prov);
    } catch (IOException e) {
      throw new PipelineException(
          "Cannot export the model", e.toString(), "check that the lake root is writable", e);
    }
  }
}
