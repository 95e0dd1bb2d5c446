package io.instructlake.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.instructlake.PipelineException;
import io.instructlake.train.data.SftEncoder;
import io.instructlake.train.data.SftLoader;
import io.instructlake.train.model.HostTensor;
import io.instructlake.train.model.LlamaModel;
import io.instructlake.train.model.LoraConfig;
import io.instructlake.train.model.Safetensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {
  static NDManager manager;
  @TempDir Path dir;

  @BeforeAll
  static void start() {
    manager = NDManager.newBaseManager();
  }

  @AfterAll
  static void stop() {
    manager.close();
  }

  static List<SftEncoder.Encoded> examples() {
    List<SftEncoder.Encoded> ex = new ArrayList<>();
    java.util.Random r = new java.util.Random(1);
    for (int i = 0; i < 6; i++) {
      int n = 4 + r.nextInt(5);
      long[] ids = new long[n];
      boolean[] tr = new boolean[n];
      for (int j = 0; j < n; j++) {
        ids[j] = 3 + r.nextInt(10);
        tr[j] = j >= 2;
      }
      ex.add(new SftEncoder.Encoded(ids, tr));
    }
    return ex;
  }

  private static void run(Trainer t, SftLoader loader, int steps) {
    for (int s = 0; s < steps; s++) {
      for (int k = 0; k < t.options().gradAccum(); k++) {
        t.computeGradients(loader.next());
      }
      t.applyUpdate();
    }
  }

  private void resumeEqualsUninterrupted(TrainerOptions o) {
    resumeEqualsUninterrupted(o, DataType.FLOAT32);
  }

  /**
   * With {@code compute} FLOAT16: mixed precision (the CPU stand-in for bf16) over fp32 masters.
   */
  private void resumeEqualsUninterrupted(TrainerOptions o, DataType compute) {
    Map<String, HostTensor> straight;
    try (LlamaModel m = LlamaModel.create(TrainerTest.small(), manager, DataType.FLOAT32, 9);
        Trainer t = new Trainer(m, o)) {
      m.setComputeType(compute);
      run(t, new SftLoader(examples(), 2, 8, true, 4), 6);
      straight = o.lora() == null ? m.baseState() : m.loraState();
    }
    Path ckpt;
    try (LlamaModel m = LlamaModel.create(TrainerTest.small(), manager, DataType.FLOAT32, 9);
        Trainer t = new Trainer(m, o)) {
      m.setComputeType(compute);
      SftLoader loader = new SftLoader(examples(), 2, 8, true, 4);
      run(t, loader, 3);
      ckpt = Checkpoints.save(dir, t, loader.position());
    }
    assertEquals(ckpt, Checkpoints.latest(dir).orElseThrow());
    try (LlamaModel m = LlamaModel.create(TrainerTest.small(), manager, DataType.FLOAT32, 9);
        Trainer t = new Trainer(m, o)) {
      m.setComputeType(compute);
      SftLoader loader = new SftLoader(examples(), 2, 8, true, 4);
      loader.seek(Checkpoints.restore(ckpt, t));
      assertEquals(3, t.step());
      run(t, loader, 3);
      Map<String, HostTensor> resumed = o.lora() == null ? m.baseState() : m.loraState();
      assertEquals(straight.keySet(), resumed.keySet());
      for (String k : straight.keySet()) {
        assertArrayEquals(straight.get(k).data(), resumed.get(k).data(), 0f, k);
      }
    }
  }

  @Test
  void fullFineTuneResumeIsIdentical() {
    resumeEqualsUninterrupted(
        TrainerOptions.builder()
            .setTotalSteps(6)
            .optLearningRate(1e-2)
            .optWarmupSteps(2)
            .optWeightDecay(0.1)
            .optGradAccum(2)
            .build());
  }

  @Test
  void mixedPrecisionResumeIsIdentical() {
    // The restored fp32 masters must reach the half compute copies: a stale copy would diverge.
    resumeEqualsUninterrupted(
        TrainerOptions.builder().setTotalSteps(6).optLearningRate(1e-2).optGradAccum(2).build(),
        DataType.FLOAT16);
  }

  @Test
  void loraResumeWithDropoutIsIdentical() throws Exception {
    resumeEqualsUninterrupted(
        TrainerOptions.builder()
            .setTotalSteps(6)
            .optLearningRate(1e-2)
            .optLora(new LoraConfig(2, 4, 0.2, false, List.of("q_proj", "up_proj")))
            .build());
    // Adapter-only checkpoint: only LoRA tensors are stored.
    Path latest = Checkpoints.latest(dir).orElseThrow();
    assertTrue(
        Safetensors.read(latest.resolve(Checkpoints.WEIGHTS)).keySet().stream()
            .allMatch(k -> k.contains(".lora_")));
    // A half-written checkpoint is ignored by latest().
    Files.createDirectories(dir.resolve("checkpoint-99"));
    assertEquals(latest, Checkpoints.latest(dir).orElseThrow());
  }

  @Test
  void resumingWithAnotherMethodFailsClearly() {
    TrainerOptions full = TrainerOptions.builder().setTotalSteps(2).build();
    Path ckpt;
    try (LlamaModel m = LlamaModel.create(TrainerTest.small(), manager, DataType.FLOAT32, 9);
        Trainer t = new Trainer(m, full)) {
      SftLoader loader = new SftLoader(examples(), 2, 8, false, 4);
      run(t, loader, 1);
      ckpt = Checkpoints.save(dir, t, loader.position());
    }
    TrainerOptions lora =
        TrainerOptions.builder()
            .setTotalSteps(2)
            .optLora(new LoraConfig(2, 4, 0, false, List.of("q_proj")))
            .build();
    try (LlamaModel m = LlamaModel.create(TrainerTest.small(), manager, DataType.FLOAT32, 9);
        Trainer t = new Trainer(m, lora)) {
      PipelineException e =
          assertThrows(PipelineException.class, () -> Checkpoints.restore(ckpt, t));
      assertTrue(
          e.getMessage().contains("written by a full run, this run is lora"), e.getMessage());
    }
  }
}
