package io.instructlake.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.instructlake.PipelineException;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Column and role-tag mapping of one dataset, as LLaMA-Factory's {@code dataset_info.json} declares
 * it ({@code formatting}, {@code columns}, {@code tags}). The defaults are LLaMA-Factory's: alpaca
 * columns instruction/input/output/system/history, sharegpt column conversations with from/value
 * and tags human/gpt/observation/function_call/system.
 */
public final class DatasetMapping implements Serializable {
  private static final long serialVersionUID = 1L;

  final SourceFormat formatting;
  final String prompt;
  final String query;
  final String response;
  final String history;
  final String system;
  final String messages;
  final String tools;
  final String roleTag;
  final String contentTag;
  final String userTag;
  final String assistantTag;
  final String observationTag;
  final String functionTag;
  final String systemTag;

  /** True when the mapping came from dataset_info.json (then the formatting is not guessed). */
  final boolean declared;

  /**
   * A declared alpaca dataset with a prompt column and no response column is pre-training text
   * (e.g. LLaMA-Factory's c4_demo: {@code "columns": {"prompt": "text"}}).
   */
  final boolean promptOnly;

  private DatasetMapping(JsonNode entry, boolean declared) {
    this.declared = declared;
    JsonNode cols = entry == null ? null : entry.get("columns");
    JsonNode tags = entry == null ? null : entry.get("tags");
    String fmt = text(entry, "formatting", "alpaca");
    this.formatting = "sharegpt".equals(fmt) ? SourceFormat.SHAREGPT : SourceFormat.ALPACA;
    this.prompt = text(cols, "prompt", "instruction");
    this.query = text(cols, "query", "input");
    this.response = text(cols, "response", "output");
    this.history = text(cols, "history", "history");
    this.system = text(cols, "system", "system");
    this.messages = text(cols, "messages", "conversations");
    this.tools = text(cols, "tools", "tools");
    this.roleTag = text(tags, "role_tag", "from");
    this.contentTag = text(tags, "content_tag", "value");
    this.userTag = text(tags, "user_tag", "human");
    this.assistantTag = text(tags, "assistant_tag", "gpt");
    this.observationTag = text(tags, "observation_tag", "observation");
    this.functionTag = text(tags, "function_tag", "function_call");
    this.systemTag = text(tags, "system_tag", "system");
    this.promptOnly =
        declared
            && formatting == SourceFormat.ALPACA
            && cols != null
            && cols.has("prompt")
            && !cols.has("response");
  }

  /** LLaMA-Factory's defaults, with the format detected per record. */
  public static DatasetMapping defaults() {
    return new DatasetMapping(null, false);
  }

  /** The mapping declared by one dataset_info.json entry. */
  public static DatasetMapping fromEntry(JsonNode entry) {
    return new DatasetMapping(entry, true);
  }

  /**
   * Reads a dataset_info.json: returns file name to mapping for every entry that has a {@code
   * file_name} (entries pointing at hubs are ignored).
   */
  public static Map<String, DatasetMapping> readDatasetInfo(InputStream in, String source) {
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(in);
    } catch (IOException e) {
      throw new PipelineException(
          "Cannot read dataset_info " + source,
          e.getMessage(),
          "point input.dataset-info at a valid LLaMA-Factory dataset_info.json",
          e);
    }
    if (root == null || !root.isObject()) {
      throw new PipelineException(
          "Cannot read dataset_info " + source,
          "the top level is not a JSON object",
          "point input.dataset-info at a valid LLaMA-Factory dataset_info.json");
    }
    Map<String, DatasetMapping> out = new HashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode file = e.getValue().get("file_name");
      if (file != null && file.isTextual()) {
        out.put(file.asText(), fromEntry(e.getValue()));
      }
    }
    return out;
  }

  /** Reads one named entry of a dataset_info.json. */
  public static DatasetMapping readEntry(InputStream in, String source, String name) {
    try {
      JsonNode root = new ObjectMapper().readTree(in);
      JsonNode entry = root == null ? null : root.get(name);
      if (entry == null) {
        throw new PipelineException(
            "No entry '" + name + "' in dataset_info " + source,
            "the file has no such key",
            "set input.dataset-name to one of its top-level keys");
      }
      return fromEntry(entry);
    } catch (IOException e) {
      throw new PipelineException(
          "Cannot read dataset_info " + source, e.getMessage(), "check input.dataset-info", e);
    }
  }

  private static String text(JsonNode node, String field, String dflt) {
    if (node == null) {
      return dflt;
    }
    JsonNode v = node.get(field);
    return v != null && v.isTextual() ? v.asText() : dflt;
  }
}
