package io.instructlake.clean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class TextNormalizerTest {
  private final TextNormalizer all = TextNormalizer.builder().build();

  @Test
  void fullWidthLettersAndDigitsBecomeAsciiButChinesePunctuationStays() {
    assertEquals("ABC123", all.normalize("ＡＢＣ１２３"));
    // "，" sits between Chinese characters: kept; the one between ASCII letters is converted.
    assertEquals("你好，世界", all.normalize("你好，世界"));
    assertEquals("a,b", all.normalize("a，b"));
    assertEquals("价格(元):100", all.normalize("价格(元):１００"));
    assertEquals("（注意）", all.normalize("（注意）"));
  }

  @Test
  void htmlTagsAndEntities() {
    assertEquals("bold & <b", all.normalize("<b>bold</b> &amp; &lt;b"));
    assertEquals("one\ntwo", all.normalize("one<br/>two"));
    assertEquals("x", all.normalize("<span class=\"a\">x</span><!-- c -->"));
    // Comparisons in code are not tags.
    assertEquals("if (a < b && c > d)", all.normalize("if (a < b && c > d)"));
  }

  @Test
  void invisibleAndWhitespace() {
    assertEquals("ab c", all.normalize("a\u200Bb\u00AD   c\u0007"));
    assertEquals("line1\n\nline2", all.normalize("line1  \r\n\r\n\r\n\r\nline2\t"));
    assertEquals("def f():\n    return 1", all.normalize("def f():\n    return 1"));
    assertEquals("中 文", all.normalize("中\u3000文"));
  }

  @Test
  void repeatedPunctuation() {
    assertEquals("好!!!", all.normalize("好!!!!!!!"));
    assertEquals("什么？？？", all.normalize("什么？？？？？？"));
    assertEquals("wait......", all.normalize("wait......"));
    assertEquals(
        "wow!!!!",
        TextNormalizer.builder().optMaxRepeatedPunctuation(0).build().normalize("wow!!!!"));
  }

  @Test
  void stepsCanBeSwitchedOff() {
    TextNormalizer none =
        TextNormalizer.builder()
            .optHtml(false)
            .optNfkc(false)
            .optControlChars(false)
            .optWhitespace(false)
            .optMaxRepeatedPunctuation(0)
            .build();
    String s = " <b>ＡＢ</b>\u200B!!!!  ";
    assertEquals(s, none.normalize(s));
    assertNull(all.normalize(null));
  }

  @Test
  void builderRejectsBadValues() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> TextNormalizer.builder().optMaxRepeatedPunctuation(-1).build());
    assertTrue(e.getMessage().contains("-1"), e.getMessage());
  }

  /** Property: normalize is idempotent on random mixes of the characters every step touches. */
  @Test
  void idempotentOnRandomInput() {
    String[] pieces = {
      "a", "Z", "中", "文", "，", "。", "！", "!", "?", "？", "（", "）", "Ａ", "１", " ", "  ", "\t", "\n",
      "\r\n", "\u200B", "\u00AD", "\u3000", "\u00A0", "<b>", "</b>", "<br>", "&amp;", "&lt;", "&",
      "lt;", "amp;", "<", ">", "b>", "ﬁ", "①", "㎏", "\u0301", "e", "：", "、", "~", "～", ".", "'",
      "\""
    };
    Random rnd = new Random(20261122L);
    for (int n = 0; n < 20000; n++) {
      StringBuilder sb = new StringBuilder();
      int len = 1 + rnd.nextInt(25);
      for (int i = 0; i < len; i++) {
        sb.append(pieces[rnd.nextInt(pieces.length)]);
      }
      String once = all.normalize(sb.toString());
      String twice = all.normalize(once);
      assertEquals(once, twice, "not idempotent for input [" + sb + "]");
    }
  }
}
