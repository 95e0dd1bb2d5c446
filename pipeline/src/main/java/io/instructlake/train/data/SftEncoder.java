package io.instructlake.train.data;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import io.instructlake.PipelineException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns conversations into token ids with a per-token trainable flag, through an HF {@code
 * tokenizer.json} loaded by DJL. Each template piece is encoded on its own and the ids
 * concatenated, so the loss mask follows piece boundaries exactly (prompt pieces carry no loss;
 * every assistant turn of a multi-turn conversation does). Sequences longer than {@code maxLen + 1}
 * tokens are truncated on the right.
 */
public final class SftEncoder implements AutoCloseable {
  private final HuggingFaceTokenizer tokenizer;
  private final ChatTemplate template;
  private final int maxLen;

  /** One encoded example: {@code ids} and, per id, whether predicting it carries loss. */
  public record Encoded(long[] ids, boolean[] trainable) {
    /** Number of tokens that carry loss. */
    public int trainableTokens() {
      int n = 0;
      for (boolean b : trainable) {
        if (b) {
          n++;
        }
      }
      return n;
    }
  }

  public SftEncoder(Path tokenizerJson, ChatTemplate template, int maxLen) {
    if (maxLen < 2) {
      throw new IllegalArgumentException("max sequence length must be >= 2, got " + maxLen);
    }
    try {
      this.tokenizer = plainTokenizer(tokenizerJson);
    } catch (IOException | RuntimeException e) {
      throw new PipelineException(
          "Cannot load tokenizer " + tokenizerJson,
          e.getMessage(),
          "point train.tokenizer at a valid tokenizer.json",
          e);
    }
    this.template = template;
    this.maxLen = maxLen;
  }

  /**
   * Loads {@code tokenizerJson} through DJL as a plain text-to-ids tokenizer: no special tokens
   * added, no truncation, no padding (the templates place special tokens themselves).
   */
  public static HuggingFaceTokenizer plainTokenizer(Path tokenizerJson) throws IOException {
    return HuggingFaceTokenizer.builder()
        .optTokenizerPath(tokenizerJson)
        .optAddSpecialTokens(false)
        .optTruncation(false)
        .optPadding(false)
        .build();
  }

  public HuggingFaceTokenizer tokenizer() {
    return tokenizer;
  }

  /** Ids of a text with no special tokens added. */
  public long[] ids(String text) {
    return tokenizer.encode(text, false, false).getIds();
  }

  /**
   * Encodes a conversation (truncated to {@code maxLen + 1} tokens: the model reads the first
   * maxLen and predicts the last maxLen).
   */
  public Encoded encode(String system, List<ChatTemplate.Message> messages) {
    List<Long> ids = new ArrayList<>();
    List<Boolean> train = new ArrayList<>();
    for (ChatTemplate.Piece p : template.render(system, messages)) {
      for (long id : ids(p.text())) {
        ids.add(id);
        train.add(p.trainable());
      }
    }
    int n = Math.min(ids.size(), maxLen + 1);
    long[] a = new long[n];
    boolean[] t = new boolean[n];
    for (int i = 0; i < n; i++) {
      a[i] = ids.get(i);
      t[i] = train.get(i);
    }
    return new Encoded(a, t);
  }

  /** Encodes a single prompt/response pair. */
  public Encoded encode(String system, String prompt, String response) {
    return encode(
        system,
        List.of(
            new ChatTemplate.Message("user", prompt),
            new ChatTemplate.Message("assistant", response)));
  }

  public int maxLen() {
    return maxLen;
  }

  @Override
  public void close() {
    tokenizer.close();
  }
}
