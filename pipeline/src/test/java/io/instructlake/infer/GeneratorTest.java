package io.instructlake.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import io.instructlake.train.model.Batch;
import io.instructlake.train.model.HostTensor;
import io.instructlake.train.model.KvCache;
import io.instructlake.train.model.LlamaConfig;
import io.instructlake.train.model.LlamaModel;
import io.instructlake.train.model.LoraConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * KV-cached generation against the reference it must equal: the whole sequence recomputed by {@link
 * LlamaModel#logits} at every step, each prompt alone.
 */
class GeneratorTest {
  static final int VOCAB = 61;
  static NDManager nd;
  static LlamaModel llama;
  static LlamaModel qwen;

  static LlamaConfig config(String arch) {
    return LlamaConfig.builder()
        .optArchitecture(arch)
        .setVocabSize(VOCAB)
        .setHiddenSize(32)
        .setIntermediateSize(48)
        .setNumLayers(2)
        .setNumHeads(4)
        .optNumKvHeads(2)
        .optRopeTheta(500.0)
        .optInitializerRange(0.3)
        .build();
  }

  @BeforeAll
  static void models() {
    nd = NDManager.newBaseManager();
    llama = LlamaModel.create(config("llama"), nd, DataType.FLOAT32, 5);
    qwen = LlamaModel.create(config("qwen2"), nd, DataType.FLOAT32, 6);
    // Non-zero QKV biases, so the cached path is checked with them.
    for (Map.Entry<String, HostTensor> e : qwen.baseState().entrySet()) {
      if (e.getKey().endsWith(".bias")) {
        float[] v = new float[e.getValue().data().length];
        for (int i = 0; i < v.length; i++) {
          v[i] = (float) Math.sin(3 * i + e.getKey().length());
        }
        qwen.load(e.getKey(), new HostTensor(v, e.getValue().shape()));
      }
    }
  }

  @AfterAll
  static void close() {
    nd.close();
  }

  static final List<long[]> PROMPTS =
      List.of(
          new long[] {3, 17, 42, 8, 8},
          new long[] {29, 1, 49, 33, 12, 5, 7, 60, 2},
          new long[] {11, 4, 9});

  /** Greedy decoding by recomputing the whole sequence at every step (no cache, no padding). */
  static long[] recomputeGreedy(LlamaModel m, long[] prompt, int n, List<float[]> lastLogits) {
    List<Long> seq = new ArrayList<>();
    for (long id : prompt) {
      seq.add(id);
    }
    long[] out = new long[n];
    for (int k = 0; k < n; k++) {
      long[] row = seq.stream().mapToLong(Long::longValue).toArray();
      float[] all;
      try (NDScope s = new NDScope()) {
        s.suppressNotUsedWarning();
        all = m.logits(Batch.ofRows(new long[][] {row}), null).toFloatArray();
      }
      float[] last = Arrays.copyOfRange(all, (row.length - 1) * VOCAB, row.length * VOCAB);
      if (lastLogits != null) {
        lastLogits.add(last);
      }
      int best = 0;
      for (int i = 1; i < VOCAB; i++) {
        if (last[i] > last[best]) {
          best = i;
        }
      }
      out[k] = best;
      seq.add((long) best);
    }
    return out;
  }

  @Test
  void cachedDecodingGivesTheTokensAndLogitsOfFullRecomputation() {
    for (LlamaModel m : List.of(llama, qwen)) {
      Generator g = Generator.builder().setModel(m).build();
      List<Generation> batch = g.generate(PROMPTS, GenerationSettings.greedy(10));
      for (int r = 0; r < PROMPTS.size(); r++) {
        long[] want = recomputeGreedy(m, PROMPTS.get(r), 10, null);
        assertArrayEquals(want, batch.get(r).tokens(), m.config().architecture() + " row " + r);
        assertEquals(Generation.LENGTH, batch.get(r).finishReason());
        List<Generation> alone = g.generate(List.of(PROMPTS.get(r)), GenerationSettings.greedy(10));
        assertArrayEquals(want, alone.get(0).tokens(), "alone, row " + r);
      }
    }
  }

  @Test
  void lastPositionLogitsOfEveryStepMatchWithinOneInAHundredThousand() {
    long[] prompt = PROMPTS.get(1);
    List<float[]> ref = new ArrayList<>();
    long[] tokens = recomputeGreedy(qwen, prompt, 6, ref);
    // The same sequence through the cache: prefill a left-padded batch (row 0 padded by 4, row 1
    // the prompt itself), then one token per step; row 0 must match the unpadded reference.
    long[] wide = new long[prompt.length + 4];
    Arrays.fill(wide, 7);
    LlamaModel.noGradOnThisThread();
    double worst = 0;
    try (KvCache cache = KvCache.allocate(qwen, 2, wide.length + 6)) {
      int t = wide.length;
      long[] ids = new long[2 * t];
      System.arraycopy(prompt, 0, ids, 4, prompt.length);
      System.arraycopy(wide, 0, ids, t, t);
      int[] pad = {4, 0};
      float[] logits = decode(cache, ids, t, pad);
      for (int k = 0; k < 6; k++) {
        for (int v = 0; v < VOCAB; v++) {
          worst = Math.max(worst, Math.abs(logits[v] - ref.get(k)[v]));
        }
        logits = decode(cache, new long[] {tokens[k], 7}, 1, pad);
      }
    }
    assertTrue(worst < 1e-5, "max |cached - recomputed| logit " + worst);
  }

  private static float[] decode(KvCache cache, long[] ids, int t, int[] pad) {
    try (NDScope s = new NDScope()) {
      s.suppressNotUsedWarning();
      return qwen.decode(cache, ids, t, pad).toFloatArray();
    }
  }

  @Test
  void unmergedLoraGeneratesWhatTheMergedWeightsDo() {
    LoraConfig lc = new LoraConfig(4, 8, 0, false, List.of("q_proj", "v_proj", "down_proj"));
    try (NDManager m = NDManager.newBaseManager();
        LlamaModel base = LlamaModel.create(config("llama"), m, DataType.FLOAT32, 9)) {
      base.addLora(lc, 3, null);
      // B starts at 0 (the adapter is a no-op): give it values so the adapter matters.
      for (Map.Entry<String, HostTensor> e : base.loraState().entrySet()) {
        if (e.getKey().endsWith("lora_B.weight")) {
          float[] v = new float[e.getValue().data().length];
          Random r = new Random(e.getKey().hashCode());
          for (int i = 0; i < v.length; i++) {
            v[i] = (float) (r.nextGaussian() * 0.3);
          }
          base.load(e.getKey(), new HostTensor(v, e.getValue().shape()));
        }
      }
      try (LlamaModel merged =
          LlamaModel.fromTensors(base.config(), m, DataType.FLOAT32, base.mergedState())) {
        List<Generation> a =
            Generator.builder()
                .setModel(base)
                .build()
                .generate(PROMPTS, GenerationSettings.greedy(8));
        List<Generation> b =
            Generator.builder()
                .setModel(merged)
                .build()
                .generate(PROMPTS, GenerationSettings.greedy(8));
        boolean adapterMatters = false;
        try (LlamaModel noAdapter = LlamaModel.create(config("llama"), m, DataType.FLOAT32, 9)) {
          List<Generation> plain =
              Generator.builder()
                  .setModel(noAdapter)
                  .build()
                  .generate(PROMPTS, GenerationSettings.greedy(8));
          for (int r = 0; r < PROMPTS.size(); r++) {
            assertArrayEquals(b.get(r).tokens(), a.get(r).tokens(), "row " + r);
            assertArrayEquals(recomputeGreedy(merged, PROMPTS.get(r), 8, null), a.get(r).tokens());
            adapterMatters |= !Arrays.equals(plain.get(r).tokens(), a.get(r).tokens());
          }
        }
        // Otherwise the equality above would hold for a no-op adapter too.
        assertTrue(adapterMatters, "the adapter changed no generated token");
      }
    }
  }

  @Test
  void endIdsStopStringsAndMaxNewTokensEndRowsWhereTheyShould() {
    long[] greedy = recomputeGreedy(llama, PROMPTS.get(0), 8, null);
    // End on the third greedy token: two tokens kept, finish "stop".
    Generator g = Generator.builder().setModel(llama).optEndIds(Set.of(greedy[2])).build();
    Generation e = g.generate(List.of(PROMPTS.get(0)), GenerationSettings.greedy(8)).get(0);
    int first = indexOf(greedy, greedy[2]);
    assertArrayEquals(Arrays.copyOf(greedy, first), e.tokens());
    assertEquals(Generation.STOP, e.finishReason());
    // Text: each id as a letter; a stop string made of tokens 3 and 4 cuts the text before them.
    Generator t =
        Generator.builder().setModel(llama).optDetokenizer(GeneratorTest::letters).build();
    String full = letters(greedy);
    String stop = full.substring(3, 5);
    GenerationSettings withStop = new GenerationSettings(8, 0, 0, 1.0, 1.0, 0, List.of(stop));
    Generation s = t.generate(List.of(PROMPTS.get(0)), withStop).get(0);
    assertEquals(full.substring(0, full.indexOf(stop)), s.text());
    assertEquals(Generation.STOP, s.finishReason());
    assertEquals(full.indexOf(stop) + stop.length(), s.tokens().length);
    Generation len = t.generate(List.of(PROMPTS.get(0)), GenerationSettings.greedy(3)).get(0);
    assertEquals(3, len.tokens().length);
    assertEquals(full.substring(0, 3), len.text());
    assertEquals(Generation.LENGTH, len.finishReason());
  }

  private static int indexOf(long[] a, long v) {
    for (int i = 0; i < a.length; i++) {
      if (a[i] == v) {
        return i;
      }
    }
    return -1;
  }

  /** A detokenizer for the tests: id i is the i-th character from '0'. */
  static String letters(long[] ids) {
    StringBuilder b = new StringBuilder();
    for (long id : ids) {
      b.append((char) ('0' + id));
    }
    return b.toString();
  }

  @Test
  void seededSamplingRepeatsAndAnotherSeedDiffers() {
    Generator g = Generator.builder().setModel(llama).build();
    GenerationSettings a = new GenerationSettings(12, 1.5, 0, 1.0, 1.0, 42, List.of());
    GenerationSettings b = new GenerationSettings(12, 1.5, 0, 1.0, 1.0, 43, List.of());
    List<Generation> x = g.generate(PROMPTS, a);
    List<Generation> y = g.generate(PROMPTS, a);
    List<Generation> z = g.generate(PROMPTS, b);
    boolean anyDiff = false;
    for (int r = 0; r < PROMPTS.size(); r++) {
      assertArrayEquals(x.get(r).tokens(), y.get(r).tokens());
      anyDiff |= !Arrays.equals(x.get(r).tokens(), z.get(r).tokens());
    }
    assertTrue(anyDiff, "seeds 42 and 43 drew the same 36 tokens");
  }

  /**
   * Property: over random logits and settings, a draw is always inside the set top-k and top-p
   * allow, computed here independently (all tokens ranked by value, probabilities by softmax).
   */
  @Test
  void topKAndTopPNeverEmitATokenOutsideTheKeptSet() {
    Random rnd = new Random(2026);
    for (int trial = 0; trial < 300; trial++) {
      int v = 2 + rnd.nextInt(40);
      float[] logits = new float[v];
      for (int i = 0; i < v; i++) {
        logits[i] = (float) (rnd.nextGaussian() * 3);
      }
      int k = rnd.nextInt(v + 1);
      double p = 0.05 + rnd.nextDouble() * 0.95;
      double temp = 0.3 + rnd.nextDouble() * 2;
      GenerationSettings s = new GenerationSettings(1, temp, k, p, 1.0, 0, List.of());
      Set<Integer> allowed = allowed(logits, temp, k, p);
      for (int d = 0; d < 50; d++) {
        int tok = Sampler.next(logits, null, s, rnd);
        assertTrue(allowed.contains(tok), "token " + tok + " outside " + allowed);
      }
    }
  }

  /** Brute force: rank by logit, keep k, then the smallest prefix whose mass reaches p. */
  private static Set<Integer> allowed(float[] logits, double temp, int k, double p) {
    List<Integer> idx = new ArrayList<>();
    for (int i = 0; i < logits.length; i++) {
      idx.add(i);
    }
    idx.sort((a, b) -> Float.compare(logits[b], logits[a]));
    if (k > 0) {
      idx = idx.subList(0, k);
    }
    double z = 0;
    for (int i : idx) {
      z += Math.exp(logits[i] / temp);
    }
    Set<Integer> out = new HashSet<>();
    double mass = 0;
    for (int i : idx) {
      if (mass >= p && !out.isEmpty()) {
        break;
      }
      out.add(i);
      mass += Math.exp(logits[i] / temp) / z;
    }
    return out;
  }

  @Test
  void repetitionPenaltyIsCtrlsDivideOrMultiply() {
    float[] l = {2f, -2f, 1f};
    boolean[] seen = {true, true, false};
    float[] got = Sampler.penalized(l, seen, 2.0);
    assertArrayEquals(new float[] {1f, -4f, 1f}, got);
    // With a strong penalty greedy picks the unseen token.
    GenerationSettings s = new GenerationSettings(1, 0, 0, 1.0, 4.0, 0, List.of());
    assertEquals(2, Sampler.next(l, seen, s, new Random(0)));
    assertNotEquals(2, Sampler.next(l, seen, GenerationSettings.greedy(1), new Random(0)));
  }

  @Test
  void badSettingsAndPromptsFailNamingTheField() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new GenerationSettings(4, 1, 0, 1.5, 1, 0, List.of()));
    assertTrue(e.getMessage().contains("top_p"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new GenerationSettings(0, 1, 0, 1, 1, 0, List.of()));
    assertTrue(e.getMessage().contains("max_new_tokens"), e.getMessage());
    Generator g = Generator.builder().setModel(llama).build();
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> g.generate(List.of(new long[] {VOCAB}), GenerationSettings.greedy(2)));
    assertTrue(e.getMessage().contains("outside the vocabulary"), e.getMessage());
  }
}
