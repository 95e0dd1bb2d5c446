package io.instructlake.train.dp;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import com.typesafe.config.ConfigFactory;
import io.instructlake.PipelineException;
import io.instructlake.config.ConfigReader;
import io.instructlake.dist.Jitter;
import io.instructlake.dist.RingAllReduce;
import io.instructlake.train.CheckpointListener;
import io.instructlake.train.Checkpoints;
import io.instructlake.train.Models;
import io.instructlake.train.TrainSettings;
import io.instructlake.train.Trainer;
import io.instructlake.train.TrainingLoop;
import io.instructlake.train.data.SftEncoder;
import io.instructlake.train.data.SftLoader;
import io.instructlake.train.model.LlamaModel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
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

  /** Reads the train settings again from the section as the driver read it. */
  static TrainSettings settings(String trainSection) {
    return TrainSettings.from(new ConfigReader(ConfigFactory.parseString(trainSection), "train"));
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
      checkOwnRows(mine, rank, w);
      List<SftEncoder.Encoded> examples = encode(mine, tok, s);
      if (examples.isEmpty()) {
        throw new PipelineException(
            "Cannot train rank " + rank + " of " + w,
            "its partition has no example with response tokens (" + mine.size() + " rows)",
            "use fewer train.workers or more training rows");
      }
      try (NDManager nd = NDManager.newBaseManager(device);
          LlamaModel model = Models.build(s, Models.vocabSize(spec.tokenizerJson()), nd);
          Trainer trainer = new Trainer(model, s.trainerOptions())) {
        s.applyPrecision(model);
        SftLoader loader =
            new SftLoader(
                examples, s.batchSize(), s.maxSeqLen(), s.pack(), rankSeed(s.seed(), rank));
        CheckpointStore ckpt = spec.checkpoints();
        Path staging = tokDir.resolve("checkpoints");
        Optional<Path> latest = ckpt.latest(staging);
        long seen = latest.map(Checkpoints::stepOf).orElse(0L);
        Rendezvous rv = rendezvous(ctx, spec, rank, seen, mine.size());
        long resumed = rv.resumeStep();
        if (resumed > 0) {
          Path dir =
              seen == resumed
                  ? latest.get()
                  : ckpt.at(resumed, staging)
                      .orElseThrow(
                          () ->
                              new PipelineException(
                                  "Cannot resume rank " + rank + " of " + w,
                                  "rank 0 resumes from checkpoint-"
                                      + resumed
                                      + ", which this rank cannot read",
                                  "put train checkpoints where every executor reads the same"
                                      + " files (a shared mount or the lake's object store)"));
          Checkpoints.restore(dir, trainer);
          // The checkpoint holds rank 0's data position; every rank's position is a function of
          // the step, so replay this rank's batch stream (no compute) to the same place.
          for (long i = 0; i < resumed * s.gradAccum(); i++) {
            loader.next();
          }
        }
        metrics.add(new DpMetric(rank, attempt, resumed, "resumed_from_step", resumed));
        train(spec, s, rv, rank, attempt, trainer, loader, ckpt, staging, metrics);
      }
    } catch (IOException e) {
      throw new PipelineException(
          "Data-parallel rank " + rank + " failed", e.toString(), "check local disk space", e);
    } finally {
      deleteQuietly(tokDir);
    }
    return metrics.iterator();
  }

  /**
   * The single rendezvous of a stage attempt (one {@code allGather}, about a second): every rank
   * publishes its all-reduce address, the newest checkpoint it sees and how many rows it holds.
   * Then all ranks resume from the step rank 0 saw (ranks that listed the checkpoints at other
   * moments could otherwise resume at different steps and all-reduce gradients of different steps,
   * which no per-call check can tell apart), and the rows must add up to what the driver dealt:
   * each rank holds only its residue class ({@link #checkOwnRows}), so a matching total means every
   * row is on exactly one rank. The ring is keyed by the run's session and the stage attempt, so no
   * connection of another run or attempt joins it.
   */
  private static Rendezvous rendezvous(
      BarrierTaskContext ctx, DpSpec spec, int rank, long seenStep, int rows) {
    int w = spec.dp().workers();
    BarrierTaskInfo[] infos = ctx.getTaskInfos();
    String host = infos[rank].address();
    host = host.contains(":") ? host.substring(0, host.lastIndexOf(':')) : host;
    RingAllReduce.Endpoint endpoint = RingAllReduce.bindLocal(host);
    String[] all = ctx.allGather(endpoint.address() + ";" + seenStep + ";" + rows);
    List<String> peers = new ArrayList<>();
    long total = 0;
    StringBuilder views = new StringBuilder();
    long resume = -1;
    for (int r = 0; r < all.length; r++) {
      String[] f = all[r].split(";");
      peers.add(f[0]);
      long step = Long.parseLong(f[1]);
      total += Long.parseLong(f[2]);
      resume = r == 0 ? step : resume;
      views.append(r == 0 ? "" : ", ").append("rank ").append(r).append(": ").append(f[2]);
    }
    if (total != spec.examples()) {
      endpoint.close();
      throw new PipelineException(
          "Data-parallel ranks do not hold the rows the driver dealt",
          "the driver dealt "
              + spec.examples()
              + " rows, the ranks hold "
              + total
              + " ("
              + views
              + ")",
          "the input was not the same on every evaluation; train from a pinned table version");
    }
    long session =
        spec.session() * 1_000_003L + (long) ctx.stageId() * 65_537L + ctx.stageAttemptNumber();
    return new Rendezvous(endpoint, peers, resume, session);
  }

  /** What the rendezvous settled: the ring's peers and session, and the step to resume from. */
  private record Rendezvous(
      RingAllReduce.Endpoint endpoint, List<String> peers, long resumeStep, long session) {}

  /**
   * A rank must hold distinct rows whose index is its residue modulo W; anything else is a bug in
   * the dealing (a row on two ranks, or a rank training on another's rows), never to be trained.
   */
  static void checkOwnRows(List<DpExample> rows, int rank, int w) {
    java.util.Set<Long> seen = new java.util.HashSet<>();
    for (DpExample e : rows) {
      if (e.index() % w != rank || !seen.add(e.index())) {
        throw new PipelineException(
            "Data-parallel rank " + rank + " of " + w + " got a row it does not own",
            "row "
                + e.index()
                + (seen.contains(e.index()) && e.index() % w == rank
                    ? " arrived twice"
                    : " belongs to rank " + e.index() % w),
            "this is a bug in the dealing of rows to ranks; report it with the driver log");
      }
    }
  }

  private static void train(
      DpSpec spec,
      TrainSettings s,
      Rendezvous rv,
      int rank,
      int attempt,
      Trainer trainer,
      SftLoader loader,
      CheckpointStore ckpt,
      Path staging,
      List<DpMetric> metrics) {
    int w = spec.dp().workers();
    Jitter jitter =
        spec.jitterSeed() == 0
            ? Jitter.NONE
            : Jitter.seeded(spec.jitterSeed() * 31 + rank, 0.3, 2_000);
    try (RingAllReduce ring =
            RingAllReduce.builder()
                .setRank(rank)
                .setWorldSize(w)
                .setPeers(rv.peers())
                .optEndpoint(rv.endpoint())
                .optSession(rv.session())
                .optBucketBytes(spec.dp().bucketBytes())
                .optTimeout(spec.dp().timeout())
                .optWireFormat(spec.dp().wire())
                .optJitter(jitter.fork(1))
                .build();
        ProgressServer.Sender progress =
            rank == 0
                ? ProgressServer.Sender.connect(spec.progressAddress())
                : ProgressServer.Sender.NONE) {
      metrics.add(
          new DpMetric(rank, attempt, trainer.step(), "gradient_floats", trainer.gradientSize()));
      long[] waited = {0};
      TrainingLoop.GradientSync allReduce =
          t -> {
            jitter.pause();
            // Zero-copy: the gradients are gathered into one native tensor, all-reduced in place.
            ByteBuffer grads = t.gradientBuffer();
            disturb(jitter);
            long wait0 = ring.waitNanos();
            ring.allReduceMean(grads, 1);
            waited[0] = ring.waitNanos() - wait0;
            disturb(jitter);
            t.useGradientBuffer();
            jitter.pause();
          };
      float[] global = new float[2];
      TrainingLoop.Listener perRank =
          new TrainingLoop.Listener() {
            @Override
            public void onStep(TrainingLoop.Step st) {
              long step = st.step();
              metrics.add(new DpMetric(rank, attempt, step, "loss", st.loss()));
              metrics.add(new DpMetric(rank, attempt, step, "tokens", st.tokens()));
              metrics.add(
                  new DpMetric(rank, attempt, step, "tokens_per_s", st.tokens() / st.seconds()));
              metrics.add(new DpMetric(rank, attempt, step, "compute_ms", st.computeNanos() / 1e6));
              metrics.add(new DpMetric(rank, attempt, step, "allreduce_ms", st.syncNanos() / 1e6));
              metrics.add(new DpMetric(rank, attempt, step, "wait_ms", waited[0] / 1e6));
              metrics.add(new DpMetric(rank, attempt, step, "update_ms", st.updateNanos() / 1e6));
              if (TrainingLoop.logs(st, s.logEvery())) {
                // The global view for the console: every rank takes part (the condition depends
                // only on the step, so the ranks stay in lock-step); outside the timed step.
                global[0] = (float) st.loss();
                global[1] = st.tokens();
                ring.allReduceMean(global, 1);
                progress.send(
                    TrainingLoop.progressLine(
                        "train-dp", st, global[0], global[1] * w / st.seconds()));
              }
              if (rank == 0) {
                metrics.add(new DpMetric(rank, attempt, step, "lr", st.lr()));
                metrics.add(new DpMetric(rank, attempt, step, "grad_norm", st.gradNorm()));
              }
            }
          };
      TrainingLoop.Builder loop =
          TrainingLoop.builder()
              .setTrainer(trainer)
              .setLoader(loader)
              .setSteps(s.steps())
              .optGradAccum(s.gradAccum())
              .optGradientSync(allReduce)
              .optListener(perRank);
      if (rank == 0) {
        loop.optListener(
            new CheckpointListener(
                trainer,
                loader,
                s.checkpointEvery(),
                (t, position) -> ckpt.save(staging, t, position)));
      }
      if (spec.faultStep() > 0 && attempt == 0 && rank == w - 1) {
        loop.optListener(
            new TrainingLoop.Listener() {
              @Override
              public void onStep(TrainingLoop.Step st) {
                if (st.step() == spec.faultStep()) {
                  waitToBeKilled(Path.of(spec.faultDir()));
                }
              }
            });
      }
      loop.build().run();
    }
  }

  /**
   * Test hook: a pause, and now and then a full GC and a burst of native allocations, while a
   * gradient buffer is out: the direct buffer must stay valid and untouched through both.
   */
  private static void disturb(Jitter jitter) {
    if (!jitter.active()) {
      return;
    }
    jitter.pause();
    if (ThreadLocalRandom.current().nextInt(4) == 0) {
      System.gc();
      try (NDManager scratch = NDManager.newBaseManager(Device.cpu())) {
        for (int i = 0; i < 16; i++) {
          scratch.ones(new ai.djl.ndarray.types.Shape(1024 + i)).muli(i);
        }
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
