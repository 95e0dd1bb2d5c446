package io.instructlake.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.instructlake.train.Trainer;
import io.instructlake.train.TrainerOptions;
import io.instructlake.train.model.Batch;
import io.instructlake.train.model.HostTensor;
import io.instructlake.train.model.LlamaConfig;
import io.instructlake.train.model.LlamaModel;
import io.instructlake.train.model.LoraConfig;
import io.instructlake.train.model.Safetensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HfExportTest {
  @TempDir Path dir;

  static LlamaConfig config() {
    return LlamaConfig.builder()
        .optArchitecture(LlamaConfig.QWEN2)
        .setVocabSize(17)
        .setHiddenSize(16)
        .setIntermediateSize(24)
        .setNumLayers(2)
        .setNumHeads(4)
        .optNumKvHeads(2)
        .optTieWordEmbeddings(true)
        .build();
  }

  static Batch batch() {
    long[] ids = {3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    long[] tgt = {4, 5, 6, 7, 8, 9, 10, 11, 12, 13};
    long[] pos = {0, 1, 2, 3, 4, 0, 1, 2, 3, 4};
    int[] seg = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
    float[] lm = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
    return new Batch(2, 5, ids, pos, seg, tgt, lm);
  }

  @Test
  void hfDirAdapterAndMergedReloadToSameLogits() throws Exception {
    Path tok = dir.resolve("tok.json");
    Files.writeString(tok, "{}");
    LoraConfig lc =
        new LoraConfig(4, 8, 0.0, false, List.of("q_proj", "k_proj", "o_proj", "gate_proj"));
    try (NDManager nd = NDManager.newBaseManager();
        LlamaModel m = LlamaModel.create(config(), nd, DataType.FLOAT32, 1);
        Trainer t =
            new Trainer(
                m,
                TrainerOptions.builder()
                    .setTotalSteps(5)
                    .optLearningRate(1e-2)
                    .optLora(lc)
                    .build())) {
      for (int s = 0; s < 5; s++) {
        t.computeGradients(batch());
        t.applyUpdate();
      }
      Batch probe = Batch.ofRows(new long[][] {{3, 4, 5, 6}, {9, 8}});
      float[] adapted = m.logits(probe, null).toFloatArray();

      // Base model dir + PEFT adapter.
      Path base = dir.resolve("base");
      HfExport.writeModel(base, config(), m.baseState(), tok, Provenance.create().put("seed", 1));
      Path adapterDir = dir.resolve("adapter");
      HfExport.writeAdapter(adapterDir, lc, m.loraState(), "base", Provenance.create());
      Map<String, HostTensor> peft =
          Safetensors.read(adapterDir.resolve("adapter_model.safetensors"));
      HostTensor a = peft.get("base_model.model.model.layers.1.self_attn.q_proj.lora_A.weight");
      HostTensor b = peft.get("base_model.model.model.layers.1.self_attn.k_proj.lora_B.weight");
      assertArrayEquals(new long[] {4, 16}, a.shape(), "lora_A is r x in");
      assertArrayEquals(new long[] {8, 4}, b.shape(), "lora_B is out x r (2 kv heads x 4)");
      assertEquals(2 * 4 * 2, peft.size());
      JsonObject ac =
          JsonParser.parseString(Files.readString(adapterDir.resolve("adapter_config.json")))
              .getAsJsonObject();
      assertEquals("LORA", ac.get("peft_type").getAsString());
      assertEquals(8.0, ac.get("lora_alpha").getAsDouble());
      assertTrue(Files.exists(base.resolve("tokenizer.json")));
      assertTrue(!Safetensors.readDir(base).containsKey("lm_head.weight"), "tied head not stored");
      JsonObject prov =
          JsonParser.parseString(Files.readString(base.resolve("provenance.json")))
              .getAsJsonObject();
      assertEquals(1, prov.get("seed").getAsInt());
      assertTrue(prov.get("djl_version").getAsString().startsWith("0.35"));

      try (LlamaModel reloaded =
          LlamaModel.fromTensors(
              LlamaConfig.read(base), nd, DataType.FLOAT32, Safetensors.readDir(base))) {
        HfExport.Adapter ad = HfExport.readAdapter(adapterDir);
        reloaded.addLora(ad.config(), 0, ad.tensors());
        assertArrayEquals(adapted, reloaded.logits(probe, null).toFloatArray(), 0f);
      }
      // Merged weights in an HF dir give the adapter model's logits.
      Path merged = dir.resolve("merged");
      HfExport.writeModel(merged, config(), m.mergedState(), tok, Provenance.create());
      try (LlamaModel mm =
          LlamaModel.fromTensors(
              LlamaConfig.read(merged), nd, DataType.FLOAT32, Safetensors.readDir(merged))) {
        assertArrayEquals(adapted, mm.logits(probe, null).toFloatArray(), 1e-4f);
      }
    }
  }
}
