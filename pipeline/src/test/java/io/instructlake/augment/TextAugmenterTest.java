package io.instructlake.augment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hankcs.hanlp.corpus.synonym.Synonym;
import com.hankcs.hanlp.dictionary.CoreSynonymDictionary;
import com.hankcs.hanlp.dictionary.common.CommonSynonymDictionary;
import io.instructlake.augment.Tokens.Kind;
import io.instructlake.augment.Tokens.Token;
import io.instructlake.config.PipelineConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.sf.extjwnl.data.IndexWord;
import net.sf.extjwnl.data.IndexWordSet;
import net.sf.extjwnl.data.Synset;
import net.sf.extjwnl.data.Word;
import net.sf.extjwnl.dictionary.Dictionary;
import org.junit.jupiter.api.Test;

/** Pure tests of the text operations (no Spark). */
class TextAugmenterTest {
  static final String EN =
      "Explain how the car engine works to Alice and send the quick summary to <EMAIL> before"
          + " 5 pm, using `run(x)` and {\"tool\": \"search\", \"query\": \"big house\"}.";
  static final String ZH = "请介绍北京的历史和文化，以及汽车发动机的工作原理，联系<PHONE>，共3个问题。";

  private static Dictionary wordNet;

  static synchronized Dictionary wordNet() throws Exception {
    if (wordNet == null) {
      wordNet = Dictionary.getDefaultResourceInstance();
    }
    return wordNet;
  }

  /** Independent WordNet check: is {@code syn} a lemma of some sense of {@code word}? */
  static boolean wordNetSynonym(String word, String syn) throws Exception {
    IndexWordSet set = wordNet().lookupAllIndexWords(word);
    for (IndexWord iw : set.getIndexWordArray()) {
      for (Synset s : iw.getSenses()) {
        for (Word w : s.getWords()) {
          if (w.getLemma().equalsIgnoreCase(syn)) {
            return true;
          }
        }
      }
    }
    return false;
  }

  /** Independent HanLP check: same CoreSynonym "=" group. */
  static boolean coreSynonym(String word, String syn) {
    CommonSynonymDictionary.SynonymItem item = CoreSynonymDictionary.get(word);
    if (item == null || item.type != Synonym.Type.EQUAL) {
      return false;
    }
    return item.synonymList.stream().anyMatch(s -> s.realWord.equals(syn));
  }

  private static void checkOnlyEditableReplaced(String text, boolean chinese) throws Exception {
    List<Token> orig = Tokens.tokenize(text, chinese);
    int changedTotal = 0;
    for (int seed = 0; seed < 5; seed++) {
      List<Token> out = TextAugmenter.replaceTokens(orig, chinese, 0.5, new Random(seed));
      assertNotNull(out, "seed " + seed + " replaced nothing");
      assertEquals(orig.size(), out.size());
      for (int i = 0; i < orig.size(); i++) {
        Token a = orig.get(i);
        Token b = out.get(i);
        if (a.text().equals(b.text())) {
          continue;
        }
        changedTotal++;
        assertTrue(a.editable(), "changed a non-editable token: " + a);
        boolean real =
            chinese ? coreSynonym(a.text(), b.text()) : wordNetSynonym(a.text(), b.text());
        assertTrue(real, a.text() + " -> " + b.text() + " is not a dictionary synonym");
      }
    }
    assertTrue(changedTotal > 0);
  }

  @Test
  void englishSynonymsAreWordNetEntriesAndProtectedSpansStay() throws Exception {
    checkOnlyEditableReplaced(EN, false);
    List<Token> toks = Tokens.tokenize(EN, false);
    List<String> protectedTexts = new ArrayList<>();
    for (Token t : toks) {
      if (t.kind() == Kind.PROTECTED) {
        protectedTexts.add(t.text());
      }
    }
    assertEquals(
        List.of("<EMAIL>", "5", "`run(x)`", "{\"tool\": \"search\", \"query\": \"big house\"}"),
        protectedTexts);
    // The named entity "Alice" is a word but not editable.
    assertTrue(toks.stream().anyMatch(t -> t.text().equals("Alice") && !t.editable()));
    for (int seed = 0; seed < 10; seed++) {
      String out = TextAugmenter.synonymReplace(EN, false, 1.0, new Random(seed));
      for (String p : protectedTexts) {
        assertTrue(out.contains(p), out);
      }
      assertTrue(out.contains("Alice"), out);
    }
  }

