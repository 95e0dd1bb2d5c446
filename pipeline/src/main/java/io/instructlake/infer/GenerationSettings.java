package io.instructlake.infer;

import java.util.List;

/**
 * How to pick tokens, with the semantics of HF's {@code generate}: the repetition penalty first
 * (CTRL's: a logit of a token already in the prompt or the output is divided by the penalty when
 * positive, multiplied when negative), then the temperature, then top-k, then top-p (nucleus: the
 * smallest set of most likely tokens whose probability reaches {@code topP}), then a draw.
 *
 * @param maxNewTokens most tokens generated per row
 * @param temperature 0 for greedy decoding (the most likely token, first on ties); else the logits
 *     are divided by it before sampling
 * @param topK keep only the k most likely tokens (0 = all)
 * @param topP keep the nucleus of this probability (1.0 = all)
 * @param repetitionPenalty 1.0 = none
 * @param seed seed of the draws: the same seed, prompt and model give the same tokens
 * @param stopStrings a row ends (finish reason {@code stop}) when its text contains one; the text
 *     is cut before it
 */
public record GenerationSettings(
    int maxNewTokens,
    double temperature,
    int topK,
    double topP,
    double repetitionPenalty,
    long seed,
    List<String> stopStrings) {
  public GenerationSettings {
    if (maxNewTokens < 1) {
      throw new IllegalArgumentException("max_new_tokens must be >= 1, got " + maxNewTokens);
    }
    if (!(temperature >= 0) || Double.isInfinite(temperature)) {
      throw new IllegalArgumentException("temperature must be >= 0, got " + temperature);
    }
    if (topK < 0) {
      throw new IllegalArgumentException("top_k must be >= 0 (0 = off), got " + topK);
    }
    if (!(topP > 0 && topP <= 1)) {
      throw new IllegalArgumentException("top_p must be in (0, 1], got " + topP);
    }
    if (!(repetitionPenalty > 0) || Double.isInfinite(repetitionPenalty)) {
      throw new IllegalArgumentException(
          "repetition_penalty must be > 0 (1 = off), got " + repetitionPenalty);
    }
    stopStrings = List.copyOf(stopStrings);
    for (String s : stopStrings) {
      if (s.isEmpty()) {
        throw new IllegalArgumentException("stop strings must not be empty");
      }
    }
  }

  /** Greedy decoding of at most {@code maxNewTokens}, no penalty, no stop strings. */
  public static GenerationSettings greedy(int maxNewTokens) {
    return new GenerationSettings(maxNewTokens, 0, 0, 1.0, 1.0, 0L, List.of());
  }

  /** Whether tokens are drawn (temperature above 0) rather than picked greedily. */
  public boolean sampling() {
    return temperature > 0;
  }
}
