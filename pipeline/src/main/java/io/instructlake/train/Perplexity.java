package io.instructlake.train;

import ai.djl.ndarray.NDScope;
import io.instructlake.train.data.Collator;
import io.instructlake.train.data.SftEncoder;
import io.instructlake.train.model.Batch;
import io.instructlake.train.model.LlamaModel;
import java.util.List;

/**
 * Perplexity of a model on encoded examples: {@code exp(total NLL / tokens)} over the tokens that
 * carry loss (responses only, as in training), batched without packing.
 */
public final class Perplexity {
  private Perplexity() {}

  /** Perplexity over every trainable token of {@code examples}. */
  public static double of(
      LlamaModel model, List<SftEncoder.Encoded> examples, int batchSize, int maxLen) {
    if (batchSize <= 0) {
      throw new IllegalArgumentException("batch size must be > 0, got " + batchSize);
    }
    List<List<SftEncoder.Encoded>> rows = Collator.rows(examples, maxLen, false);
    double nll = 0;
    long tokens = 0;
    for (int i = 0; i < rows.size(); i += batchSize) {
      Batch b = Collator.batch(rows.subList(i, Math.min(rows.size(), i + batchSize)), maxLen);
      long n = b.lossTokens();
      if (n == 0) {
        continue;
      }
      try (NDScope scope = new NDScope()) {
        scope.suppressNotUsedWarning();
        nll += model.loss(b, null).getFloat() * (double) n;
      }
      tokens += n;
    }
    if (tokens == 0) {
      throw new IllegalArgumentException("no tokens carry loss in the evaluation examples");
    }
    return Math.exp(nll / tokens);
  }
}
