package io.instructlake.train.dp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instructlake.train.Checkpoints;
import io.instructlake.train.model.HostTensor;
import io.instructlake.train.model.Safetensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills one executor JVM (by its process id) in the middle of a W = 2 run: Spark must resubmit the
 * barrier stage, every rank must resume from the newest checkpoint, and the final parameters must
 * equal an uninterrupted run's (the one-worker reference, which the equivalence test ties to an
 * uninterrupted W = 2 run).
 */
class DataParallelFaultTest {
  static final int K = 8;
  static final int CKPT_EVERY = 2;
  static final int FAULT_STEP = 5;

  @TempDir Path work;

  @Test
  void killedExecutorResubmitsTheStageAndResumesFromTheNewestCheckpoint() throws Exception {
    Path out = work.resolve("out");
    Path pidFile = out.resolve("fault").resolve("pid");
    AtomicLong killed = new AtomicLong(-1);
    Runnable killer =
        () -> {
          if (killed.get() < 0 && Files.exists(pidFile)) {
            try {
              long pid = Long.parseLong(Files.readString(pidFile).trim());
              ProcessHandle h = ProcessHandle.of(pid).orElseThrow();
              assertTrue(h.info().command().orElse("").contains("java"), "pid is not a JVM");
              h.destroyForcibly(); // SIGKILL
              killed.set(pid);
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
          }
        };
    ClusterHarness.Outcome o =
        ClusterHarness.run(
            work,
            300,
            killer,
            out.toString(),
            "2",
            "" + K,
            "" + CKPT_EVERY,
            "" + FAULT_STEP,
            "-",
            "77");
    assertEquals(0, o.exitCode(), "child driver failed:\n" + ClusterHarness.tail(o.log()));
    assertTrue(killed.get() > 0, "the executor never published its pid");
    assertTrue(
        ProcessHandle.of(killed.get()).map(h -> !h.isAlive()).orElse(true), "executor alive");

    // The surviving metrics come from a later stage attempt that resumed at the newest checkpoint
    // written before the kill (rank 0 checkpoints every 2 steps; the kill came after step 5).
    List<String> lines = Files.readAllLines(out.resolve("metrics.tsv"));
    long newest = (FAULT_STEP / CKPT_EVERY) * CKPT_EVERY;
    for (int r = 0; r < 2; r++) {
      String rank = r + "\t";
      String resumed =
          lines.stream()
              .filter(l -> l.startsWith(rank) && l.contains("\tresumed_from_step\t"))
              .findFirst()
              .orElseThrow();
      String[] f = resumed.split("\t");
      assertTrue(Integer.parseInt(f[1]) >= 1, "not a resubmitted attempt: " + resumed);
      assertEquals(newest, (long) Double.parseDouble(f[4]), resumed);
      long firstStep =
          lines.stream()
              .filter(l -> l.startsWith(rank) && l.contains("\tloss\t"))
              .mapToLong(l -> Long.parseLong(l.split("\t")[2]))
              .min()
              .orElseThrow();
      assertEquals(newest + 1, firstStep);
    }

    Path ckpt = Checkpoints.latest(out.resolve("checkpoints")).orElseThrow();
    assertEquals("checkpoint-" + K, ckpt.getFileName().toString());
    Map<String, HostTensor> dp = Safetensors.read(ckpt.resolve("weights.safetensors"));
    Map<String, HostTensor> ref =
        DataParallelEquivalenceTest.reference(out.resolve("tokenizer.json"), 2, K);
    // Resuming restores exact weights, moments and data position, under random pauses too: the
    // same bits as the uninterrupted one-worker reference.
    DataParallelEquivalenceTest.assertBitIdentical(ref, dp, "killed, resumed and jittered run");
    System.out.printf("fault: killed pid %d, bit-identical to the reference%n", killed.get());
  }
}
