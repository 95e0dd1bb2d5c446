package io.instructlake.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.instructlake.train.data.SftEncoder;
import io.instructlake.train.model.Batch;
import io.instructlake.train.model.LlamaConfig;
import io.instructlake.train.model.LlamaModel;
import java.util.List;
import org.junit.jupiter.api.Test;

class PerplexityTest {
  @Test
  void matchesSoftmaxOfLogitsComputedInJava() {
    LlamaConfig c =
        LlamaConfig.builder()
            .setVocabSize(11)
            .setHiddenSize(8)
            .setIntermediateSize(8)
            .setNumLayers(1)
            .setNumHeads(2)
            .optInitializerRange(0.5)
            .build();
    SftEncoder.Encoded a =
        new SftEncoder.Encoded(new long[] {3, 4, 5, 6}, new boolean[] {false, false, true, true});
    SftEncoder.Encoded b = new SftEncoder.Encoded(new long[] {7, 8}, new boolean[] {false, true});
    try (NDManager nd = NDManager.newBaseManager();
        LlamaModel m = LlamaModel.create(c, nd, DataType.FLOAT32, 1)) {
      double ppl = Perplexity.of(m, List.of(a, b), 1, 16);
      // Independent: -log softmax of each trained target from the raw logits of each sequence.
      double nll = 0;
      nll += nll(m.logits(Batch.ofRows(new long[][] {{3, 4, 5}}), null).toFloatArray(), 1, 5, 11);
      nll += nll(m.logits(Batch.ofRows(new long[][] {{3, 4, 5}}), null).toFloatArray(), 2, 6, 11);
      nll += nll(m.logits(Batch.ofRows(new long[][] {{7}}), null).toFloatArray(), 0, 8, 11);
      assertEquals(Math.exp(nll / 3), ppl, 1e-4 * ppl);
    }
  }

  private static double nll(float[] logits, int slot, int target, int v) {
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < v; i++) {
      max = Math.max(max, logits[slot * v + i]);
    }
    double z = 0;
    for (int i = 0; i < v; i++) {
      z += Math.exp(logits[slot * v + i] - max);
    }
    return -(logits[slot * v + target] - max - Math.log(z));
  }
}
