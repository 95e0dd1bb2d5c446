package io.instructlake.train.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.instructlake.train.model.Batch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SftDataTest {
  @TempDir static Path dir;
  static Path tokenizer;
  static JsonObject vocab;

  static final List<String> CORPUS =
      List.of(
          "What is the capital of France?",
          "The capital of France is Paris.",
          "计算 利息 的 公式 是 什么？",
          "Name three primary colors.",
          "Red, blue and yellow.");

  @BeforeAll
  static void build() throws Exception {
    tokenizer = dir.resolve("tokenizer.json");
    TokenizerBuilder.write(CORPUS, 200, tokenizer);
    vocab =
        JsonParser.parseString(Files.readString(tokenizer))
            .getAsJsonObject()
            .getAsJsonObject("model")
            .getAsJsonObject("vocab");
  }

  /** Ids computed from the vocabulary JSON and our word split, independent of DJL. */
  static long[] expectedIds(String text) {
    List<String> w = TokenizerBuilder.words(text);
    long[] out = new long[w.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = vocab.has(w.get(i)) ? vocab.get(w.get(i)).getAsLong() : 1;
    }
    return out;
  }

  static long id(String token) {
    return vocab.get(token).getAsLong();
  }

  @Test
  void tokenizerJsonLoadsInDjlAndSplitsWordsPunctuationAndCjk() {
    try (SftEncoder enc = new SftEncoder(tokenizer, ChatTemplate.CHATML, 64)) {
      String text = "The capital of France is Paris. 计算利息 zebra";
      long[] got = enc.ids(text);
      assertArrayEquals(expectedIds(text), got);
      assertEquals(1, got[got.length - 1], "unknown word maps to <unk>");
      assertEquals(0, id(TokenizerBuilder.PAD));
      // Template markers are single special tokens.
      assertArrayEquals(new long[] {id("<|im_start|>")}, enc.ids("<|im_start|>"));
      assertArrayEquals(new long[] {id("<｜Assistant｜>")}, enc.ids("<｜Assistant｜>"));
      assertEquals(3, TokenizerBuilder.words("计算利").size());
    }
  }

  @Test
  void onlyResponseTokensAndEndMarkerCarryLoss() {
    for (ChatTemplate t : ChatTemplate.values()) {
      try (SftEncoder enc = new SftEncoder(tokenizer, t, 256)) {
        String response = "The capital of France is Paris.";
        SftEncoder.Encoded e = enc.encode("Be brief.", "What is the capital of France?", response);
        List<Long> trained = new ArrayList<>();
        for (int i = 0; i < e.ids().length; i++) {
          if (e.trainable()[i]) {
            trained.add(e.ids()[i]);
          }
        }
        List<Long> want = new ArrayList<>();
        for (long x : expectedIds(response)) {
          want.add(x);
        }
        want.add(id(t.eos()));
        assertEquals(want, trained, t.name());
        // The collated batch puts loss exactly on slots whose target is a trained token.
        Batch b = Collator.batch(List.of(List.of(e)), 256);
        for (int s = 0; s < b.seqLen(); s++) {
          assertEquals(e.trainable()[s + 1] ? 1f : 0f, b.lossMask()[s], t + " slot " + s);
          assertEquals(e.ids()[s + 1], b.targets()[s]);
        }
      }
    }
  }

  @Test
  void multiTurnMasksEveryUserTurnAndTrainsEveryReply() {
    try (SftEncoder enc = new SftEncoder(tokenizer, ChatTemplate.DEEPSEEK, 256)) {
      List<ChatTemplate.Message> conv =
          List.of(
              new ChatTemplate.Message("user", "Name three primary colors."),
              new ChatTemplate.Message("assistant", "Red, blue and yellow."),
              new ChatTemplate.Message("user", "What is the capital of France?"),
              new ChatTemplate.Message("assistant", "Paris."));
      SftEncoder.Encoded e = enc.encode(null, conv);
      List<Long> trained = new ArrayList<>();
      List<Long> masked = new ArrayList<>();
      for (int i = 0; i < e.ids().length; i++) {
        (e.trainable()[i] ? trained : masked).add(e.ids()[i]);
      }
      List<Long> want = new ArrayList<>();
      for (long x : expectedIds("Red, blue and yellow.")) {
        want.add(x);
      }
      want.add(id("<｜end▁of▁sentence｜>"));
      for (long x : expectedIds("Paris.")) {
        want.add(x);
      }
      want.add(id("<｜end▁of▁sentence｜>"));
      assertEquals(want, trained);
      assertEquals(id("<｜begin▁of▁sentence｜>"), (long) masked.get(0));
      assertEquals(
          2, masked.stream().filter(x -> x == id("<｜User｜>")).count(), "both user turns masked");
    }
  }

  @Test
  void truncatesAndPacksWithDynamicPadding() {
    try (SftEncoder enc = new SftEncoder(tokenizer, ChatTemplate.ALPACA, 6)) {
      SftEncoder.Encoded longOne = enc.encode(null, "What is the capital of France?", "Paris.");
      assertEquals(7, longOne.ids().length, "maxLen + 1 ids kept");
    }
    SftEncoder.Encoded a =
        new SftEncoder.Encoded(new long[] {5, 6, 7}, new boolean[] {false, true, true});
    SftEncoder.Encoded b = new SftEncoder.Encoded(new long[] {8, 9}, new boolean[] {false, true});
    SftEncoder.Encoded c =
        new SftEncoder.Encoded(
            new long[] {10, 11, 12, 13}, new boolean[] {false, false, true, true});
    List<List<SftEncoder.Encoded>> packed = Collator.rows(List.of(a, b, c), 4, true);
    assertEquals(
        2, packed.size(), "a (2 slots) + b (1 slot) share a row; c (3 slots) does not fit");
    Batch batch = Collator.batch(packed, 4);
    assertEquals(3, batch.seqLen(), "padded to the longest row, not to maxLen");
    assertArrayEquals(new long[] {5, 6, 8, 10, 11, 12}, batch.inputIds());
    assertArrayEquals(new long[] {0, 1, 0, 0, 1, 2}, batch.positions());
    assertArrayEquals(new int[] {1, 1, 2, 1, 1, 1}, batch.segments());
    assertArrayEquals(new long[] {6, 7, 9, 11, 12, 13}, batch.targets());
    assertArrayEquals(new float[] {1, 1, 1, 0, 1, 1}, batch.lossMask());
    Batch unpacked = Collator.batch(Collator.rows(List.of(a, b), 4, false), 4);
    assertArrayEquals(new int[] {1, 1, 1, 0}, unpacked.segments());
  }

  @Test
  void loaderIsDeterministicAndResumable() {
    List<SftEncoder.Encoded> ex = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      ex.add(
          new SftEncoder.Encoded(new long[] {i, i + 1, i + 2}, new boolean[] {false, true, true}));
    }
    SftLoader full = new SftLoader(ex, 2, 8, false, 3);
    List<long[]> seen = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      seen.add(full.next().inputIds());
    }
    SftLoader first = new SftLoader(ex, 2, 8, false, 3);
    for (int i = 0; i < 5; i++) {
      first.next();
    }
    SftLoader resumed = new SftLoader(ex, 2, 8, false, 3);
    resumed.seek(first.position());
    assertEquals(1, first.position().epoch(), "4 batches per epoch, 5 taken");
    for (int i = 5; i < 9; i++) {
      assertArrayEquals(seen.get(i), resumed.next().inputIds(), "batch " + i);
    }
  }
}
