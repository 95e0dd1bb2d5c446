package io.instructlake.clean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instructlake.config.ConfigError;
import io.instructlake.config.PipelineConfig;
import io.instructlake.train.data.TokenizerBuilder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each filter on inputs whose outcome is computed in the test, English and Chinese. */
class CleanFiltersTest {
  private static final CleanOptions OPTS = CleanOptions.defaults();
  private static final String EN_GOOD =
      "The committee reviewed the budget and agreed that the new library should open in the spring."
          + " Members noted that the costs of construction have risen with inflation, so they asked"
          + " the city to share the expense with the county and to report back next month. The mayor said that"
          + " the plan would be discussed again at the public meeting on Tuesday evening.";
  private static final String ZH_GOOD =
      "细胞理论是生物学的一个基础理论，它认为所有的生物都是由细胞构成的。细胞是生命活动的基本单位，"
          + "新的细胞只能由已经存在的细胞分裂产生。这一理论在十九世纪由多位科学家共同提出，对现代医学和"
          + "遗传学的发展有很大的影响。科学家们通过显微镜观察到了植物和动物的细胞结构，并且发现它们有许多共同的特点。";

  private static CleanRecord qa(String prompt, String response) {
    return new CleanRecord(
        null,
        List.of(
            new CleanRecord.Message("user", prompt),
            new CleanRecord.Message("assistant", response)),
        prompt,
        response);
  }

  // ---------------------------------------------------------------- length

  @Test
  void mixedTokenizerCountsCjkCharactersWordsAndSymbols() {
    // Hello | , | 世 | 界 | abc123 | !  -> 6
    assertEquals(6, LengthFilter.mixedTokens("Hello, 世界 abc123!"));
  }

  @Test
  void shortChineseResponseKeptShortEnglishDropped() {
    LengthFilter f = new LengthFilter(OPTS.length());
    // 8 Han characters: far below 50, above the zh minimum of 2.
    assertNull(f.check("介绍一下你自己", "我是一个助手。"));
    Drop d = f.check("Is it?", "Yes");
    assertEquals("too_short", d.reason());
    int min = OPTS.length().other().responseMinChars();
    assertEquals("response chars 3 < clean.length.other.response-min-chars = " + min, d.detail());
    String longZh = "字".repeat(OPTS.length().zh().responseMaxChars() + 1);
    Drop l = f.check("写一篇文章", longZh);
    assertEquals("too_long", l.reason());
    assertTrue(l.detail().startsWith("response chars " + longZh.length() + " > clean.length.zh"));
  }

  @Test
  void tokenBoundsApply() {
    PipelineConfig c =
        PipelineConfig.builder()
            .optEnvironment(java.util.Map.of())
            .optSet("clean.length.other.response-max-tokens", "5")
            .build();
    LengthFilter f = new LengthFilter(CleanOptions.from(c).length());
    // "one two three, four five six" -> 6 words + 1 comma = 7 mixed tokens.
    Drop d = f.check("Count", "one two three, four five six");
    assertEquals("too_long", d.reason());
    assertEquals("response tokens 7 > clean.length.other.response-max-tokens = 5", d.detail());
  }

  private static LengthFilter withTokenizer(String tokenizer, String maxResponseTokens) {
    PipelineConfig c =
        PipelineConfig.builder()
            .optEnvironment(java.util.Map.of())
            .optSet("clean.length.tokenizer", tokenizer)
            .optSet("clean.length.zh.response-max-tokens", maxResponseTokens)
            .optSet("clean.length.other.response-max-tokens", maxResponseTokens)
            .build();
    return new LengthFilter(CleanOptions.from(c).length());
  }

  @Test
  void hanlpTokenizerCountsSegmentedWords() {
    LengthFilter f = withTokenizer("hanlp", "2");
    // HanLP's own README example: 商品和服务 segments as 商品 / 和 / 服务 (3 words, 5 characters).
    assertEquals(3, f.tokens("商品和服务"));
    assertEquals(5, LengthFilter.mixedTokens("商品和服务"));
    // Spaces are not tokens: "商品 和 服务" is still three words.
    assertEquals(3, f.tokens("商品 和 服务"));
    Drop d = f.check("介绍", "商品和服务");
    assertEquals("too_long", d.reason());
    assertEquals("response tokens 3 > clean.length.zh.response-max-tokens = 2", d.detail());
  }

