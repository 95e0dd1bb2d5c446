package io.instructlake.train.dp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instructlake.config.PipelineConfig;
import io.instructlake.lake.Lake;
import io.instructlake.lake.LakeTable;
import io.instructlake.lake.Run;
import io.instructlake.testkit.S3SparkTestBase;
import io.instructlake.train.Checkpoints;
import io.instructlake.train.TrainJob;
import io.instructlake.train.TrainResult;
import io.instructlake.train.model.HostTensor;
import io.instructlake.train.model.Safetensors;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.Test;

/**
 * Data-parallel checkpoints on {@code s3a://} (hadoop-aws against the in-process s3proxy server):
 * the {@code train-dp} job with its lake on S3 writes committed checkpoints and the export there
 * and trains exactly what a local lake trains; a stage that resumes from S3 ignores a checkpoint
 * whose upload never committed and ends with the parameters of an uninterrupted run. One worker in
 * this JVM (a barrier stage of one task); the multi-JVM resume is {@link DataParallelFaultTest}'s.
 */
class DataParallelS3Test extends S3SparkTestBase {
  @Test
  void trainDpWithTheLakeOnS3WritesCommittedCheckpointsAndTheExportThere() throws Exception {
    PipelineConfig cfg = DpTestData.config(1, 6, 2).with("train.threads", 0);
    Lake remote = new Lake(spark, s3.uri("lake"));
    Lake local = newLake("dp-local");
    for (Lake lake : List.of(remote, local)) {
      lake.append(LakeTable.SILVER_RECORDS, rows(), "test");
    }
    Run s3Run = run(remote, cfg);
    Run localRun = run(local, cfg);

    String out = s3Run.summary().result(TrainResult.class).orElseThrow().output();
    assertTrue(out.startsWith("s3a://"), out);
    FileSystem fs = new org.apache.hadoop.fs.Path(out).getFileSystem(conf());
    Set<String> ckpts = new TreeSet<>();
    for (FileStatus st : fs.listStatus(new org.apache.hadoop.fs.Path(out + "/checkpoints"))) {
      ckpts.add(st.getPath().getName());
      assertTrue(
          fs.exists(new org.apache.hadoop.fs.Path(st.getPath(), CheckpointStore.COMPLETE)),
          st.getPath() + " has no commit marker");
    }
    assertEquals(Set.of("checkpoint-2", "checkpoint-4", "checkpoint-6"), ckpts);
    assertTrue(fs.exists(new org.apache.hadoop.fs.Path(out + "/hf/model.safetensors")));
    assertTrue(fs.exists(new org.apache.hadoop.fs.Path(out + "/hf/config.json")));
    assertTrue(fs.exists(new org.apache.hadoop.fs.Path(out + "/tokenizer.json")));

    // Same weights as the same job on a local lake.
    Path fetched = newDir("fetched");
    fs.copyToLocalFile(
        false,
        new org.apache.hadoop.fs.Path(out + "/checkpoints/checkpoint-6"),
        new org.apache.hadoop.fs.Path(fetched.resolve("checkpoint-6").toUri()),
        true);
    Path localOut = Path.of(localRun.summary().result(TrainResult.class).orElseThrow().output());
    assertSameWeights(
        weights(localOut.resolve("checkpoints").resolve("checkpoint-6")),
        weights(fetched.resolve("checkpoint-6")));
  }

