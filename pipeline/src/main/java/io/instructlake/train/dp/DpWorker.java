package io.instructlake.train.dp;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.typesafe.config.ConfigFactory;
import io.instructlake.PipelineException;
import io.instructlake.config.ConfigReader;
import io.instructlake.dist.RingAllReduce;
import io.instructlake.train.Batch;
import io.instructlake.train.Checkpoints;
import io.instructlake.train.LlamaConfig;
import io.instructlake.train.LlamaModel;
import io.instructlake.train.Safetensors;
import io.instructlake.train.SftEncoder;
import io.instructlake.train.SftLoader;
import io.instructlake.train.TrainJob;
import io.instructlake.train.TrainSettings;
import io.instructlake.train.Trainer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.BarrierTaskInfo;
import org.apache.spark.resource.ResourceInformation;
import scala.Option;

/**
 * The body of one data-parallel task (rank = partition id of the barrier stage). See the package
 * documentation for the protocol. Returns the rank's per-step metrics.
 */
final class DpWorker {
  private DpWorker() {}

  /** Seed of a rank's data order (its loader shuffles each epoch with this seed + epoch). */
  static long rankSeed(long seed, int rank) {
    return seed + 1_000_003L * rank;
  }

  /** Reads the train settings from their HOCON rendering ({@code {"train": {...}}}). */
  static TrainSettings settings(String trainConf) {
    return TrainSettings.from(
        new ConfigReader(ConfigFactory.parseString(trainConf).getConfig("train"), "train"));
  }

  /** Vocabulary size of a tokenizer.json text: largest id of vocab or added tokens, plus 1. */
  static int vocabSize(String tokenizerJson) {
    JsonObject o = JsonParser.parseString(tokenizerJson).getAsJsonObject();
    int max = -1;
    for (var e : o.getAsJsonObject("model").getAsJsonObject("vocab").entrySet()) {
      max = Math.max(max, e.getValue().getAsInt());
    }
    if (o.has("added_tokens")) {
      for (var e : o.getAsJsonArray("added_tokens")) {
        max = Math.max(max, e.getAsJsonObject().get("id").getAsInt());
      }
    }
    return max + 1;
  }

  /** Encodes a rank's examples (sorted by index); examples without loss tokens are dropped. */
  static List<SftEncoder.Encoded> encode(
      List<DpExample> examples, Path tokenizer, TrainSettings s) {
    List<DpExample> sorted = new ArrayList<>(examples);
    sorted.sort(Comparator.comparingLong(DpExample::index));
    List<SftEncoder.Encoded> out = new ArrayList<>();
    try (SftEncoder enc = new SftEncoder(tokenizer, s.template(), s.maxSeqLen())) {
      for (DpExample e : sorted) {
        SftEncoder.Encoded x = enc.encode(e.system(), e.messages());
        if (x.trainableTokens() > 0) {
          out.add(x);
        }
      }
    }
    return out;
  }

  /** Builds the model every rank starts from (same seed or same base checkpoint). */
  static LlamaModel buildModel(TrainSettings s, int vocab, NDManager nd) {
    if ("random".equals(s.baseModel())) {
      return LlamaModel.create(s.randomModelConfig(vocab), nd, DataType.FLOAT32, s.seed());
    }
    Path dir = Path.of(s.baseModel());
    return LlamaModel.fromTensors(
        LlamaConfig.read(dir), nd, DataType.FLOAT32, Safetensors.readDir(dir));
  }