  @Test
  void hfTokenizerJsonCountsTheModelsTokens(@TempDir Path dir) throws Exception {
    // The project's WordLevel tokenizer.json: CJK characters are single tokens, then runs of word
    // characters or of punctuation (\w+|[^\w\s]+); unknown words are one <unk> each.
    Path tok = dir.resolve("tokenizer.json");
    TokenizerBuilder.write(List.of("wait what is the plan", "世界 你好"), 100, tok);
    LengthFilter f = withTokenizer("hf:" + tok, "3");
    // Wait | ... | what | ?!  -> 4 (the mixed rule counts each dot and mark: 7)
    assertEquals(4, f.tokens("Wait... what?!"));
    assertEquals(7, LengthFilter.mixedTokens("Wait... what?!"));
    // 世 | 界 | 你 | 好 | , | zebra(<unk>) -> 6
    assertEquals(6, f.tokens("世界你好, zebra"));
    Drop d = f.check("Ask", "Wait... what?!");
    assertEquals("response tokens 4 > clean.length.other.response-max-tokens = 3", d.detail());
    ConfigError e =
        assertThrows(
            ConfigError.class, () -> withTokenizer("hf:" + dir.resolve("missing.json"), "3"));
    assertTrue(e.getMessage().contains("clean.length.tokenizer"), e.getMessage());
  }

  // ---------------------------------------------------------------- language

  @Test
  void languageIdentificationAndCjkRules() {
    LanguageIdentifier id = new LanguageIdentifier(OPTS.language());
    LanguageIdentifier.Result en = id.identify(EN_GOOD);
    assertEquals("en", en.lang());
    assertNull(id.check(en));
    LanguageIdentifier.Result zh = id.identify(ZH_GOOD);
    assertEquals("zh", zh.lang());
    assertEquals(1.0, zh.confidence()); // fast path: Han share above cjk-fast-path-share
    LanguageIdentifier.Result fr =
        id.identify(
            "Le comité a examiné le budget et a convenu que la nouvelle bibliothèque devrait ouvrir"
                + " au printemps prochain avec le soutien de la ville.");
    assertEquals("fr", fr.lang());
    Drop d = id.check(fr);
    assertEquals("wrong_language", d.reason());
    assertTrue(d.detail().startsWith("language fr"), d.detail());
    LanguageIdentifier.Result ja = id.identify("私は毎朝コーヒーを飲みながら新聞を読みます。今日はとても良い天気ですね。");
    assertEquals("ja", ja.lang());
    assertEquals("wrong_language", id.check(ja).reason());
    LanguageIdentifier.Result shortText = id.identify("ok");
    assertEquals(LanguageIdentifier.UNDETERMINED, shortText.lang());
    assertNull(id.check(shortText)); // keep-undetermined = true
  }

  @Test
  void chineseLabelNeedsEnoughHanCharacters() {
    LanguageIdentifier id = new LanguageIdentifier(OPTS.language());
    // 2 Han characters among 22 letters: share 2/22 = 0.091 < zh-min-cjk-share 0.2.
    LanguageIdentifier.Result r = new LanguageIdentifier.Result("zh", 0.9, 2 / 22.0);
    Drop d = id.check(r);
    assertEquals("wrong_language", d.reason());
    assertTrue(d.detail().contains("0.091"), d.detail());
  }

  // ---------------------------------------------------------------- quality

  private static QualityFilter quality() {
    return new QualityFilter(OPTS.quality(), OPTS.length().cjkShare());
  }

  @Test
  void goodTextsPassQuality() {
    assertNull(quality().check(EN_GOOD));
    assertNull(quality().check(ZH_GOOD));
  }

