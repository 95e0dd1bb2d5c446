package io.instructlake.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.instructlake.train.model.Batch;
import io.instructlake.train.model.LlamaConfig;
import io.instructlake.train.model.LlamaModel;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/pipeline logits} reads an exported directory back and gives the logits of the model
 * that was exported, row by row; bad ids fail naming the id and the vocabulary.
 */
class HfLogitsTest {
  @TempDir Path dir;

  @Test
  void logitsOfAnExportEqualTheExportedModelsAndBadIdsAreRejected() {
    LlamaConfig c =
        LlamaConfig.builder()
            .setVocabSize(40)
            .setHiddenSize(16)
            .setIntermediateSize(24)
            .setNumLayers(2)
            .setNumHeads(4)
            .optNumKvHeads(2)
            .build();
    long[][] rows = {{1, 5, 39, 7}, {0, 0, 12, 3}};
    float[] expected;
    try (NDManager nd = NDManager.newBaseManager();
        LlamaModel m = LlamaModel.create(c, nd, DataType.FLOAT32, 5)) {
      expected = m.logits(Batch.ofRows(rows), null).toFloatArray();
      HfExport.writeModel(dir.resolve("hf"), c, m.baseState(), null, Provenance.create());
    }
    float[][][] got = HfLogits.of(dir.resolve("hf"), rows);
    assertEquals(2, got.length);
    assertEquals(4, got[0].length);
    for (int b = 0; b < 2; b++) {
      for (int p = 0; p < 4; p++) {
        float[] want = new float[40];
        System.arraycopy(expected, (b * 4 + p) * 40, want, 0, 40);
        assertArrayEquals(want, got[b][p], 0f, "row " + b + " position " + p);
      }
    }
    IllegalArgumentException outside =
        assertThrows(
            IllegalArgumentException.class,
            () -> HfLogits.of(dir.resolve("hf"), new long[][] {{1, 40}}));
    assertTrue(
        outside.getMessage().contains("token id 40") && outside.getMessage().contains("0..39"));
    assertThrows(
        IllegalArgumentException.class,
        () -> HfLogits.of(dir.resolve("hf"), new long[][] {{1, 2}, {3}}));
  }
}
