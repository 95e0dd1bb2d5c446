package io.instructlake.train.dp;

import io.instructlake.config.PipelineConfig;
import java.util.ArrayList;
import java.util.List;

/** The small, deterministic corpus and tiny-model config shared by the multi-JVM tests. */
final class DpTestData {
  private DpTestData() {}

  static final String[] WORDS = {
    "red", "green", "blue", "cat", "dog", "bird", "runs", "sleeps", "sings", "the", "a", "fast",
    "slow", "big", "small", "tree", "house", "river", "sun", "moon"
  };

  /** 26 rows: record_id, prompt, response (an uneven split over 4 ranks, 13 each over 2). */
  static List<String[]> rows() {
    List<String[]> out = new ArrayList<>();
    for (int i = 0; i < 26; i++) {
      StringBuilder p = new StringBuilder("describe");
      StringBuilder r = new StringBuilder();
      for (int k = 0; k < 3 + i % 5; k++) {
        p.append(' ').append(WORDS[(i * 7 + k * 3) % WORDS.length]);
        r.append(k == 0 ? "" : " ").append(WORDS[(i * 5 + k * 11 + 1) % WORDS.length]);
      }
      out.add(new String[] {String.format("r%03d", i), p.toString(), r.toString()});
    }
    return out;
  }

  /** Tiny model: hidden 32, 2 layers; 1 PyTorch thread per executor. */
  static PipelineConfig config(int workers, int steps, int checkpointEvery) {
    return PipelineConfig.defaults()
        .with("train.workers", workers)
        .with("train.steps", steps)
        .with("train.checkpoint-every", checkpointEvery)
        .with("train.model.hidden-size", 32)
        .with("train.model.intermediate-size", 64)
        .with("train.model.layers", 2)
        .with("train.model.heads", 4)
        .with("train.model.kv-heads", 2)
        .with("train.vocab-size", 64)
        .with("train.max-seq-len", 48)
        .with("train.batch-size", 2)
        .with("train.learning-rate", 3e-3)
        .with("train.warmup-steps", 2)
        .with("train.threads", 1)
        .with("train.seed", 11);
  }
}