  @Test
  void symbolRatio() {
    // 60 words of which 10 are "#": 10 / 60 = 0.167 > 0.1.
    List<String> w = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      w.add(i % 3 == 0 ? "the" : "word" + i);
    }
    for (int i = 0; i < 10; i++) {
      w.add("#");
    }
    Drop d = quality().check(String.join(" ", w));
    assertEquals("low_quality_symbol_ratio", d.reason());
    assertTrue(d.detail().contains("= " + String.format("%.3f", 10 / 60.0)), d.detail());
  }

  @Test
  void bulletAndEllipsisLines() {
    StringBuilder bullets = new StringBuilder();
    for (int i = 0; i < 10; i++) {
      bullets.append("- the item number ").append(i).append(" of the list\n");
    }
    Drop b = quality().check(bullets.toString());
    assertEquals("low_quality_bullet_lines", b.reason());
    assertTrue(b.detail().contains("10 of 10 lines"), b.detail());

    StringBuilder ell = new StringBuilder();
    for (int i = 0; i < 10; i++) {
      ell.append("and then the story of part ").append(i).append(" goes on with more words");
      ell.append(i < 4 ? "...\n" : ".\n");
    }
    // 4 of 10 lines = 0.4 > 0.3; 4 ellipses over 110 words keeps the symbol ratio low.
    Drop e = quality().check(ell.toString());
    assertEquals("low_quality_ellipsis_lines", e.reason());
    assertTrue(e.detail().contains("4 of 10 lines"), e.detail());
  }

  @Test
  void repeatedLines() {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < 6; i++) {
      s.append("line ").append(i).append(" says that the value of x is known and fixed\n");
    }
    for (int i = 0; i < 4; i++) {
      s.append("line 0 says that the value of x is known and fixed\n");
    }
    Drop d = quality().check(s.toString());
    assertEquals("low_quality_repeated_lines", d.reason());
    assertTrue(d.detail().startsWith("repeated_lines: 4 of 10 lines"), d.detail());
  }

  @Test
  void ngramMeasuresMatchHandComputation() {
    List<String> w = List.of("a", "b", "c", "d", "e", "a", "b", "c", "d", "e", "x");
    // abcde occurs twice: words 0..9 covered, x not: 10 / 11.
    assertEquals(10 / 11.0, QualityFilter.duplicateNgramShare(w, 5), 1e-12);
    // Top bigram "a b" (also b c, c d, d e) occurs 2 times, 2 chars each: 4 / 11.
    assertEquals(4 / 11.0, QualityFilter.topNgramShare(w, 2), 1e-12);
  }

  @Test
  void chineseRepetitionUsesCharacterNgrams() {
    String phrase = "我爱北京天安门";
    String text = phrase.repeat(20);
    // Every 3-gram inside the phrase occurs 20 times: 20 * 3 / 140 characters.
    Drop d = quality().check(text);
    assertEquals("low_quality_top_ngram", d.reason());
    assertTrue(d.detail().contains(String.format("%.3f", 60 / 140.0)), d.detail());
  }

  @Test
  void stopWordsEnglishAndChinese() {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < 55; i++) {
      s.append("token").append(i).append(' ');
    }
    Drop d = quality().check(s.toString());
    assertEquals("low_quality_stop_words", d.reason());
    assertEquals("stop_words: 0 stop words < min-stop-words 2", d.detail());
    // 120 distinct Han characters, none of them a stop word.
    StringBuilder zh = new StringBuilder();
    for (int i = 0; i < 120; i++) {
      zh.appendCodePoint(0x5800 + i * 3);
    }
    String z = zh.toString();
    for (String sw : OPTS.quality().zhStopWords()) {
      assertTrue(!z.contains(sw));
    }
    Drop dz = quality().check(z);
    assertEquals("low_quality_stop_words", dz.reason());
    assertTrue(dz.detail().startsWith("stop_words: 0 Chinese stop words"), dz.detail());
  }

  @Test
  void workedMathAndCodeSkipTheProseRules() {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < 12; i++) {
      s.append("She sold ").append(i).append(" * 2 = <<").append(i).append("*2=").append(2 * i);
      s.append(">>").append(2 * i).append(" clips in the month of May and in June\n");
    }
    s.append("#### 72");
    assertTrue(QualityFilter.looksLikeCodeOrMath(s.toString()));
    assertNull(quality().check(s.toString()));
    assertTrue(!QualityFilter.looksLikeCodeOrMath(EN_GOOD));
  }

  @Test
  void meanWordLength() {
    StringBuilder s = new StringBuilder("the and the ");
    for (int i = 0; i < 50; i++) {
      s.append("incomprehensibilities").append((char) ('a' + i / 26)).append((char) ('a' + i % 26));
      s.append(' ');
    }
    // (3 + 3 + 3 + 50 * 23) / 53 = 21.87 > 10.
    Drop d = quality().check(s.toString());
    assertEquals("low_quality_mean_word_length", d.reason());
    assertTrue(d.detail().contains(String.format("%.2f", (9 + 50 * 23) / 53.0)), d.detail());
  }

  // ---------------------------------------------------------------- structure, regex

  private static RecordChecks checks(CleanOptions o) {
    return new RecordChecks(o.structure(), o.regex());
  }

  @Test
  void structuralChecks() {
    RecordChecks c = checks(OPTS);
    assertEquals("empty_turn", c.emptyTurn(qa("hi", "  ")).reason());
    assertEquals("turn 2 (assistant) is blank", c.emptyTurn(qa("hi", "  ")).detail());
    assertEquals(
        "record has no assistant turn",
        c.emptyTurn(
                new CleanRecord(null, List.of(new CleanRecord.Message("user", "x")), null, null))
            .detail());
    assertEquals(
        "response_equals_prompt", c.responseEqualsPrompt(qa("Repeat", " repeat ")).reason());
    assertNull(c.responseEqualsPrompt(qa("Repeat", "Repeat it")));
    Drop slot = c.templateSlot(qa("Who are you?", "I am {{name}}, made by {{author}}."));
    assertEquals("template_slot", slot.reason());
    assertTrue(slot.detail().startsWith("unfilled slot '{{name}}'"), slot.detail());
    assertEquals("template_slot", c.templateSlot(qa("写信", "此致敬礼，[Your Name]")).reason());
    assertNull(c.templateSlot(qa("Python dict?", "Use d = {'name': 1} or {name}.")));
    assertEquals(
        "refusal", c.refusal(qa("Hack it", "As an AI language model, I cannot do that.")).reason());
    assertEquals("refusal", c.refusal(qa("帮我", "抱歉，我无法回答这个问题。")).reason());
    assertNull(c.refusal(qa("Book a flight", "I'm sorry, but I am unable to book flights.")));
  }

  @Test
  void regexKeepAndDrop() {
    PipelineConfig c =
        PipelineConfig.builder()
            .optEnvironment(java.util.Map.of())
            .optSet("clean.regex.drop", "[\"(?i)lorem ipsum\"]")
            .optSet("clean.regex.keep", "[\"财务|finance\"]")
            .build();
    RecordChecks r = checks(CleanOptions.from(c));
    assertEquals("regex_drop", r.regex(qa("x", "Lorem ipsum dolor finance")).reason());
    assertEquals("regex_no_keep_match", r.regex(qa("天气", "今天晴")).reason());
    assertNull(r.regex(qa("财务报表怎么看", "先看资产负债表。")));
  }

  // ---------------------------------------------------------------- options

  @Test
  void badOptionsNameTheKey() {
    ConfigError e =
        assertThrows(
            ConfigError.class,
            () ->
                CleanOptions.from(
                    PipelineConfig.builder()
                        .optEnvironment(java.util.Map.of())
                        .optSet("clean.language.allow", "[en, xx]")
                        .build()));
    assertTrue(e.getMessage().contains("clean.language.allow"), e.getMessage());
    ConfigError e2 =
        assertThrows(
            ConfigError.class,
            () ->
                CleanOptions.from(
                    PipelineConfig.builder()
                        .optEnvironment(java.util.Map.of())
                        .optSet("clean.quality.top-ngram-max-share", "[0.2]")
                        .build()));
    assertTrue(e2.getMessage().contains("clean.quality.top-ngram-max-share"), e2.getMessage());
    ConfigError e3 =
        assertThrows(
            ConfigError.class,
            () ->
                CleanOptions.from(
                    PipelineConfig.builder()
                        .optEnvironment(java.util.Map.of())
                        .optSet("clean.structure.refusals", "[\"(unclosed\"]")
                        .build()));
    assertTrue(e3.getMessage().contains("clean.structure.refusals"), e3.getMessage());
    assertNotNull(OPTS.normalizer());
  }
}
