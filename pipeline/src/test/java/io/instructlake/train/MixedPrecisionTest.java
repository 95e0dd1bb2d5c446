package io.instructlake.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.instructlake.train.model.Batch;
import io.instructlake.train.model.LlamaModel;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Mixed precision over fp32 master weights. The user-facing type is bf16, which only runs on a GPU
 * (a bf16 array crashes DJL on CPU); the machinery is type-generic, so on CPU it is checked with
 * fp16, which DJL's PyTorch engine runs there. The reference is the same model in plain fp32.
 */
class MixedPrecisionTest {
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
  void bf16OnCpuIsRefusedBeforeAnyBf16ArrayExists() {
    try (LlamaModel m = LlamaModel.create(TrainerTest.small(), manager, DataType.FLOAT32, 1)) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> m.setComputeType(DataType.BFLOAT16));
      assertTrue(e.getMessage().contains("needs a GPU"), e.getMessage());
      assertThrows(IllegalArgumentException.class, () -> m.setComputeType(DataType.INT8));
      assertEquals(DataType.FLOAT32, m.computeType());
    }
    try (LlamaModel m64 = LlamaModel.create(TrainerTest.small(), manager, DataType.FLOAT64, 1)) {
      assertThrows(IllegalArgumentException.class, () -> m64.setComputeType(DataType.FLOAT16));
    }
  }

  @Test
  void halfComputeMatchesFp32WithinHalfPrecisionAndKeepsFp32Gradients() {
    Batch b = TrainerTest.randomBatch(3, 8, 21);
    try (LlamaModel ref = LlamaModel.create(TrainerTest.small(), manager, DataType.FLOAT32, 4);
        LlamaModel half = LlamaModel.create(TrainerTest.small(), manager, DataType.FLOAT32, 4)) {
      half.setComputeType(DataType.FLOAT16);
      float[] want = ref.logits(b, null).toFloatArray();
      NDArray got = half.logits(b, null);
      assertEquals(DataType.FLOAT32, got.getDataType(), "logits are returned in fp32");
      float[] g = got.toFloatArray();
      double maxAbs = 0;
      double maxDiff = 0;
      for (int i = 0; i < want.length; i++) {
        maxAbs = Math.max(maxAbs, Math.abs(want[i]));
        maxDiff = Math.max(maxDiff, Math.abs(want[i] - g[i]));
      }
      // fp16 keeps 11 significant bits (relative step 2^-10 ~ 1e-3); a few roundings per layer.
      assertTrue(maxDiff > 0, "the half path really computed in half precision");
      assertTrue(maxDiff < 5e-3 * maxAbs, "max |diff| " + maxDiff + " of max " + maxAbs);

      // Gradients reach the fp32 masters and point the same way as fp32's.
      TrainerOptions o = TrainerOptions.builder().setTotalSteps(3).build();
      try (Trainer tr = new Trainer(ref, o);
          Trainer th = new Trainer(half, o)) {
        float lossRef = tr.computeGradients(b);
        float lossHalf = th.computeGradients(b);
        assertEquals(lossRef, lossHalf, 5e-3 * Math.abs(lossRef));
        for (String name : ref.allParameters().keySet()) {
          NDArray gh = half.allParameters().get(name).getGradient();
          assertEquals(DataType.FLOAT32, gh.getDataType(), name);
        }
        float[] a = tr.gradients();
        float[] h = th.gradients();
        double dot = 0;
        double na = 0;
        double nh = 0;
        for (int i = 0; i < a.length; i++) {
          dot += (double) a[i] * h[i];
          na += (double) a[i] * a[i];
          nh += (double) h[i] * h[i];
        }
        double cosine = dot / Math.sqrt(na * nh);
        assertTrue(cosine > 0.9999, "cosine(fp32 grads, half grads) = " + cosine);
        assertEquals(Math.sqrt(na), Math.sqrt(nh), 0.01 * Math.sqrt(na), "gradient norms");
      }
    }
  }

  @Test
  void halfComputeTrainsAndTheMastersStayFp32() {
    Batch b = TrainerTest.randomBatch(4, 8, 11);
    TrainerOptions o =
        TrainerOptions.builder()
            .setTotalSteps(40)
            .optLearningRate(3e-2)
            .optWarmupSteps(3)
            .optMinLrRatio(0.3)
            .build();
    try (LlamaModel m = LlamaModel.create(TrainerTest.small(), manager, DataType.FLOAT32, 5);
        Trainer t = new Trainer(m, o)) {
      m.setComputeType(DataType.FLOAT16);
      float first = t.computeGradients(b);
      t.applyUpdate();
      int arraysBefore = TrainerTest.countArrays(m.manager());
      float last = first;
      for (int s = 1; s < 40; s++) {
        last = t.computeGradients(b);
        t.applyUpdate();
      }
      assertTrue(last < 0.5 * first, "loss " + first + " -> " + last);
      assertEquals(arraysBefore, TrainerTest.countArrays(m.manager()), "arrays leaked per step");
      for (Map.Entry<String, NDArray> e : m.allParameters().entrySet()) {
        assertEquals(DataType.FLOAT32, e.getValue().getDataType(), e.getKey());
      }
    }
  }
}
