package io.instructlake.export;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.instructlake.train.model.Batch;
import io.instructlake.train.model.LlamaConfig;
import io.instructlake.train.model.LlamaModel;
import io.instructlake.train.model.Safetensors;
import java.nio.file.Path;

/**
 * The logits this engine computes for an HF model directory (loaded the way training loads a base
 * model: {@code config.json} and safetensors by HF names, fp32 on CPU), so an export can be
 * compared with another runtime on the same token ids ({@code bin/pipeline logits}; {@code
 * python/verify-export.sh} compares them with {@code transformers}).
 */
public final class HfLogits {
  private HfLogits() {}

  /**
   * Logits {@code [row][position][vocab]} for rows of token ids of equal length.
   *
   * @throws IllegalArgumentException when there are no rows, rows differ in length, or an id is
   *     outside the model's vocabulary
   */
  public static float[][][] of(Path modelDir, long[][] rows) {
    LlamaConfig c = LlamaConfig.read(modelDir);
    if (rows.length == 0 || rows[0].length == 0) {
      throw new IllegalArgumentException("give at least one row of at least one token id");
    }
    int t = rows[0].length;
    for (long[] r : rows) {
      if (r.length != t) {
        throw new IllegalArgumentException(
            "rows must have the same length (got " + t + " and " + r.length + ")");
      }
      for (long id : r) {
        if (id < 0 || id >= c.vocabSize()) {
          throw new IllegalArgumentException(
              "token id "
                  + id
                  + " is outside the vocabulary of "
                  + modelDir
                  + " (0.."
                  + (c.vocabSize() - 1)
                  + ")");
        }
      }
    }
    try (NDManager nd = NDManager.newBaseManager();
        LlamaModel m =
            LlamaModel.fromTensors(c, nd, DataType.FLOAT32, Safetensors.readDir(modelDir))) {
      float[] flat = m.logits(Batch.ofRows(rows), null).toFloatArray();
      int v = c.vocabSize();
      float[][][] out = new float[rows.length][t][v];
      for (int b = 0; b < rows.length; b++) {
        for (int p = 0; p < t; p++) {
          System.arraycopy(flat, (b * t + p) * v, out[b][p], 0, v);
        }
      }
      return out;
    }
  }
}
