package io.instructlake.train.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Each DJL block of the decoder on its own, in fp64: the gradient of {@code sum(block(x) * r)} (r
 * fixed random weights) with respect to the block's input and to each of its parameters agrees with
 * central finite differences. (ModelTest checks the whole model the same way.)
 */
class BlockGradientTest {
  private static NDManager manager;

  @BeforeAll
  static void start() {
    manager = NDManager.newBaseManager();
  }

  @AfterAll
  static void stop() {
    manager.close();
  }

  @Test
  void everyBlockMatchesFiniteDifferencesInFp64() {
    try (LlamaModel m =
        LlamaModel.create(
            ModelTest.tiny(LlamaConfig.QWEN2, false), manager, DataType.FLOAT64, 11)) {
      m.addLora(new LoraConfig(2, 4, 0, false, List.of("q_proj", "v_proj", "down_proj")), 3, null);
      Random r = new Random(8);
      // LoRA B and the biases start at 0: give them values so every path carries gradient.
      for (Map.Entry<String, HostTensor> e : m.loraState().entrySet()) {
        if (e.getKey().contains("lora_B")) {
          m.load(e.getKey(), randomLike(e.getValue(), r));
        }
      }
      for (Map.Entry<String, HostTensor> e : m.baseState().entrySet()) {
        if (e.getKey().endsWith(".bias")) {
          m.load(e.getKey(), randomLike(e.getValue(), r));
        }
      }
      m.setTrainable(n -> true);
      Batch b = ModelTest.packedBatch();
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        gc.backward(m.loss(b, null)); // every parameter now has a gradient array to read
      }
      NDArray[] rope = m.ropeTables(b);
      PairList<String, Object> params =
          new ForwardContext(m, rope[0], rope[1], m.attentionMask(b), null).asParams();
      LlamaBlock root = (LlamaBlock) m.block();
      DecoderLayerBlock layer = root.layer(1);
      List<Block> inLayer = layer.getChildren().values();
      Map<String, Block> blocks = new LinkedHashMap<>();
      blocks.put("input_layernorm", inLayer.get(0));
      blocks.put("q_proj (bias + LoRA)", root.projections().get("model.layers.1.self_attn.q_proj"));
      blocks.put("down_proj (LoRA)", root.projections().get("model.layers.1.mlp.down_proj"));
      blocks.put("self_attn", layer.attention());
      blocks.put("mlp", inLayer.get(3));
      blocks.put("decoder layer", layer);
      int hidden = m.config().hiddenSize();
      int inner = m.config().intermediateSize();
      int checked = 0;
      for (Map.Entry<String, Block> e : blocks.entrySet()) {
        int width = e.getKey().startsWith("down_proj") ? inner : hidden;
        checked += check(e.getKey(), e.getValue(), params, new Shape(2, 7, width), r);
      }
      assertTrue(checked >= 6 * 3 * 2, "checked " + checked);
    }
  }

  /** Checks the input gradient and every parameter's gradient of one block; returns the count. */
  private static int check(
      String what, Block block, PairList<String, Object> params, Shape in, Random r) {
    ParameterStore store = new ParameterStore(manager, false);
    int checked = 0;
    try (NDManager scope = manager.newSubManager()) {
      NDArray x = scope.randomNormal(0, 1, in, DataType.FLOAT64);
      Shape outShape = run(block, store, x, params).getShape();
      NDArray weights = scope.randomNormal(0, 1, outShape, DataType.FLOAT64);
      Map<String, Parameter> ps = ((HfBlock) block).hfParameters();
      Map<String, double[]> before = new LinkedHashMap<>();
      for (Map.Entry<String, Parameter> p : ps.entrySet()) {
        before.put(p.getKey(), gradientOf(p.getValue().getArray()));
      }
      x.setRequiresGradient(true);
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        gc.backward(run(block, store, x, params).mul(weights).sum());
      }
      double[] gx = gradientOf(x);
      x.setRequiresGradient(false);
      for (int s = 0; s < 3; s++) {
        int idx = r.nextInt(gx.length);
        double fd = finiteDifference(block, store, x, params, weights, x, idx);
        assertEquals(
            gx[idx], fd, 1e-6 * Math.max(1, Math.abs(gx[idx])), what + " input[" + idx + "]");
        checked++;
      }
      for (Map.Entry<String, Parameter> p : ps.entrySet()) {
        NDArray arr = p.getValue().getArray();
        double[] after = gradientOf(arr);
        double[] was = before.get(p.getKey());
        for (int s = 0; s < 3; s++) {
          int idx = r.nextInt(after.length);
          double ad = after[idx] - was[idx]; // gradients accumulate across the blocks' backwards
          double fd = finiteDifference(block, store, x, params, weights, arr, idx);
          assertEquals(
              ad, fd, 1e-6 * Math.max(1, Math.abs(ad)), what + " " + p.getKey() + "[" + idx + "]");
          checked++;
        }
      }
    }
    return checked;
  }

  private static NDArray run(
      Block block, ParameterStore store, NDArray x, PairList<String, Object> params) {
    return block.forward(store, new NDList(x), false, params).singletonOrThrow();
  }

  /** Central difference of {@code sum(block(x) * weights)} in entry {@code idx} of {@code at}. */
  private static double finiteDifference(
      Block block,
      ParameterStore store,
      NDArray x,
      PairList<String, Object> params,
      NDArray weights,
      NDArray at,
      int idx) {
    double h = 1e-6;
    double[] d = new double[Math.toIntExact(at.size())];
    d[idx] = h;
    try (NDManager tmp = manager.newSubManager()) {
      NDArray delta = tmp.create(d, at.getShape());
      at.addi(delta);
      double plus = run(block, store, x, params).mul(weights).sum().getDouble();
      at.subi(delta).subi(delta);
      double minus = run(block, store, x, params).mul(weights).sum().getDouble();
      at.addi(delta);
      return (plus - minus) / (2 * h);
    }
  }

  /**
   * The accumulated gradient of a parameter so far (DJL hands out fp32 zeros for one that no
   * backward has reached yet).
   */
  private static double[] gradientOf(NDArray p) {
    try (NDArray g = p.getGradient();
        NDArray d = g.toType(DataType.FLOAT64, true)) {
      return d.toDoubleArray();
    }
  }

  private static HostTensor randomLike(HostTensor t, Random r) {
    float[] v = new float[t.data().length];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) r.nextGaussian() * 0.3f;
    }
    return new HostTensor(v, t.shape());
  }
}
