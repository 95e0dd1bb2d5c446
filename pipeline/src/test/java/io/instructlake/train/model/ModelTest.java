package io.instructlake.train.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Model correctness: gradients vs finite differences, causality, padding, RoPE, attention. */
class ModelTest {
  static NDManager manager;

  @BeforeAll
  static void start() {
    manager = NDManager.newBaseManager();
  }

  @AfterAll
  static void stop() {
    manager.close();
  }

  static LlamaConfig tiny(String arch, boolean tied) {
    return LlamaConfig.builder()
        .optArchitecture(arch)
        .setVocabSize(13)
        .setHiddenSize(8)
        .setIntermediateSize(12)
        .setNumLayers(2)
        .setNumHeads(4)
        .optNumKvHeads(2)
        .optTieWordEmbeddings(tied)
        .optInitializerRange(0.3)
        .build();
  }

  /** Two rows: row 0 packs two examples, row 1 is one example plus padding. */
  static Batch packedBatch() {
    int t = 7;
    long[] ids = {3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 2, 1, 0, 0};
    long[] pos = {0, 1, 2, 3, 0, 1, 2, 0, 1, 2, 3, 4, 0, 0};
    int[] seg = {1, 1, 1, 1, 2, 2, 2, 1, 1, 1, 1, 1, 0, 0};
    long[] tgt = {4, 5, 6, 0, 8, 9, 0, 11, 12, 2, 1, 0, 0, 0};
    float[] lm = {1, 1, 1, 0, 1, 1, 0, 0, 1, 1, 1, 0, 0, 0};
    return new Batch(2, t, ids, pos, seg, tgt, lm);
  }

