package io.instructlake.export;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.instructlake.PipelineException;
import io.instructlake.train.model.HostTensor;
import io.instructlake.train.model.LlamaConfig;
import io.instructlake.train.model.LoraConfig;
import io.instructlake.train.model.Safetensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes what Python users load: an HF model directory ({@code config.json}, {@code
 * model.safetensors} or shards with an index, {@code tokenizer.json}) for {@code
 * AutoModelForCausalLM.from_pretrained}, and a PEFT adapter directory ({@code adapter_config.json},
 * {@code adapter_model.safetensors} with PEFT key names {@code
 * base_model.model.model.layers.N.self_attn.q_proj.lora_A.weight}, A of shape r x in, B out x r)
 * for {@code PeftModel.from_pretrained}. A {@code provenance.json} goes beside every export.
 */
public final class HfExport {
  /** PEFT's prefix of adapter keys for a causal LM. */
  public static final String PEFT_PREFIX = "base_model.model.";

  /** Shard size above which weights are split (HF's default is 5 GB; ours is smaller). */
  public static final long SHARD_BYTES = 2L * 1024 * 1024 * 1024;

  private HfExport() {}

  /** Writes an HF model directory (weights must use HF names, e.g. merged weights). */
  public static void writeModel(
      Path dir,
      LlamaConfig config,
      Map<String, HostTensor> weights,
      Path tokenizerJson,
      Provenance provenance) {
    try {
      Files.createDirectories(dir);
      Files.writeString(dir.resolve("config.json"), config.toJson());
      Map<String, HostTensor> w = new LinkedHashMap<>(weights);
      if (config.tieWordEmbeddings()) {
        w.remove("lm_head.weight");
      }
      Safetensors.writeDir(dir, w, SHARD_BYTES);
      if (tokenizerJson != null) {
        Files.copy(
            tokenizerJson, dir.resolve("tokenizer.json"), StandardCopyOption.REPLACE_EXISTING);
        JsonObject tc = new JsonObject();
        tc.addProperty("tokenizer_class", "PreTrainedTokenizerFast");
        tc.addProperty("pad_token", "<pad>");
        tc.addProperty("unk_token", "<unk>");
        Files.writeString(dir.resolve("tokenizer_config.json"), tc.toString());
      }
      provenance.write(dir);
    } catch (IOException e) {
      throw new PipelineException(
          "Cannot export model to " + dir, e.getMessage(), "check the export path", e);
    }
  }

  /** Writes a PEFT LoRA adapter directory from {@code <module>.lora_A.weight}-named tensors. */
  public static void writeAdapter(
      Path dir,
      LoraConfig lora,
      Map<String, HostTensor> adapter,
      String baseModel,
      Provenance provenance) {
    try {
      Files.createDirectories(dir);
      JsonObject c = new JsonObject();
      c.addProperty("peft_type", "LORA");
      c.addProperty("task_type", "CAUSAL_LM");
      c.addProperty("base_model_name_or_path", baseModel);
      c.addProperty("r", lora.r());
      c.addProperty("lora_alpha", lora.alpha());
      c.addProperty("lora_dropout", lora.dropout());
      c.addProperty("use_rslora", lora.rsLora());
      JsonArray targets = new JsonArray();
      lora.targets().forEach(targets::add);
      c.add("target_modules", targets);
      c.addProperty("bias", "none");
      c.addProperty("fan_in_fan_out", false);
      c.addProperty("inference_mode", true);
      c.addProperty("init_lora_weights", true);
      Files.writeString(
          dir.resolve("adapter_config.json"),
          new GsonBuilder().setPrettyPrinting().create().toJson(c));
      Map<String, HostTensor> peft = new LinkedHashMap<>();
      adapter.forEach((k, v) -> peft.put(PEFT_PREFIX + k, v));
      Safetensors.write(dir.resolve("adapter_model.safetensors"), peft);
      provenance.write(dir);
    } catch (IOException e) {
      throw new PipelineException(
          "Cannot export adapter to " + dir, e.getMessage(), "check the export path", e);
    }
  }

  /** A PEFT adapter read back: its settings and tensors under the engine's names. */
  public record Adapter(LoraConfig config, Map<String, HostTensor> tensors) {}

  /** Reads a PEFT adapter directory written by {@link #writeAdapter} (or by PEFT for Llama). */
  public static Adapter readAdapter(Path dir) {
    try {
      JsonObject c =
          JsonParser.parseString(Files.readString(dir.resolve("adapter_config.json")))
              .getAsJsonObject();
      List<String> targets = new ArrayList<>();
      c.getAsJsonArray("target_modules").forEach(e -> targets.add(e.getAsString()));
      LoraConfig lc =
          new LoraConfig(
              c.get("r").getAsInt(),
              c.get("lora_alpha").getAsDouble(),
              c.get("lora_dropout").getAsDouble(),
              c.has("use_rslora") && c.get("use_rslora").getAsBoolean(),
              targets);
      Map<String, HostTensor> t = new LinkedHashMap<>();
      Safetensors.read(dir.resolve("adapter_model.safetensors"))
          .forEach(
              (k, v) ->
                  t.put(
                      (k.startsWith(PEFT_PREFIX) ? k.substring(PEFT_PREFIX.length()) : k)
                          .replace(".lora_A.default.", ".lora_A.")
                          .replace(".lora_B.default.", ".lora_B."),
                      v));
      return new Adapter(lc, t);
    } catch (IOException | RuntimeException e) {
      throw new PipelineException(
          "Cannot read adapter " + dir, String.valueOf(e.getMessage()), "check the adapter dir", e);
    }
  }
}