  static Iterator<DpMetric> run(DpSpec spec, Iterator<DpExample> rows) {
    BarrierTaskContext ctx = BarrierTaskContext.get();
    int rank = ctx.partitionId();
    int attempt = ctx.stageAttemptNumber();
    int w = spec.dp().workers();
    TrainSettings s = settings(spec.trainConf());
    if (s.threads() > 0) {
      System.setProperty("ai.djl.pytorch.num_threads", String.valueOf(s.threads()));
    }
    Engine engine = Engine.getInstance();
    // PyTorch's grad mode is per thread and on by default; DJL turns it off only on the thread that
    // started the engine. A task thread (a retry, a second job in the same executor) must turn it
    // off itself, or AdamW's in-place update of a leaf parameter fails.
    if ("PyTorch".equals(engine.getEngineName())) {
      ai.djl.pytorch.jni.JniUtils.setGradMode(false);
    }
    List<DpExample> mine = new ArrayList<>();
    rows.forEachRemaining(mine::add);
    List<DpMetric> metrics = new ArrayList<>();

    // GPU binding: the address Spark's resource scheduling gave this task, if any.
    Option<ResourceInformation> gpu = ctx.resources().get("gpu");
    String address =
        gpu.isDefined() && gpu.get().addresses().length > 0 ? gpu.get().addresses()[0] : null;
    Device device = Device.cpu();
    if (address != null && engine.getGpuCount() > 0) {
      device = Device.gpu(Integer.parseInt(address.trim()));
    }
    System.err.printf(
        "train-dp: rank %d/%d attempt %d: %s%n",
        rank,
        w,
        attempt,
        address == null
            ? "no GPU assigned, training on CPU"
            : device.isGpu()
                ? "training on GPU " + address
                : "GPU " + address + " assigned but the engine sees no GPU, training on CPU");
    metrics.add(new DpMetric(rank, attempt, 0, "gpu_address", parseAddress(address)));
    metrics.add(new DpMetric(rank, attempt, 0, "on_gpu", device.isGpu() ? 1 : 0));
    metrics.add(new DpMetric(rank, attempt, 0, "examples", mine.size()));

    Path tokDir = null;
    try {
      tokDir = Files.createTempDirectory("instructlake-dp-");
      Path tok = tokDir.resolve("tokenizer.json");
      Files.writeString(tok, spec.tokenizerJson());
      List<SftEncoder.Encoded> examples = encode(mine, tok, s);
      if (examples.isEmpty()) {
        throw new PipelineException(
            "Cannot train rank " + rank + " of " + w,
            "its partition has no example with response tokens (" + mine.size() + " rows)",
            "use fewer train.workers or more training rows");
      }
      try (NDManager nd = NDManager.newBaseManager(device);
          LlamaModel model = buildModel(s, vocabSize(spec.tokenizerJson()), nd);
          Trainer trainer = new Trainer(model, s.trainerOptions())) {
        s.applyPrecision(model);
        SftLoader loader =
            new SftLoader(
                examples, s.batchSize(), s.maxSeqLen(), s.pack(), rankSeed(s.seed(), rank));
        CheckpointStore ckpt = spec.checkpoints();
        Path staging = tokDir.resolve("checkpoints");
        Optional<Path> latest = ckpt.latest(staging);
        long resumed = 0;
        if (latest.isPresent()) {
          Checkpoints.restore(latest.get(), trainer);
          resumed = trainer.step();
          // The checkpoint holds rank 0's data position; every rank's position is a function of
          // the step, so replay this rank's batch stream (no compute) to the same place.
          for (long i = 0; i < resumed * s.gradAccum(); i++) {
            loader.next();
          }
        }
        metrics.add(new DpMetric(rank, attempt, resumed, "resumed_from_step", resumed));
        train(spec, s, ctx, rank, attempt, trainer, loader, ckpt, staging, metrics);
      }
    } catch (IOException e) {
      throw new PipelineException(
          "Data-parallel rank " + rank + " failed", e.toString(), "check local disk space", e);
    } finally {
      deleteQuietly(tokDir);
    }
    return metrics.iterator();
  }