  @Test
  void chineseSynonymsAreCoreSynonymEntriesAndEntitiesStay() throws Exception {
    checkOnlyEditableReplaced(ZH, true);
    List<Token> toks = Tokens.tokenize(ZH, true);
    assertTrue(
        toks.stream().anyMatch(t -> t.text().equals("北京") && !t.editable()), toks.toString());
    assertTrue(
        toks.stream().anyMatch(t -> t.text().equals("<PHONE>") && t.kind() == Kind.PROTECTED));
    for (int seed = 0; seed < 10; seed++) {
      String out = TextAugmenter.synonymReplace(ZH, true, 1.0, new Random(seed));
      assertTrue(out.contains("北京") && out.contains("<PHONE>") && out.contains("3"), out);
    }
  }

  @Test
  void tokensRejoinToTheText() {
    assertEquals(EN, Tokens.join(Tokens.tokenize(EN, false)));
    assertEquals(ZH, Tokens.join(Tokens.tokenize(ZH, true)));
  }

  private static List<String> words(String text, boolean chinese, boolean editableOnly) {
    List<String> out = new ArrayList<>();
    for (Token t : Tokens.tokenize(text, chinese)) {
      if (t.kind() == Kind.WORD && (!editableOnly || t.editable())) {
        out.add(t.text());
      }
    }
    return out;
  }

  @Test
  void swapKeepsTheWordMultisetAndProtectedSpans() {
    for (boolean zh : new boolean[] {false, true}) {
      String text = zh ? ZH : EN;
      String out = TextAugmenter.randomSwap(text, zh, 0.2, new Random(3));
      List<String> a = new ArrayList<>(words(text, zh, false));
      List<String> b = new ArrayList<>(words(out, zh, false));
      a.sort(String::compareTo);
      b.sort(String::compareTo);
      if (!zh) {
        // English words re-tokenize identically; Chinese ones may re-segment differently.
        assertEquals(a, b);
      }
      assertTrue(out.length() == text.length(), out);
    }
    assertTrue(
        TextAugmenter.randomSwap(EN, false, 0.2, new Random(3)).contains("<EMAIL> before 5"));
  }

  @Test
  void deleteRemovesOnlyEditableWords() {
    String out = TextAugmenter.randomDelete(EN, false, 0.3, new Random(5));
    List<String> before = words(EN, false, false);
    List<String> after = words(out, false, false);
    assertTrue(after.size() < before.size());
    // Every non-editable word and protected span survives.
    assertTrue(out.contains("Alice") && out.contains("<EMAIL>") && out.contains("`run(x)`"), out);
    List<String> removed = new ArrayList<>(before);
    for (String w : after) {
      removed.remove(w);
    }
    for (String w : removed) {
      assertTrue(words(EN, false, true).contains(w), w);
    }
  }

  @Test
  void insertAddsASynonymOfAWordInTheText() throws Exception {
    String out = TextAugmenter.randomInsert(EN, false, 0.05, new Random(11));
    List<String> added = new ArrayList<>(words(out, false, false));
    for (String w : words(EN, false, false)) {
      added.remove(w);
    }
    assertEquals(1, added.size(), out);
    boolean isSyn = false;
    for (String w : words(EN, false, true)) {
      isSyn |= wordNetSynonym(w, added.get(0));
    }
    assertTrue(isSyn, added.get(0));
  }

  @Test
  void sameSeedSameOutput() {
    AugmentOptions o = AugmentOptions.from(PipelineConfig.defaults().section("augment"));
    TextAugmenter t = new TextAugmenter(o);
    for (String m : List.of("synonym", "eda", "template")) {
      assertEquals(t.apply(m, EN, false, new Random(9)), t.apply(m, EN, false, new Random(9)));
      assertEquals(t.apply(m, ZH, true, new Random(9)), t.apply(m, ZH, true, new Random(9)));
    }
  }

  @Test
  void backTranslationIsOffWithoutModel() {
    AugmentOptions o = AugmentOptions.from(PipelineConfig.defaults().section("augment"));
    assertEquals(null, new TextAugmenter(o).apply("back-translation", EN, false, new Random(1)));
    assertTrue(o.translation().offMessage().contains("augment.back-translation.forward-model"));
  }

  @Test
  void similarityIsJaccardOfBigrams() {
    // "abcd" -> {ab, bc, cd}; "abce" -> {ab, bc, ce}: 2 shared of 4.
    assertEquals(0.5, Similarity.jaccard("abcd", "abce"), 1e-12);
    assertEquals(1.0, Similarity.jaccard("same text", "same  text"), 1e-12);
  }

  @Test
  void badMethodIsNamed() {
    PipelineConfig c =
        PipelineConfig.builder()
            .optEnvironment(Map.of())
            .optSet("augment.methods", "[synonym, magic]")
            .build();
    var e =
        org.junit.jupiter.api.Assertions.assertThrows(
            io.instructlake.config.ConfigError.class,
            () -> AugmentOptions.from(c.section("augment")));
    assertTrue(e.getMessage().contains("augment.methods"), e.getMessage());
  }
}
