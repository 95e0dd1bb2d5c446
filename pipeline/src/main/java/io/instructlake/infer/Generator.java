package io.instructlake.infer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import io.instructlake.train.model.KvCache;
import io.instructlake.train.model.LlamaModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;

/**
 * Autoregressive generation with a KV cache on a {@link LlamaModel}: one prefill pass over the
 * left-padded prompts of the batch, then one decode pass per new token ({@link LlamaModel#decode}).
 * Rows of different prompt lengths decode together and finish independently (an end id, a stop
 * string, or {@code maxNewTokens}); a finished row's later tokens are computed with the batch but
 * not kept. Each row draws from its own generator, seeded by the settings' seed and the row's
 * index, so a row's tokens do not depend on what else is in the batch.
 *
 * <pre>{@code
 * Generator g = Generator.builder().setModel(model).optEndIds(Set.of(2L)).optDetokenizer(decode).build();
 * List<Generation> out = g.generate(List.of(promptIds), GenerationSettings.greedy(64));
 * }</pre>
 */
public final class Generator {
  /** Called after each row's new token (for streaming): the text generated so far, if known. */
  @FunctionalInterface
  public interface Listener {
    void onToken(int row, long token, String textSoFar);
  }

  private final LlamaModel model;
  private final Set<Long> endIds;
  private final Function<long[], String> detokenizer;
  private final Listener listener;

  private Generator(Builder b) {
    this.model = b.model;
    this.endIds = Set.copyOf(b.endIds);
    this.detokenizer = b.detokenizer;
    this.listener = b.listener;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Generates a continuation of each prompt (token ids, each non-empty, within the vocabulary).
   *
   * @throws IllegalArgumentException for no prompt, an empty one, an id outside the vocabulary, or
   *     stop strings without a detokenizer
   */
  public List<Generation> generate(List<long[]> prompts, GenerationSettings s) {
    int b = prompts.size();
    if (b == 0) {
      throw new IllegalArgumentException("give at least one prompt");
    }
    if (!s.stopStrings().isEmpty() && detokenizer == null) {
      throw new IllegalArgumentException("stop strings need a detokenizer (optDetokenizer)");
    }
    int vocab = model.config().vocabSize();
    int p = 0;
    for (long[] pr : prompts) {
      if (pr.length == 0) {
        throw new IllegalArgumentException("a prompt has no tokens");
      }
      for (long id : pr) {
        if (id < 0 || id >= vocab) {
          throw new IllegalArgumentException(
              "token id " + id + " is outside the vocabulary (0.." + (vocab - 1) + ")");
        }
      }
      p = Math.max(p, pr.length);
    }
    int[] pad = new int[b];
    long[] ids = new long[b * p];
    boolean[][] seen = new boolean[b][vocab];
    Random[] rnd = new Random[b];
    List<List<Long>> out = new ArrayList<>();
    String[] text = new String[b];
    String[] finish = new String[b];
    for (int r = 0; r < b; r++) {
      long[] pr = prompts.get(r);
      pad[r] = p - pr.length;
      for (int i = 0; i < pr.length; i++) {
        ids[r * p + pad[r] + i] = pr[i];
        seen[r][(int) pr[i]] = true;
      }
      rnd[r] = new Random(s.seed() * 0x9E3779B97F4A7C15L + r);
      out.add(new ArrayList<>());
    }
    LlamaModel.noGradOnThisThread();
    try (KvCache cache = KvCache.allocate(model, b, p + s.maxNewTokens())) {
      float[] logits = step(cache, ids, p, pad);
      int live = b;
      for (int n = 0; n < s.maxNewTokens() && live > 0; n++) {
        long[] next = new long[b];
        for (int r = 0; r < b; r++) {
          if (finish[r] != null) {
            continue;
          }
          float[] row = Arrays.copyOfRange(logits, r * vocab, (r + 1) * vocab);
          int tok = Sampler.next(row, seen[r], s, rnd[r]);
          next[r] = tok;
          if (endIds.contains((long) tok)) {
            finish[r] = Generation.STOP;
            live--;
            continue;
          }
          out.get(r).add((long) tok);
          seen[r][tok] = true;
          if (detokenizer != null) {
            text[r] = detokenizer.apply(toArray(out.get(r)));
            for (String stop : s.stopStrings()) {
              int at = text[r].indexOf(stop);
              if (at >= 0) {
                text[r] = text[r].substring(0, at);
                finish[r] = Generation.STOP;
              }
            }
          }
          if (listener != null) {
            listener.onToken(r, tok, text[r]);
          }
          if (finish[r] == null && out.get(r).size() == s.maxNewTokens()) {
            finish[r] = Generation.LENGTH;
          }
          if (finish[r] != null) {
            live--;
          }
        }
        if (live > 0) {
          logits = step(cache, next, 1, pad);
        }
      }
    }
    List<Generation> gens = new ArrayList<>();
    for (int r = 0; r < b; r++) {
      gens.add(
          new Generation(
              prompts.get(r).clone(),
              toArray(out.get(r)),
              text[r] == null && detokenizer != null ? "" : text[r],
              finish[r] == null ? Generation.LENGTH : finish[r]));
    }
    return gens;
  }

  private float[] step(KvCache cache, long[] ids, int t, int[] pad) {
    try (NDScope scope = new NDScope()) {
      scope.suppressNotUsedWarning();
      NDArray logits = model.decode(cache, ids, t, pad);
      return logits.toFloatArray();
    }
  }

  private static long[] toArray(List<Long> l) {
    long[] a = new long[l.size()];
    for (int i = 0; i < a.length; i++) {
      a[i] = l.get(i);
    }
    return a;
  }

  /** Builder: {@code setModel} required. */
  public static final class Builder {
    private LlamaModel model;
    private Set<Long> endIds = Set.of();
    private Function<long[], String> detokenizer;
    private Listener listener;

    private Builder() {}

    public Builder setModel(LlamaModel model) {
      this.model = model;
      return this;
    }

    /** Ids that end a row (the model's eos ids; several allowed); default none. */
    public Builder optEndIds(Set<Long> ids) {
      this.endIds = ids;
      return this;
    }

    /** Ids to text, for the generated text and stop strings; default none (text is null). */
    public Builder optDetokenizer(Function<long[], String> detokenizer) {
      this.detokenizer = detokenizer;
      return this;
    }

    /** Called after every kept token, for streaming; default none. */
    public Builder optListener(Listener listener) {
      this.listener = listener;
      return this;
    }

    public Generator build() {
      if (model == null) {
        throw new IllegalStateException("setModel is required");
      }
      if (endIds == null) {
        throw new IllegalArgumentException("end ids must not be null (use Set.of())");
      }
      return new Generator(this);
    }
  }
}
