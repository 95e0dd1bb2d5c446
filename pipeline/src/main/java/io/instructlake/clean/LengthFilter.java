package io.instructlake.clean;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import io.instructlake.PipelineException;
import io.instructlake.train.data.SftEncoder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Length bounds per field (prompt, response) in characters (code points) and tokens, with separate
 * bounds for Chinese fields (CJK share of letters and digits at least {@code length.cjk-share}):
 * the usual "responses under 50 characters" rule would drop whole Chinese paragraphs.
 */
public final class LengthFilter {
  /** Prefix of a {@code clean.length.tokenizer} value naming an HF {@code tokenizer.json}. */
  public static final String HF_PREFIX = "hf:";

  private final CleanOptions.Length options;
  private final HuggingFaceTokenizer hf;

  /**
   * @param options the length options; an {@code hf:<path>} tokenizer is loaded here (once per
   *     executor JVM, as {@link CleanPipeline#forOptions} builds one filter per JVM)
   */
  public LengthFilter(CleanOptions.Length options) {
    this.options = options;
    this.hf =
        options.tokenizer().startsWith(HF_PREFIX)
            ? loadHf(Path.of(options.tokenizer().substring(HF_PREFIX.length())))
            : null;
  }

  private static HuggingFaceTokenizer loadHf(Path file) {
    try {
      return SftEncoder.plainTokenizer(file);
    } catch (IOException | RuntimeException e) {
      throw new PipelineException(
          "Cannot load the length tokenizer " + file,
          e.getClass().getSimpleName() + ": " + e.getMessage(),
          "point clean.length.tokenizer at hf:<a tokenizer.json readable on every executor>",
          e);
    }
  }

  /**
   * Token count under the configured tokenizer. {@code mixed}: each CJK ideograph, each run of
   * other letters and digits, and each other non-space symbol is one token (close to what BPE
   * tokenizers give for Chinese and a lower bound for English); {@code whitespace}:
   * whitespace-separated words; {@code hanlp}: HanLP's standard segmentation (words and symbols,
   * spaces excluded); {@code hf:<path>}: the ids of an HF {@code tokenizer.json} through DJL's
   * tokenizers, special tokens not added (the model's own count, e.g. the tokenizer of the model
   * being fine-tuned).
   */
  public int tokens(String s) {
    if (s == null || s.isEmpty()) {
      return 0;
    }
    if (hf != null) {
      return hf.encode(s).getIds().length;
    }
    switch (options.tokenizer()) {
      case "whitespace":
        String t = s.strip();
        return t.isEmpty() ? 0 : t.split("\\s+").length;
      case "hanlp":
        int n = 0;
        for (com.hankcs.hanlp.seg.common.Term term : com.hankcs.hanlp.HanLP.segment(s)) {
          if (!term.word.isBlank()) {
            n++;
          }
        }
        return n;
      default:
        return mixedTokens(s);
    }
  }

  static int mixedTokens(String s) {
    int n = 0;
    boolean inWord = false;
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      i += Character.charCount(cp);
      if (Scripts.isHan(cp)) {
        n++;
        inWord = false;
      } else if (Character.isLetterOrDigit(cp)) {
        if (!inWord) {
          n++;
          inWord = true;
        }
      } else {
        inWord = false;
        if (!Character.isWhitespace(cp)) {
          n++;
        }
      }
    }
    return n;
  }

  /**
   * Null when both fields are within bounds (a null prompt is not checked: text records), else
   * {@code too_short} or {@code too_long}.
   */
  public Drop check(String prompt, String response) {
    Drop d = prompt == null ? null : field("prompt", prompt);
    return d != null ? d : field("response", response);
  }

  private Drop field(String name, String text) {
    String s = text == null ? "" : text;
    boolean zh = Scripts.cjkShare(s) >= options.cjkShare();
    CleanOptions.Bounds b = zh ? options.zh() : options.other();
    boolean prompt = name.equals("prompt");
    int minChars = prompt ? b.promptMinChars() : b.responseMinChars();
    int maxChars = prompt ? b.promptMaxChars() : b.responseMaxChars();
    int minTokens = prompt ? b.promptMinTokens() : b.responseMinTokens();
    int maxTokens = prompt ? b.promptMaxTokens() : b.responseMaxTokens();
    String cls = zh ? "zh" : "other";
    int chars = Scripts.chars(s);
    if (chars < minChars) {
      return drop("too_short", name, cls, "chars", chars, "<", "min-chars", minChars);
    }
    if (chars > maxChars) {
      return drop("too_long", name, cls, "chars", chars, ">", "max-chars", maxChars);
    }
    if (minTokens > 0 || maxTokens < Integer.MAX_VALUE) {
      int tokens = tokens(s);
      if (tokens < minTokens) {
        return drop("too_short", name, cls, "tokens", tokens, "<", "min-tokens", minTokens);
      }
      if (tokens > maxTokens) {
        return drop("too_long", name, cls, "tokens", tokens, ">", "max-tokens", maxTokens);
      }
    }
    return null;
  }

  private static Drop drop(
      String reason, String field, String cls, String unit, int v, String op, String key, int b) {
    return new Drop(
        reason,
        String.format(
            Locale.ROOT,
            "%s %s %d %s clean.length.%s.%s-%s = %d",
            field,
            unit,
            v,
            op,
            cls,
            field,
            key,
            b));
  }
}
