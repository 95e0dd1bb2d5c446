package io.instructlake.infer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.instructlake.PipelineException;
import io.instructlake.export.HfExport;
import io.instructlake.train.data.ChatTemplate;
import io.instructlake.train.data.SftEncoder;
import io.instructlake.train.model.LlamaConfig;
import io.instructlake.train.model.LlamaModel;
import io.instructlake.train.model.Safetensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A model ready to generate: an HF model directory (as training exports it, or a base model loaded
 * the way training loads one) in fp32, optionally with a PEFT adapter kept unmerged (so one base
 * serves several adapters), its {@code tokenizer.json}, its end ids and the chat template training
 * used.
 *
 * <p>End ids are the union of {@code generation_config.json}'s {@code eos_token_id} (a number or a
 * list), {@code tokenizer_config.json}'s {@code eos_token}, and the chat template's end marker when
 * it is one token. The template is the one named by {@code --template}, else the one in the
 * directory's {@code provenance.json} ({@code train_config.template}); without either, prompts must
 * be passed raw.
 */
public final class InferenceModel implements AutoCloseable {
  private final NDManager manager;
  private final LlamaModel model;
  private final HuggingFaceTokenizer tokenizer;
  private final Set<Long> endIds;
  private final ChatTemplate template;

  private InferenceModel(
      NDManager manager,
      LlamaModel model,
      HuggingFaceTokenizer tokenizer,
      Set<Long> endIds,
      ChatTemplate template) {
    this.manager = manager;
    this.model = model;
    this.tokenizer = tokenizer;
    this.endIds = endIds;
    this.template = template;
  }

  /**
   * Loads {@code modelDir} (config.json, safetensors, tokenizer.json), and {@code adapterDir} when
   * not null; {@code template} (a template name) overrides the one training recorded.
   *
   * @throws PipelineException naming the file that is missing or unreadable
   */
  public static InferenceModel load(Path modelDir, Path adapterDir, String template) {
    Path tokenizerJson = modelDir.resolve("tokenizer.json");
    if (!Files.isRegularFile(modelDir.resolve("config.json"))) {
      throw new PipelineException(
          "Cannot load model " + modelDir,
          "it has no config.json",
          "pass --model an HF model directory (a training run's <output>/hf)");
    }
    if (!Files.isRegularFile(tokenizerJson)) {
      throw new PipelineException(
          "Cannot load model " + modelDir,
          "it has no tokenizer.json",
          "copy the model's tokenizer.json into the directory");
    }
    LlamaConfig c = LlamaConfig.read(modelDir);
    NDManager nd = NDManager.newBaseManager();
    LlamaModel m = null;
    HuggingFaceTokenizer tok = null;
    try {
      m = LlamaModel.fromTensors(c, nd, DataType.FLOAT32, Safetensors.readDir(modelDir));
      if (adapterDir != null) {
        HfExport.Adapter a = HfExport.readAdapter(adapterDir);
        m.addLora(a.config(), 0L, a.tensors());
      }
      tok = SftEncoder.plainTokenizer(tokenizerJson);
      ChatTemplate t = template(modelDir, adapterDir, template);
      return new InferenceModel(nd, m, tok, endIds(modelDir, tok, t), t);
    } catch (IOException | RuntimeException e) {
      if (tok != null) {
        tok.close();
      }
      nd.close();
      if (e instanceof PipelineException pe) {
        throw pe;
      }
      throw new PipelineException(
          "Cannot load model " + modelDir,
          String.valueOf(e.getMessage()),
          "check the directory",
          e);
    }
  }

  private static ChatTemplate template(Path modelDir, Path adapterDir, String name)
      throws IOException {
    if (name != null && !name.isBlank()) {
      return ChatTemplate.of(name);
    }
    for (Path dir : adapterDir == null ? List.of(modelDir) : List.of(adapterDir, modelDir)) {
      Path prov = dir.resolve("provenance.json");
      if (Files.isRegularFile(prov)) {
        JsonObject p = JsonParser.parseString(Files.readString(prov)).getAsJsonObject();
        JsonElement tc = p.get("train_config");
        if (tc != null && tc.isJsonPrimitive()) {
          JsonObject train = JsonParser.parseString(tc.getAsString()).getAsJsonObject();
          if (train.has("template")) {
            return ChatTemplate.of(train.get("template").getAsString());
          }
        }
      }
    }
    return null;
  }

  private static Set<Long> endIds(Path dir, HuggingFaceTokenizer tok, ChatTemplate t)
      throws IOException {
    Set<Long> ids = new LinkedHashSet<>();
    Path gen = dir.resolve("generation_config.json");
    if (Files.isRegularFile(gen)) {
      JsonElement e =
          JsonParser.parseString(Files.readString(gen)).getAsJsonObject().get("eos_token_id");
      if (e != null && e.isJsonArray()) {
        e.getAsJsonArray().forEach(x -> ids.add(x.getAsLong()));
      } else if (e != null && e.isJsonPrimitive()) {
        ids.add(e.getAsLong());
      }
    }
    Path tc = dir.resolve("tokenizer_config.json");
    if (Files.isRegularFile(tc)) {
      JsonElement e =
          JsonParser.parseString(Files.readString(tc)).getAsJsonObject().get("eos_token");
      String eos =
          e == null || e.isJsonNull()
              ? null
              : e.isJsonObject()
                  ? e.getAsJsonObject().get("content").getAsString()
                  : e.getAsString();
      addSingleToken(ids, tok, eos);
    }
    if (t != null) {
      addSingleToken(ids, tok, t.eos());
    }
    return Set.copyOf(ids);
  }

  private static void addSingleToken(Set<Long> ids, HuggingFaceTokenizer tok, String text) {
    if (text == null || text.isEmpty()) {
      return;
    }
    long[] e = tok.encode(text, false, false).getIds();
    if (e.length == 1) {
      ids.add(e[0]);
    }
  }

  /**
   * The model input for a user prompt: the chat template's rendering of the system prompt and one
   * user turn, ending where the assistant's reply begins (as training rendered it), or the prompt
   * itself when {@code raw}.
   *
   * @throws IllegalStateException when not raw and no template is known
   */
  public String render(String system, String prompt, boolean raw) {
    if (raw) {
      return prompt;
    }
    if (template == null) {
      throw new IllegalStateException(
          "no chat template: the model directory records none; pass --template NAME or --raw");
    }
    StringBuilder b = new StringBuilder();
    for (ChatTemplate.Piece p :
        template.render(system, List.of(new ChatTemplate.Message("user", prompt)))) {
      b.append(p.text());
    }
    return b.toString();
  }

  /** Token ids of a model input (no special tokens added: the template placed them). */
  public long[] encode(String text) {
    return tokenizer.encode(text, false, false).getIds();
  }

  /** Text of generated ids, special tokens left out. */
  public String decode(long[] ids) {
    return tokenizer.decode(ids, true);
  }

  /** A generator over this model, its end ids and its tokenizer. */
  public Generator generator(Generator.Listener listener) {
    return Generator.builder()
        .setModel(model)
        .optEndIds(endIds)
        .optDetokenizer(this::decode)
        .optListener(listener)
        .build();
  }

  public LlamaModel model() {
    return model;
  }

  public Set<Long> endIds() {
    return endIds;
  }

  /** The chat template, or null when none is known. */
  public ChatTemplate template() {
    return template;
  }

  @Override
  public void close() {
    tokenizer.close();
    manager.close();
  }
}
