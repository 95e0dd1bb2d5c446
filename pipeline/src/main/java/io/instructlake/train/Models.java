package io.instructlake.train;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.instructlake.PipelineException;
import io.instructlake.train.model.LlamaConfig;
import io.instructlake.train.model.LlamaModel;
import io.instructlake.train.model.Safetensors;
import java.nio.file.Path;

/**
 * The one place a training model is built: the model every worker and every rank starts from (the
 * same seed, or the same base checkpoint), and the vocabulary size it needs.
 */
public final class Models {
  private Models() {}

  /**
   * {@code train.base-model = random}: a random-init model of {@code train.model.*} with {@code
   * vocab} tokens from {@code train.seed}; otherwise the HF checkpoint in that directory.
   */
  public static LlamaModel build(TrainSettings s, int vocab, NDManager nd) {
    if ("random".equals(s.baseModel())) {
      return LlamaModel.create(s.randomModelConfig(vocab), nd, DataType.FLOAT32, s.seed());
    }
    Path dir = Path.of(s.baseModel());
    return LlamaModel.fromTensors(
        LlamaConfig.read(dir), nd, DataType.FLOAT32, Safetensors.readDir(dir));
  }

  /** Vocabulary size of a tokenizer.json text: the largest id of vocab or added tokens, plus 1. */
  public static int vocabSize(String tokenizerJson) {
    try {
      JsonObject o = JsonParser.parseString(tokenizerJson).getAsJsonObject();
      int max = -1;
      for (var e : o.getAsJsonObject("model").getAsJsonObject("vocab").entrySet()) {
        max = Math.max(max, e.getValue().getAsInt());
      }
      if (o.has("added_tokens")) {
        for (var e : o.getAsJsonArray("added_tokens")) {
          max = Math.max(max, e.getAsJsonObject().get("id").getAsInt());
        }
      }
      return max + 1;
    } catch (RuntimeException e) {
      throw new PipelineException(
          "Cannot read the vocabulary of the tokenizer",
          String.valueOf(e.getMessage()),
          "use a tokenizer.json with a vocab (WordLevel, BPE or WordPiece model)",
          e);
    }
  }
}
