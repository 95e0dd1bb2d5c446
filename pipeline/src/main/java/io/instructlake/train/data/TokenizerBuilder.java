package io.instructlake.train.data;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import io.instructlake.PipelineException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds the project's own small tokenizer from text and writes it as a valid HF {@code
 * tokenizer.json} (a WordLevel model with a BertNormalizer that splits CJK characters and a
 * Whitespace pre-tokenizer), loadable by DJL's {@code HuggingFaceTokenizer} and by Python's {@code
 * tokenizers} / {@code transformers}. Used for tests and the demo, where no pretrained tokenizer is
 * available offline; real checkpoints bring their own tokenizer.json.
 *
 * <p>Ours because the HF tokenizers trainers are not exposed by DJL's bindings. The vocabulary is
 * the special tokens (ids 0..), then the most frequent words (ties broken alphabetically).
 */
public final class TokenizerBuilder {
  /** Padding token, id 0. */
  public static final String PAD = "<pad>";

  /** Unknown token, id 1. */
  public static final String UNK = "<unk>";

  /** Special tokens in id order: pad, unk, then the markers of every {@link ChatTemplate}. */
  public static final List<String> SPECIALS;

  static {
    List<String> s = new ArrayList<>(List.of(PAD, UNK));
    for (ChatTemplate t : ChatTemplate.values()) {
      for (String m : t.specialTokens()) {
        if (!s.contains(m)) {
          s.add(m);
        }
      }
    }
    SPECIALS = List.copyOf(s);
  }

  // The same split as the tokenizer.json below: CJK ideographs become single words, then runs of
  // word characters or of punctuation (HF's Whitespace pre-tokenizer: \w+|[^\w\s]+).
  private static final Pattern WORDS =
      Pattern.compile("\\w+|[^\\w\\s]+", Pattern.UNICODE_CHARACTER_CLASS);

  private TokenizerBuilder() {}

  /** Words of a text as the written tokenizer splits them. */
  static List<String> words(String text) {
    StringBuilder spaced = new StringBuilder(text.length() + 16);
    text.codePoints()
        .forEach(
            cp -> {
              if (isCjk(cp)) {
                spaced.append(' ').appendCodePoint(cp).append(' ');
              } else {
                spaced.appendCodePoint(cp);
              }
            });
    List<String> out = new ArrayList<>();
    Matcher m = WORDS.matcher(spaced);
    while (m.find()) {
      out.add(m.group());
    }
    return out;
  }

  // BertNormalizer's CJK ranges.
  private static boolean isCjk(int cp) {
    return (cp >= 0x4E00 && cp <= 0x9FFF)
        || (cp >= 0x3400 && cp <= 0x4DBF)
        || (cp >= 0x20000 && cp <= 0x2A6DF)
        || (cp >= 0x2A700 && cp <= 0x2B73F)
        || (cp >= 0x2B740 && cp <= 0x2B81F)
        || (cp >= 0x2B820 && cp <= 0x2CEAF)
        || (cp >= 0xF900 && cp <= 0xFAFF)
        || (cp >= 0x2F800 && cp <= 0x2FA1F);
  }

  /**
   * Writes {@code tokenizer.json} with at most {@code maxVocab} entries built from {@code texts}
   * (plus the words of every chat template) and returns the vocabulary size.
   */
  public static int write(Iterable<String> texts, int maxVocab, Path file) {
    if (maxVocab < SPECIALS.size() + 1) {
      throw new IllegalArgumentException(
          "vocab size " + maxVocab + " must exceed the " + SPECIALS.size() + " special tokens");
    }
    Map<String, Long> freq = new HashMap<>();
    for (String t : texts) {
      if (t != null) {
        for (String w : words(t)) {
          freq.merge(w, 1L, Long::sum);
        }
      }
    }
    for (ChatTemplate t : ChatTemplate.values()) {
      for (String w : words(t.templateText())) {
        freq.merge(w, Long.MAX_VALUE / 4, Long::sum); // template words always make the cut
      }
    }
    for (String s : SPECIALS) {
      freq.remove(s);
    }
    List<Map.Entry<String, Long>> entries = new ArrayList<>(freq.entrySet());
    entries.sort(
        (a, b) ->
            a.getValue().equals(b.getValue())
                ? a.getKey().compareTo(b.getKey())
                : Long.compare(b.getValue(), a.getValue()));
    Map<String, Integer> vocab = new LinkedHashMap<>();
    for (String s : SPECIALS) {
      vocab.put(s, vocab.size());
    }
    for (Map.Entry<String, Long> e : entries) {
      if (vocab.size() >= maxVocab) {
        break;
      }
      vocab.putIfAbsent(e.getKey(), vocab.size());
    }
    JsonObject root = new JsonObject();
    root.addProperty("version", "1.0");
    root.add("truncation", JsonNull.INSTANCE);
    root.add("padding", JsonNull.INSTANCE);
    JsonArray added = new JsonArray();
    for (String s : SPECIALS) {
      JsonObject a = new JsonObject();
      a.addProperty("id", vocab.get(s));
      a.addProperty("content", s);
      a.addProperty("single_word", false);
      a.addProperty("lstrip", false);
      a.addProperty("rstrip", false);
      a.addProperty("normalized", false);
      a.addProperty("special", true);
      added.add(a);
    }
    root.add("added_tokens", added);
    JsonObject norm = new JsonObject();
    norm.addProperty("type", "BertNormalizer");
    norm.addProperty("clean_text", false);
    norm.addProperty("handle_chinese_chars", true);
    norm.add("strip_accents", JsonNull.INSTANCE);
    norm.addProperty("lowercase", false);
    root.add("normalizer", norm);
    JsonObject pre = new JsonObject();
    pre.addProperty("type", "Whitespace");
    root.add("pre_tokenizer", pre);
    root.add("post_processor", JsonNull.INSTANCE);
    JsonObject dec = new JsonObject();
    dec.addProperty("type", "WordPiece");
    dec.addProperty("prefix", "##");
    dec.addProperty("cleanup", true);
    root.add("decoder", dec);
    JsonObject model = new JsonObject();
    model.addProperty("type", "WordLevel");
    JsonObject v = new JsonObject();
    vocab.forEach(v::addProperty);
    model.add("vocab", v);
    model.addProperty("unk_token", UNK);
    root.add("model", model);
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.writeString(file, new GsonBuilder().setPrettyPrinting().create().toJson(root));
    } catch (IOException e) {
      throw new PipelineException("Cannot write " + file, e.getMessage(), "check the path", e);
    }
    return vocab.size();
  }
}