  /** The single-worker job stages locally and copies its whole output next to the lake. */
  @Test
  void trainJobWithTheLakeOnS3CopiesItsOutputThere() throws Exception {
    PipelineConfig cfg = DpTestData.config(1, 4, 2).with("train.threads", 0);
    Lake remote = new Lake(spark, s3.uri("single"));
    remote.append(LakeTable.SILVER_RECORDS, rows(), "test");
    Run run = Run.start(remote, "train", cfg, null);
    new TrainJob(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))
        .step(cfg)
        .execute(run);
    run.succeed();
    String out = run.summary().result(TrainResult.class).orElseThrow().output();
    assertTrue(out.startsWith("s3a://"), out);
    FileSystem fs = new org.apache.hadoop.fs.Path(out).getFileSystem(conf());
    for (String f :
        List.of(
            "tokenizer.json",
            "hf/model.safetensors",
            "hf/config.json",
            "checkpoints/checkpoint-2/weights.safetensors",
            "checkpoints/checkpoint-4/weights.safetensors")) {
      assertTrue(fs.exists(new org.apache.hadoop.fs.Path(out + "/" + f)), out + "/" + f);
    }
  }

  @Test
  void resumeFromS3SkipsAnUncommittedCheckpointAndMatchesAnUninterruptedRun() throws Exception {
    PipelineConfig cfg = DpTestData.config(1, 6, 2).with("train.threads", 0);
    String uri = s3.uri("resume/checkpoints");
    Dataset<Row> input = rows();
    DataParallelTrainer.Result full = trainer(cfg, newDir("full"), uri).train(spark, input);
    Map<String, HostTensor> uninterrupted =
        weights(Checkpoints.latest(full.checkpoints()).orElseThrow());
    assertEquals(0.0, resumedFrom(full));

    // As if the run died while uploading checkpoint-4: its marker never landed, nor did 6.
    FileSystem fs = new org.apache.hadoop.fs.Path(uri).getFileSystem(conf());
    assertTrue(fs.delete(new org.apache.hadoop.fs.Path(uri + "/checkpoint-6"), true));
    assertTrue(
        fs.delete(
            new org.apache.hadoop.fs.Path(uri + "/checkpoint-4/" + CheckpointStore.COMPLETE)));

    DataParallelTrainer.Result resumed = trainer(cfg, newDir("resumed"), uri).train(spark, input);
    assertEquals(2.0, resumedFrom(resumed), "resumes from the newest committed checkpoint");
    assertFalse(
        resumed.metrics().stream().anyMatch(m -> m.metric().equals("loss") && m.step() <= 2),
        "steps 1-2 are not trained again");
    assertSameWeights(
        uninterrupted, weights(Checkpoints.latest(resumed.checkpoints()).orElseThrow()));
    assertTrue(fs.exists(new org.apache.hadoop.fs.Path(uri + "/checkpoint-6/_COMPLETE")));
  }

  private static DataParallelTrainer trainer(PipelineConfig cfg, Path outDir, String uri) {
    return DataParallelTrainer.builder()
        .setTrainConfig(cfg.section("train"))
        .setOutputDir(outDir)
        .optCheckpointUri(uri)
        .build();
  }

  private static double resumedFrom(DataParallelTrainer.Result r) {
    return r.metrics().stream()
        .filter(m -> m.metric().equals("resumed_from_step"))
        .findFirst()
        .orElseThrow()
        .value();
  }

  private static Run run(Lake lake, PipelineConfig cfg) {
    Run run = Run.start(lake, "train", cfg, null);
    DataParallelTrainJob job =
        new DataParallelTrainJob(
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    job.step(cfg).execute(run);
    run.succeed();
    return run;
  }

  private static Dataset<Row> rows() {
    List<Row> rows = new ArrayList<>();
    for (String[] r : DpTestData.rows()) {
      rows.add(RowFactory.create(r[0], null, r[1], r[2]));
    }
    return spark.createDataFrame(rows, DataParallelTrainJobTest.SCHEMA);
  }

  private static org.apache.hadoop.conf.Configuration conf() {
    return spark.sparkContext().hadoopConfiguration();
  }

  private static Map<String, HostTensor> weights(Path checkpoint) {
    assertTrue(Files.isDirectory(checkpoint), checkpoint.toString());
    return Safetensors.read(checkpoint.resolve("weights.safetensors"));
  }

  private static void assertSameWeights(Map<String, HostTensor> a, Map<String, HostTensor> b) {
    assertEquals(a.keySet(), b.keySet());
    for (String n : a.keySet()) {
      assertArrayEquals(a.get(n).data(), b.get(n).data(), 0f, n);
    }
  }
}