  private static void train(
      DpSpec spec,
      TrainSettings s,
      BarrierTaskContext ctx,
      int rank,
      int attempt,
      Trainer trainer,
      SftLoader loader,
      CheckpointStore ckpt,
      Path staging,
      List<DpMetric> metrics) {
    int w = spec.dp().workers();
    BarrierTaskInfo[] infos = ctx.getTaskInfos();
    String host = infos[rank].address();
    host = host.contains(":") ? host.substring(0, host.lastIndexOf(':')) : host;
    RingAllReduce.Endpoint endpoint = RingAllReduce.bindLocal(host);
    // The one barrier call of the stage: exchange all-reduce addresses.
    String[] peers = ctx.allGather(endpoint.address());
    try (RingAllReduce ring =
            RingAllReduce.builder()
                .setRank(rank)
                .setWorldSize(w)
                .setPeers(Arrays.asList(peers))
                .optEndpoint(endpoint)
                .optBucketBytes(spec.dp().bucketBytes())
                .optTimeout(spec.dp().timeout())
                .optWireFormat(spec.dp().wire())
                .build();
        ProgressServer.Sender progress =
            rank == 0
                ? ProgressServer.Sender.connect(spec.progressAddress())
                : ProgressServer.Sender.NONE) {
      float[] global = new float[2];
      long trainStart = System.nanoTime();
      long firstStep = trainer.step();
      metrics.add(
          new DpMetric(rank, attempt, trainer.step(), "gradient_floats", trainer.gradientSize()));
      while (trainer.step() < s.steps()) {
        long t0 = System.nanoTime();
        double loss = 0;
        long tokens = 0;
        for (int k = 0; k < s.gradAccum(); k++) {
          Batch b = loader.next();
          loss += trainer.computeGradients(b);
          tokens += b.realTokens();
        }
        loss /= s.gradAccum();
        // Zero-copy: the gradients are gathered into one native tensor and all-reduced in place.
        ByteBuffer grads = trainer.gradientBuffer();
        long t1 = System.nanoTime();
        long wait0 = ring.waitNanos();
        ring.allReduceMean(grads, 1);
        long t2 = System.nanoTime();
        long waited = ring.waitNanos() - wait0;
        trainer.useGradientBuffer();
        Trainer.StepStats st = trainer.applyUpdate();
        long t3 = System.nanoTime();
        long step = st.step();
        double total = (t3 - t0) / 1e9;
        metrics.add(new DpMetric(rank, attempt, step, "loss", loss));
        metrics.add(new DpMetric(rank, attempt, step, "tokens", tokens));
        metrics.add(new DpMetric(rank, attempt, step, "tokens_per_s", tokens / total));
        metrics.add(new DpMetric(rank, attempt, step, "compute_ms", (t1 - t0) / 1e6));
        metrics.add(new DpMetric(rank, attempt, step, "allreduce_ms", (t2 - t1) / 1e6));
        metrics.add(new DpMetric(rank, attempt, step, "wait_ms", waited / 1e6));
        metrics.add(new DpMetric(rank, attempt, step, "update_ms", (t3 - t2) / 1e6));
        if (step % s.logEvery() == 0 || step == firstStep + 1 || step == s.steps()) {
          // The global view for the console: every rank takes part (the condition depends only on
          // the step, so the ranks stay in lock-step); outside the timed part of the step.
          global[0] = (float) loss;
          global[1] = tokens;
          ring.allReduceMean(global, 1);
          double elapsed = (System.nanoTime() - trainStart) / 1e9;
          progress.send(
              String.format(
                  Locale.ROOT,
                  "train-dp: step %d/%d loss %.4f lr %.2e tokens/s %.0f eta %s",
                  step,
                  s.steps(),
                  global[0],
                  st.lr(),
                  global[1] * w / total,
                  TrainJob.formatEta(elapsed / (step - firstStep) * (s.steps() - step))));
        }
        if (rank == 0) {
          metrics.add(new DpMetric(rank, attempt, step, "lr", st.lr()));
          metrics.add(new DpMetric(rank, attempt, step, "grad_norm", st.gradNorm()));
          if (s.checkpointEvery() > 0 && step % s.checkpointEvery() == 0) {
            ckpt.save(staging, trainer, loader.position());
          }
        }
        if (spec.faultStep() > 0 && attempt == 0 && rank == w - 1 && step == spec.faultStep()) {
          waitToBeKilled(Path.of(spec.faultDir()));
        }
      }
      if (rank == 0) {
        ckpt.save(staging, trainer, loader.position());
      }
    }
  }

  private static double parseAddress(String address) {
    if (address == null) {
      return -1;
    }
    try {
      return Double.parseDouble(address.trim());
    } catch (NumberFormatException e) {
      return -2;
    }
  }

  /** Test hook: publish this JVM's pid and wait for the test to kill it. */
  private static void waitToBeKilled(Path dir) {
    try {
      Files.createDirectories(dir);
      Path tmp = dir.resolve("pid.tmp");
      Files.writeString(tmp, String.valueOf(ProcessHandle.current().pid()));
      Files.move(tmp, dir.resolve("pid"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      Thread.sleep(60_000);
    } catch (IOException e) {
      throw new IllegalStateException("fault hook failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    throw new IllegalStateException("fault hook: not killed within a minute");
  }

  private static void deleteQuietly(Path dir) {
    if (dir == null) {
      return;
    }
    try (var st = Files.walk(dir)) {
      for (Path p : st.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // temp files only
    }
  }
}
