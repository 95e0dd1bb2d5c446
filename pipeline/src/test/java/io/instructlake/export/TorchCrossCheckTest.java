package io.instructlake.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.google.gson.Gson;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.instructlake.train.model.Batch;
import io.instructlake.train.model.HostTensor;
import io.instructlake.train.model.LlamaConfig;
import io.instructlake.train.model.LlamaModel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exports a model and has the independent PyTorch implementation in {@code
 * benchmarks/torch_reference.py} load the HF directory and recompute the logits. Skips (with the
 * reason) where Debian's python3-torch is not installed.
 */
class TorchCrossCheckTest {
  @TempDir Path dir;

  @Test
  void llamaUntiedMatchesPytorchReference() throws Exception {
    crossCheck(LlamaConfig.LLAMA, false);
  }

  @Test
  void qwen2WithQkvBiasAndTiedEmbeddingsMatchesPytorchReference() throws Exception {
    crossCheck(LlamaConfig.QWEN2, true);
  }

  private void crossCheck(String arch, boolean tied) throws Exception {
    Path script = Path.of("../benchmarks/torch_reference.py");
    boolean torch =
        Files.exists(Path.of("/usr/bin/python3"))
            && new ProcessBuilder("/usr/bin/python3", "-c", "import torch").start().waitFor() == 0;
    assumeTrue(torch && Files.exists(script), "skipped: /usr/bin/python3 with torch not installed");
    LlamaConfig c =
        LlamaConfig.builder()
            .optArchitecture(arch)
            .optTieWordEmbeddings(tied)
            .setVocabSize(50)
            .setHiddenSize(32)
            .setIntermediateSize(48)
            .setNumLayers(2)
            .setNumHeads(4)
            .optNumKvHeads(2)
            .optRopeTheta(500.0)
            .optRmsNormEps(1e-5)
            .optInitializerRange(0.2)
            .build();
    long[] ids = {3, 17, 42, 8, 8, 29, 1, 49, 33, 12};
    try (NDManager nd = NDManager.newBaseManager();
        LlamaModel m = LlamaModel.create(c, nd, DataType.FLOAT32, 11)) {
      // Give the (zero-initialized) biases values so the check covers them.
      for (Map.Entry<String, HostTensor> e : m.baseState().entrySet()) {
        if (e.getKey().endsWith(".bias")) {
          float[] v = new float[e.getValue().data().length];
          for (int i = 0; i < v.length; i++) {
            v[i] = (float) Math.sin(i + e.getKey().length());
          }
          m.load(e.getKey(), new HostTensor(v, e.getValue().shape()));
        }
      }
      float[] logits = m.logits(Batch.ofRows(new long[][] {ids}), null).toFloatArray();
      HfExport.writeModel(dir.resolve("hf"), c, m.baseState(), null, Provenance.create());
      Files.writeString(
          dir.resolve("probe.json"), new Gson().toJson(Map.of("ids", ids, "logits", logits)));
      Process p =
          new ProcessBuilder(
                  "/usr/bin/python3",
                  script.toString(),
                  "--check",
                  dir.resolve("hf").toString(),
                  dir.resolve("probe.json").toString())
              .redirectErrorStream(true)
              .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      assertEquals(0, p.waitFor(), out);
      JsonObject r =
          JsonParser.parseString(out.substring(out.lastIndexOf('\n') + 1)).getAsJsonObject();
      double diff = r.get("max_abs_diff").getAsDouble();
      assertTrue(r.get("max_abs_logit").getAsDouble() > 0.1, out);
      assertTrue(diff < 1e-4, "max |logit diff| vs PyTorch " + diff);
    }
  }
}