  @Test
  void gradientsMatchFiniteDifferencesInFp64() {
    // fp64 (DJL's PyTorch engine supports it on CPU): central differences with h = 1e-6 agree with
    // autograd to ~1e-9; we require |fd - ad| <= 1e-6 * max(1, |ad|) for every sampled entry of
    // every parameter (embedding, norms, q/k/v/o with bias, gate/up/down, final norm, LM head,
    // LoRA).
    try (LlamaModel m =
        LlamaModel.create(tiny(LlamaConfig.QWEN2, false), manager, DataType.FLOAT64, 7)) {
      m.addLora(new LoraConfig(2, 4, 0, false, List.of("q_proj", "v_proj", "down_proj")), 3, null);
      Random r = new Random(5);
      for (String k : m.loraState().keySet()) {
        if (k.contains("lora_B")) {
          HostTensor b = m.loraState().get(k);
          float[] v = new float[b.data().length];
          for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian() * 0.3f;
          }
          m.load(k, new HostTensor(v, b.shape()));
        }
      }
      // Biases start at 0; give them values so their gradient path is exercised fully.
      for (String k : m.baseState().keySet()) {
        if (k.endsWith(".bias")) {
          HostTensor b = m.baseState().get(k);
          float[] v = new float[b.data().length];
          for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian() * 0.3f;
          }
          m.load(k, new HostTensor(v, b.shape()));
        }
      }
      m.setTrainable(n -> true);
      Batch b = packedBatch();
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray loss = m.loss(b, null);
        gc.backward(loss);
      }
      int checked = 0;
      for (Map.Entry<String, NDArray> e : m.allParameters().entrySet()) {
        NDArray p = e.getValue();
        double[] grad = p.getGradient().toDoubleArray();
        int n = grad.length;
        for (int s = 0; s < 3; s++) {
          int idx = r.nextInt(n);
          double h = 1e-6;
          double plus = lossAfter(m, p, idx, h, b);
          double minus = lossAfter(m, p, idx, -h, b);
          double fd = (plus - minus) / (2 * h);
          assertEquals(
              grad[idx], fd, 1e-6 * Math.max(1, Math.abs(grad[idx])), e.getKey() + "[" + idx + "]");
          checked++;
        }
      }
      assertTrue(checked >= 3 * 20, "checked " + checked);
    }
  }

  private static double lossAfter(LlamaModel m, NDArray p, int idx, double h, Batch b) {
    double[] d = new double[Math.toIntExact(p.size())];
    d[idx] = h;
    try (NDManager tmp = manager.newSubManager()) {
      NDArray delta = tmp.create(d, p.getShape());
      p.addi(delta);
      double l;
      try (NDManager fw = m.manager().newSubManager()) {
        l = m.loss(b, null).toDoubleArray()[0];
      }
      p.subi(delta);
      return l;
    }
  }

  @Test
  void theModelIsATreeOfDjlBlocksOverTheHfParameters() {
    try (LlamaModel m =
        LlamaModel.create(tiny(LlamaConfig.QWEN2, false), manager, DataType.FLOAT32, 1)) {
      m.addLora(new LoraConfig(2, 4, 0, false, List.of("q_proj", "up_proj")), 3, null);
      ai.djl.nn.Block root = m.block();
      // HF's module tree: embed_tokens, layers.0..1, norm, lm_head; a layer holds the two norms,
      // self_attn (q/k/v/o) and mlp (gate/up/down).
      List<Class<?>> top = new ArrayList<>();
      root.getChildren().values().forEach(c -> top.add(c.getClass()));
      assertEquals(
          List.of(
              EmbeddingBlock.class,
              DecoderLayerBlock.class,
              DecoderLayerBlock.class,
              RmsNormBlock.class,
              ProjectionBlock.class),
          top);
      List<Class<?>> layer = new ArrayList<>();
      ((LlamaBlock) root).layer(0).getChildren().values().forEach(c -> layer.add(c.getClass()));
      assertEquals(
          List.of(RmsNormBlock.class, AttentionBlock.class, RmsNormBlock.class, MlpBlock.class),
          layer);
      // The blocks hold exactly the model's parameters (the same arrays), under their HF names.
      Map<String, NDArray> all = m.allParameters();
      Map<String, ai.djl.nn.Parameter> tree = ((HfBlock) root).hfParameters();
      assertEquals(new HashSet<>(all.keySet()), tree.keySet());
      assertEquals(all.size(), root.getParameters().size());
      for (Map.Entry<String, NDArray> e : all.entrySet()) {
        assertSame(e.getValue(), tree.get(e.getKey()).getArray(), e.getKey());
      }
      assertEquals(new Shape(2, 7, 13), root.getOutputShapes(new Shape[] {new Shape(2, 7)})[0]);
      // A block run outside LlamaModel.logits says what it needs.
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () ->
                  root.forward(
                      new ai.djl.training.ParameterStore(manager, false),
                      new ai.djl.ndarray.NDList(manager.zeros(new Shape(1, 2), DataType.INT64)),
                      false));
      assertTrue(e.getMessage().contains("ForwardContext"), e.getMessage());
    }
  }

  @Test
  void changingAFutureTokenLeavesEarlierLogitsUnchanged() {
    try (LlamaModel m =
        LlamaModel.create(tiny(LlamaConfig.LLAMA, true), manager, DataType.FLOAT32, 1)) {
      float[] a = m.logits(Batch.ofRows(new long[][] {{3, 4, 5, 6, 7, 8}}), null).toFloatArray();
      float[] b = m.logits(Batch.ofRows(new long[][] {{3, 4, 5, 9, 7, 8}}), null).toFloatArray();
      int v = 13;
      for (int i = 0; i < 3 * v; i++) {
        assertEquals(a[i], b[i], 0f, "position " + i / v);
      }
      boolean changed = false;
      for (int i = 3 * v; i < 4 * v; i++) {
        changed |= a[i] != b[i];
      }
      assertTrue(changed, "the changed token's own logits must change");
    }
  }

  @Test
  void paddingAndPackingDoNotChangeRealTokenLogits() {
    try (LlamaModel m =
        LlamaModel.create(tiny(LlamaConfig.QWEN2, false), manager, DataType.FLOAT32, 2)) {
      int v = 13;
      float[] alone1 = m.logits(Batch.ofRows(new long[][] {{3, 4, 5, 6}}), null).toFloatArray();
      float[] alone2 = m.logits(Batch.ofRows(new long[][] {{7, 8, 9}}), null).toFloatArray();
      // Padded next to a longer row.
      float[] padded =
          m.logits(Batch.ofRows(new long[][] {{7, 8, 9}, {3, 4, 5, 6, 1, 2, 3}}), null)
              .toFloatArray();
      for (int i = 0; i < 3 * v; i++) {
        assertEquals(alone2[i], padded[i], 1e-5f, "padded slot " + i);
      }
      // Packed: both examples in one row, segments 1 and 2, positions restarting.
      Batch packed =
          new Batch(
              1,
              8,
              new long[] {3, 4, 5, 6, 7, 8, 9, 0},
              new long[] {0, 1, 2, 3, 0, 1, 2, 0},
              new int[] {1, 1, 1, 1, 2, 2, 2, 0},
              new long[8],
              new float[8]);
      float[] p = m.logits(packed, null).toFloatArray();
      for (int i = 0; i < 4 * v; i++) {
        assertEquals(alone1[i], p[i], 1e-5f, "packed first example slot " + i);
      }
      for (int i = 0; i < 3 * v; i++) {
        assertEquals(alone2[i], p[4 * v + i], 1e-5f, "packed second example slot " + i);
      }
    }
  }

  @Test
  void ropeMatchesClosedFormRotation() {
    LlamaConfig c =
        LlamaConfig.builder()
            .setVocabSize(5)
            .setHiddenSize(12)
            .setIntermediateSize(4)
            .setNumLayers(1)
            .setNumHeads(2)
            .optRopeTheta(500.0)
            .build();
    try (LlamaModel m = LlamaModel.create(c, manager, DataType.FLOAT64, 1)) {
      int d = 6;
      long[] pos = {0, 3, 17};
      Batch b = new Batch(1, 3, new long[3], pos, new int[] {1, 1, 1}, new long[3], new float[3]);
      NDArray[] tab = m.ropeTables(b);
      Random r = new Random(9);
      double[] x = new double[3 * d];
      for (int i = 0; i < x.length; i++) {
        x[i] = r.nextGaussian();
      }
      NDArray xs = manager.create(x, new Shape(1, 1, 1, 3, d));
      double[] got = LlamaModel.applyRope(xs, tab[0], tab[1]).toDoubleArray();
      for (int t = 0; t < 3; t++) {
        for (int i = 0; i < d / 2; i++) {
          double ang = pos[t] / Math.pow(500.0, 2.0 * i / d);
          double a = x[t * d + i];
          double bb = x[t * d + i + d / 2];
          // The pair (x_i, x_{i+d/2}) is rotated by angle pos * theta^(-2i/d).
          assertEquals(a * Math.cos(ang) - bb * Math.sin(ang), got[t * d + i], 1e-6);
          assertEquals(bb * Math.cos(ang) + a * Math.sin(ang), got[t * d + i + d / 2], 1e-6);
        }
      }
    }
  }

  @Test
  void groupedQueryAttentionMatchesPlainJavaReference() {
    LlamaConfig c = tiny(LlamaConfig.LLAMA, false);
    try (LlamaModel m = LlamaModel.create(c, manager, DataType.FLOAT64, 4)) {
      int t = 3;
      int h = 8;
      int d = 2;
      Random r = new Random(3);
      double[] x = new double[t * h];
      for (int i = 0; i < x.length; i++) {
        x[i] = r.nextGaussian();
      }
      // Positions all 0 make RoPE the identity, so the reference needs no rotation.
      Batch b =
          new Batch(1, t, new long[t], new long[t], new int[] {1, 1, 1}, new long[t], new float[t]);
      NDArray[] rope = m.ropeTables(b);
      NDArray xs = manager.create(x, new Shape(1, t, h));
      double[] got =
          m.attention("model.layers.0.self_attn.", xs, rope[0], rope[1], m.attentionMask(b), null)
              .toDoubleArray();
      Map<String, HostTensor> w = m.baseState();
      double[] q = matT(x, w.get("model.layers.0.self_attn.q_proj.weight"), t);
      double[] k = matT(x, w.get("model.layers.0.self_attn.k_proj.weight"), t);
      double[] v = matT(x, w.get("model.layers.0.self_attn.v_proj.weight"), t);
      int heads = 4;
      int kvHeads = 2;
      double[] ctx = new double[t * heads * d];
      for (int hd = 0; hd < heads; hd++) {
        int kvh = hd / (heads / kvHeads);
        for (int i = 0; i < t; i++) {
          double[] s = new double[i + 1];
          double max = -1e300;
          for (int j = 0; j <= i; j++) {
            double dot = 0;
            for (int e = 0; e < d; e++) {
              dot += q[i * heads * d + hd * d + e] * k[j * kvHeads * d + kvh * d + e];
            }
            s[j] = dot / Math.sqrt(d);
            max = Math.max(max, s[j]);
          }
          double z = 0;
          for (int j = 0; j <= i; j++) {
            s[j] = Math.exp(s[j] - max);
            z += s[j];
          }
          for (int j = 0; j <= i; j++) {
            for (int e = 0; e < d; e++) {
              ctx[i * heads * d + hd * d + e] += s[j] / z * v[j * kvHeads * d + kvh * d + e];
            }
          }
        }
      }
      double[] want = matT(ctx, w.get("model.layers.0.self_attn.o_proj.weight"), t);
      for (int i = 0; i < want.length; i++) {
        assertEquals(want[i], got[i], 1e-5, "slot " + i);
      }
    }
  }

  /** x (t, in) times W^T for W (out, in). */
  static double[] matT(double[] x, HostTensor w, int t) {
    int out = (int) w.shape()[0];
    int in = (int) w.shape()[1];
    double[] y = new double[t * out];
    for (int i = 0; i < t; i++) {
      for (int o = 0; o < out; o++) {
        double s = 0;
        for (int e = 0; e < in; e++) {
          s += x[i * in + e] * w.data()[o * in + e];
        }
        y[i * out + o] = s;
      }
    }
    return y;
  }
}
