package io.instructlake.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.instructlake.train.model.Batch;
import io.instructlake.train.model.HostTensor;
import io.instructlake.train.model.LlamaConfig;
import io.instructlake.train.model.LlamaModel;
import io.instructlake.train.model.LoraConfig;
import io.instructlake.train.optim.AdamW;
import io.instructlake.train.optim.LrSchedule;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TrainerTest {
  static NDManager manager;

  @BeforeAll
  static void start() {
    manager = NDManager.newBaseManager();
  }

  @AfterAll
  static void stop() {
    manager.close();
  }

  static LlamaConfig small() {
    return LlamaConfig.builder()
        .setVocabSize(13)
        .setHiddenSize(16)
        .setIntermediateSize(32)
        .setNumLayers(2)
        .setNumHeads(4)
        .optNumKvHeads(2)
        .build();
  }

  /** Random rows of length t with loss on every slot. */
  static Batch randomBatch(int b, int t, long seed) {
    Random r = new Random(seed);
    long[] ids = new long[b * t];
    long[] pos = new long[b * t];
    int[] seg = new int[b * t];
    long[] tgt = new long[b * t];
    float[] lm = new float[b * t];
    for (int i = 0; i < b; i++) {
      long[] row = new long[t + 1];
      for (int j = 0; j <= t; j++) {
        row[j] = 3 + r.nextInt(10);
      }
      row[0] = 3 + i % 10; // distinct first tokens: every target is determined by its prefix
      for (int j = 0; j < t; j++) {
        ids[i * t + j] = row[j];
        tgt[i * t + j] = row[j + 1];
        pos[i * t + j] = j;
        seg[i * t + j] = 1;
        lm[i * t + j] = 1;
      }
    }
    return new Batch(b, t, ids, pos, seg, tgt, lm);
  }

  @Test
  void adamwMatchesScalarReference() {
    double lr = 0.01;
    double wd = 0.1;
    float[] p0 = {0.5f, -1f, 2f};
    float[][] grads = {{0.1f, -0.2f, 0.3f}, {-0.5f, 0.5f, 0f}, {1f, 1f, -1f}};
    try (AdamW opt = new AdamW(manager, 0.9, 0.99, 1e-8, wd)) {
      NDArray p = manager.create(p0.clone());
      opt.register("w", new Shape(3));
      for (float[] g : grads) {
        opt.beginStep();
        opt.update("w", p, manager.create(g), lr, 0.5);
      }
      // Scalar torch.optim.AdamW semantics, gradients scaled by 0.5 (a clip factor).
      double[] want = new double[3];
      for (int i = 0; i < 3; i++) {
        double w = p0[i];
        double m = 0;
        double v = 0;
        for (int t = 1; t <= grads.length; t++) {
          double g = grads[t - 1][i] * 0.5;
          w -= lr * wd * w;
          m = 0.9 * m + 0.1 * g;
          v = 0.99 * v + 0.01 * g * g;
          w -= lr * (m / (1 - Math.pow(0.9, t))) / (Math.sqrt(v / (1 - Math.pow(0.99, t))) + 1e-8);
        }
        want[i] = w;
      }
      float[] got = p.toFloatArray();
      for (int i = 0; i < 3; i++) {
        assertEquals(want[i], got[i], 1e-6, "element " + i);
      }
      assertTrue(AdamW.decays("model.layers.0.mlp.up_proj.weight"));
      assertTrue(!AdamW.decays("model.layers.0.input_layernorm.weight"));
      assertTrue(!AdamW.decays("model.layers.0.self_attn.q_proj.bias"));
    }
  }

  @Test
  void scheduleWarmsUpThenDecaysToMinRatio() {
    LrSchedule s = new LrSchedule(1.0, 4, 14, 0.1);
    assertEquals(0.25, s.lr(0), 1e-12);
    assertEquals(1.0, s.lr(3), 1e-12);
    assertEquals(1.0, s.lr(4), 1e-12);
    assertEquals(0.1 + 0.9 * 0.5, s.lr(9), 1e-12); // halfway: cos(pi/2) = 0
    assertEquals(0.1, s.lr(14), 1e-12);
    assertEquals(0.1, s.lr(100), 1e-12);
  }

  @Test
  void averagedFlatGradientsEqualAccumulatedStep() {
    Batch b1 = randomBatch(2, 6, 1);
    Batch b2 = randomBatch(2, 6, 2);
    TrainerOptions acc = TrainerOptions.builder().setTotalSteps(5).optGradAccum(2).build();
    TrainerOptions one = TrainerOptions.builder().setTotalSteps(5).build();
    try (LlamaModel ma = LlamaModel.create(small(), manager, DataType.FLOAT32, 3);
        LlamaModel mb = LlamaModel.create(small(), manager, DataType.FLOAT32, 3);
        Trainer a = new Trainer(ma, acc);
        Trainer b = new Trainer(mb, one)) {
      a.computeGradients(b1);
      a.computeGradients(b2);
      float[] accumulated = a.gradients();
      Trainer.StepStats sa = a.applyUpdate();
      // "Two workers": gradients of each batch alone, averaged in Java, written back.
      b.computeGradients(b1);
      float[] g1 = b.gradients();
      b.zeroGradients();
      b.computeGradients(b2);
      float[] g2 = b.gradients();
      float[] avg = new float[g1.length];
      double sq = 0;
      for (int i = 0; i < avg.length; i++) {
        avg[i] = (g1[i] + g2[i]) / 2;
        sq += (double) avg[i] * avg[i];
      }
      assertArrayEquals(accumulated, avg, 1e-6f);
      b.writeGradients(avg);
      assertArrayEquals(avg, b.gradients(), 0f);
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> b.readGradients(new float[3]));
      assertTrue(e.getMessage().contains("needs " + a.gradientSize()), e.getMessage());
      Trainer.StepStats sb = b.applyUpdate();
      assertEquals(Math.sqrt(sq), sb.gradNorm(), 1e-5);
      assertEquals(sa.gradNorm(), sb.gradNorm(), 1e-5);
      Map<String, HostTensor> pa = ma.baseState();
      Map<String, HostTensor> pb = mb.baseState();
      for (String k : pa.keySet()) {
        assertArrayEquals(pa.get(k).data(), pb.get(k).data(), 1e-6f, k);
      }
      assertEquals(ma.config().parameterCount(), a.gradientSize());
      IllegalStateException none = assertThrows(IllegalStateException.class, b::gradients);
      assertTrue(none.getMessage().contains("call computeGradients"), none.getMessage());
    }
  }

  @Test
  void gradientBufferIsTheFlatGradientAndItsEditsDriveTheUpdate() {
    Batch b1 = randomBatch(2, 6, 4);
    TrainerOptions one = TrainerOptions.builder().setTotalSteps(5).build();
    try (LlamaModel ma = LlamaModel.create(small(), manager, DataType.FLOAT32, 9);
        LlamaModel mb = LlamaModel.create(small(), manager, DataType.FLOAT32, 9);
        Trainer a = new Trainer(ma, one);
        Trainer b = new Trainer(mb, one)) {
      // a: the copying path, with the gradient halved in Java
      a.computeGradients(b1);
      float[] g = a.gradients();
      float[] half = new float[g.length];
      for (int i = 0; i < g.length; i++) {
        half[i] = g[i] * 0.5f;
      }
      a.writeGradients(half);
      Trainer.StepStats sa = a.applyUpdate();
      // b: the same halving done in place in the native buffer
      b.computeGradients(b1);
      ByteBuffer buf = b.gradientBuffer();
      assertTrue(buf.isDirect());
      assertEquals(4L * b.gradientSize(), buf.remaining());
      FloatBuffer f = buf.asFloatBuffer();
      float[] seen = new float[f.remaining()];
      f.get(0, seen);
      assertArrayEquals(
          g, seen, 0f, "the buffer holds the flat gradients, in trainableNames order");
      for (int i = 0; i < seen.length; i++) {
        f.put(i, seen[i] * 0.5f);
      }
      b.useGradientBuffer();
      assertArrayEquals(half, b.gradients(), 0f, "the update reads the edited buffer");
      Trainer.StepStats sb = b.applyUpdate();
      assertEquals(sa.gradNorm(), sb.gradNorm(), 0.0);
      Map<String, HostTensor> pa = ma.baseState();
      Map<String, HostTensor> pb = mb.baseState();
      for (String k : pa.keySet()) {
        assertArrayEquals(pa.get(k).data(), pb.get(k).data(), 0f, k);
      }
      IllegalStateException none = assertThrows(IllegalStateException.class, b::useGradientBuffer);
      assertTrue(none.getMessage().contains("gradientBuffer()"), none.getMessage());
      // no native arrays left behind per step
      int before = countArrays(mb.manager());
      for (int s = 0; s < 3; s++) {
        b.computeGradients(b1);
        b.gradientBuffer();
        b.useGradientBuffer();
        b.applyUpdate();
      }
      assertEquals(before, countArrays(mb.manager()), "arrays leaked per step");
    }
  }

  /**
   * The zero-copy path under disturbance: while the gradient buffer is out, other threads create,
   * compute and free native arrays (so the allocator would hand out freed memory), a full GC runs,
   * and the buffer is read and written from another thread after random pauses. Ten steps must give
   * the same bits as the copying path, step by step.
   */
  @Test
  void gradientBufferStaysValidThroughGcNativeChurnAndOtherThreads() throws Exception {
    TrainerOptions o = TrainerOptions.builder().setTotalSteps(10).build();
    java.util.SplittableRandom rnd = new java.util.SplittableRandom(22);
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(2);
    try (LlamaModel ma = LlamaModel.create(small(), manager, DataType.FLOAT32, 5);
        LlamaModel mb = LlamaModel.create(small(), manager, DataType.FLOAT32, 5);
        Trainer a = new Trainer(ma, o);
        Trainer b = new Trainer(mb, o)) {
      for (int step = 0; step < 10; step++) {
        Batch batch = randomBatch(2, 5 + step % 3, 100 + step);
        float scale = 1f / (1 + step % 3);
        a.computeGradients(batch);
        float[] g = a.gradients();
        for (int i = 0; i < g.length; i++) {
          g[i] *= scale;
        }
        a.writeGradients(g);
        a.applyUpdate();

        b.computeGradients(batch);
        ByteBuffer buf = b.gradientBuffer();
        java.util.concurrent.Future<?> churn =
            pool.submit(
                () -> {
                  try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager()) {
                    for (int k = 0; k < 200; k++) {
                      m.ones(new ai.djl.ndarray.types.Shape(64 + k)).muli(3).close();
                    }
                  }
                });
        System.gc();
        Thread.sleep(rnd.nextInt(5));
        pool.submit(
                () -> {
                  FloatBuffer f = buf.asFloatBuffer();
                  for (int i = 0; i < f.limit(); i++) {
                    f.put(i, f.get(i) * scale);
                  }
                })
            .get();
        churn.get();
        b.useGradientBuffer();
        b.applyUpdate();
        Map<String, HostTensor> pa = ma.baseState();
        Map<String, HostTensor> pb = mb.baseState();
        for (String k : pa.keySet()) {
          assertArrayEquals(pa.get(k).data(), pb.get(k).data(), 0f, "step " + step + ": " + k);
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void overfitsAHandfulOfExamples() {
    Batch b = randomBatch(4, 8, 11);
    TrainerOptions o =
        TrainerOptions.builder()
            .setTotalSteps(100)
            .optLearningRate(3e-2)
            .optWarmupSteps(5)
            .optMinLrRatio(0.3)
            .build();
    try (LlamaModel m = LlamaModel.create(small(), manager, DataType.FLOAT32, 5);
        Trainer t = new Trainer(m, o)) {
      assertEquals(DataType.FLOAT32, m.logits(b, null).getDataType());
      assertEquals(DataType.FLOAT32, m.loss(b, null).getDataType());
      float first = t.computeGradients(b);
      t.applyUpdate();
      float last = first;
      int arraysBefore = countArrays(m.manager());
      for (int s = 1; s < 100; s++) {
        last = t.computeGradients(b);
        t.applyUpdate();
      }
      assertTrue(first > 2.0, "initial loss ~ ln(13) = 2.56, got " + first);
      assertTrue(last < 0.05, "loss after 100 steps " + last);
      // No NDArray leaks per step.
      assertEquals(arraysBefore, countArrays(m.manager()), "arrays leaked per step");
    }
  }

  static int countArrays(NDManager m) {
    int n = m.getManagedArrays().size();
    return n;
  }

  @Test
  void maskedTargetsCarryNoLossOrGradient() {
    Batch b = randomBatch(2, 6, 4);
    float[] mask = b.lossMask().clone();
    for (int i = 0; i < 3; i++) {
      mask[i] = 0; // "prompt" slots of row 0
    }
    long[] other = b.targets().clone();
    for (int i = 0; i < 3; i++) {
      other[i] = (other[i] + 5) % 13; // different targets under the mask
    }
    Batch x = new Batch(2, 6, b.inputIds(), b.positions(), b.segments(), b.targets(), mask);
    Batch y = new Batch(2, 6, b.inputIds(), b.positions(), b.segments(), other, mask);
    TrainerOptions o = TrainerOptions.builder().setTotalSteps(1).build();
    try (LlamaModel m = LlamaModel.create(small(), manager, DataType.FLOAT32, 5);
        Trainer t = new Trainer(m, o)) {
      float lx = t.computeGradients(x);
      float[] gx = t.gradients();
      t.zeroGradients();
      float ly = t.computeGradients(y);
      float[] gy = t.gradients();
      assertEquals(lx, ly, 0f);
      assertArrayEquals(gx, gy, 0f);
    }
  }

  @Test
  void loraStartsAtBaseKeepsBaseFrozenAndMergesExactly() {
    LoraConfig lc = new LoraConfig(4, 8, 0.1, true, List.of("q_proj", "v_proj", "down_proj"));
    TrainerOptions o =
        TrainerOptions.builder().setTotalSteps(20).optLearningRate(1e-2).optLora(lc).build();
    Batch b = randomBatch(2, 6, 8);
    Batch probe = Batch.ofRows(new long[][] {{3, 4, 5, 6, 7}});
    try (LlamaModel m = LlamaModel.create(small(), manager, DataType.FLOAT32, 5)) {
      float[] before = m.logits(probe, null).toFloatArray();
      Map<String, HostTensor> base0 = m.baseState();
      try (Trainer t = new Trainer(m, o)) {
        assertTrue(t.trainableNames().stream().allMatch(n -> n.contains(".lora_")));
        assertEquals(2 * 3 * 2, t.trainableNames().size());
        assertArrayEquals(before, m.logits(probe, null).toFloatArray(), 0f, "B = 0 equals base");
        for (int s = 0; s < 20; s++) {
          t.computeGradients(b);
          t.applyUpdate();
        }
        Map<String, HostTensor> base1 = m.baseState();
        for (String k : base0.keySet()) {
          assertArrayEquals(base0.get(k).data(), base1.get(k).data(), 0f, "frozen " + k);
        }
        float[] adapted = m.logits(probe, null).toFloatArray();
        assertNotEquals(before[0], adapted[0]);
        try (LlamaModel merged =
            LlamaModel.fromTensors(m.config(), manager, DataType.FLOAT32, m.mergedState())) {
          assertArrayEquals(adapted, merged.logits(probe, null).toFloatArray(), 1e-4f);
        }
      }
    }
  }

  @Test
  void freezesFirstLayers() {
    TrainerOptions o =
        TrainerOptions.builder().setTotalSteps(3).optLearningRate(1e-2).optFreezeLayers(1).build();
    try (LlamaModel m = LlamaModel.create(small(), manager, DataType.FLOAT32, 5);
        Trainer t = new Trainer(m, o)) {
      Map<String, HostTensor> p0 = m.baseState();
      t.computeGradients(randomBatch(2, 5, 1));
      t.applyUpdate();
      Map<String, HostTensor> p1 = m.baseState();
      for (String k : p0.keySet()) {
        boolean frozen = k.startsWith("model.layers.0.") || k.startsWith("model.embed_tokens");
        boolean same = java.util.Arrays.equals(p0.get(k).data(), p1.get(k).data());
        assertEquals(frozen, same, k);
      }
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () ->
                  new Trainer(
                      m, TrainerOptions.builder().setTotalSteps(1).optFreezeLayers(3).build()));
      assertTrue(e.getMessage().contains("cannot freeze 3 of 2 layers"), e.getMessage());
    }
  }
}
