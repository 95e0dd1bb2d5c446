package io.instructlake.train;

import io.instructlake.export.HfExport;
import io.instructlake.export.Provenance;
import io.instructlake.train.model.LlamaModel;
import java.nio.file.Path;

/**
 * The one export step of a training run, shared by the single worker and data-parallel training:
 * {@code hf/} (an HF model directory; LoRA merged into the base weights) and, for LoRA, {@code
 * adapter/} (a PEFT adapter over {@code train.base-model}), each with {@code provenance.json}.
 */
public final class ModelExport {
  private ModelExport() {}

  /** Writes the exports of {@code model} under {@code outDir}; returns the HF directory. */
  public static Path write(
      Path outDir, LlamaModel model, Path tokenizer, TrainSettings s, Provenance prov) {
    Path hf = outDir.resolve("hf");
    HfExport.writeModel(hf, model.config(), model.mergedState(), tokenizer, prov);
    if (model.loraConfig() != null) {
      HfExport.writeAdapter(
          outDir.resolve("adapter"), model.loraConfig(), model.loraState(), s.baseModel(), prov);
    }
    return hf;
  }
}
