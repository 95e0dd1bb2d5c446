package io.instructlake.clean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instructlake.clean.PiiRedactor.Span;
import io.instructlake.clean.PiiRedactor.Type;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Measures the redactor on the labelled set {@code clean/pii_labelled.tsv} (Chinese and English,
 * positives and look-alike negatives; see make_pii_labelled.py which computes check digits
 * independently) and checks the validators against hand-computed values.
 */
class PiiRedactorTest {
  private static final Pattern MARK = Pattern.compile("(?s)\\[\\[([A-Z_]+)\\|(.*?)]]");
  private final PiiRedactor redactor = PiiRedactor.create();

  record Labelled(String kind, String lang, String text, List<Span> expected) {}

  static List<Labelled> load() throws IOException {
    List<Labelled> out = new ArrayList<>();
    try (BufferedReader r =
        new BufferedReader(
            new InputStreamReader(
                Objects.requireNonNull(
                    PiiRedactorTest.class.getResourceAsStream("/clean/pii_labelled.tsv")),
                StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        if (line.startsWith("#") || line.isBlank()) {
          continue;
        }
        String[] cols = line.split("\t", 3);
        String marked = cols[2].replace("\\n", "\n");
        StringBuilder text = new StringBuilder();
        List<Span> expected = new ArrayList<>();
        Matcher m = MARK.matcher(marked);
        int pos = 0;
        while (m.find()) {
          text.append(marked, pos, m.start());
          int start = text.length();
          text.append(m.group(2));
          expected.add(new Span(start, text.length(), Type.valueOf(m.group(1)), m.group(2)));
          pos = m.end();
        }
        text.append(marked.substring(pos));
        out.add(new Labelled(cols[0], cols[1], text.toString(), expected));
      }
    }
    return out;
  }

  @Test
  void labelledSetMeetsRecallAndPrecisionPerType() throws IOException {
    List<Labelled> set = load();
    assertTrue(set.size() >= 600, "labelled set has " + set.size() + " sentences");
    Map<Type, int[]> tally = new EnumMap<>(Type.class); // tp, fn, fp
    for (Type t : Type.values()) {
      tally.put(t, new int[3]);
    }
    List<String> misses = new ArrayList<>();
    for (Labelled l : set) {
      List<Span> found = redactor.find(l.text());
      for (Span e : l.expected()) {
        if (found.contains(e)) {
          tally.get(e.type())[0]++;
        } else {
          tally.get(e.type())[1]++;
          misses.add("FN " + e.type() + " '" + e.value() + "' in: " + l.text());
        }
      }
      for (Span f : found) {
        if (!l.expected().contains(f)) {
          tally.get(f.type())[2]++;
          misses.add("FP " + f.type() + " '" + f.value() + "' in: " + l.text());
        }
      }
    }
    StringBuilder report = new StringBuilder();
    for (Map.Entry<Type, int[]> e : tally.entrySet()) {
      int[] c = e.getValue();
      double recall = c[0] + c[1] == 0 ? 1.0 : c[0] / (double) (c[0] + c[1]);
      double precision = c[0] + c[2] == 0 ? 1.0 : c[0] / (double) (c[0] + c[2]);
      report.append(
          String.format(
              "%s tp=%d fn=%d fp=%d recall=%.3f precision=%.3f%n",
              e.getKey(), c[0], c[1], c[2], recall, precision));
    }
    System.out.println(report);
    misses.forEach(System.out::println);
    for (Map.Entry<Type, int[]> e : tally.entrySet()) {
      int[] c = e.getValue();
      assertTrue(c[0] >= 20, e.getKey() + " has too few positives: " + c[0]);
      double recall = c[0] / (double) (c[0] + c[1]);
      double precision = c[0] / (double) (c[0] + c[2]);
      assertTrue(recall >= 0.99, e.getKey() + " recall " + recall + "\n" + report + misses);
      assertTrue(
          precision >= 0.95, e.getKey() + " precision " + precision + "\n" + report + misses);
    }
  }

  @Test
  void residentIdCheckDigitComputedByHand() {
    // 11010519491231002: weighted sum 167 -> 167 % 11 = 2 -> check char 'X' (table 10X98765432).
    assertEquals('X', PiiRedactor.residentIdCheckChar("11010519491231002"));
    assertTrue(PiiRedactor.isResidentId("11010519491231002X"));
    assertTrue(PiiRedactor.isResidentId("11010519491231002x"));
    assertFalse(PiiRedactor.isResidentId("110105194912310021"));
    // Valid check digit but impossible date (Feb 30).
    String first = "11010519490230002";
    assertFalse(PiiRedactor.isResidentId(first + PiiRedactor.residentIdCheckChar(first)));
  }

  @Test
  void luhnAndCardRules() {
    assertTrue(PiiRedactor.luhnValid("4111111111111111"));
    assertFalse(PiiRedactor.luhnValid("4111111111111112"));
    assertTrue(PiiRedactor.isBankCard("4111111111111111"));
    assertTrue(PiiRedactor.isBankCard("378282246310005")); // Amex test number, 15 digits
    assertFalse(PiiRedactor.isBankCard("100000000000008")); // Luhn-valid, 15 digits, no issuer
  }

  @Test
  void redactsConsistentlyAcrossFieldsAndCounts() {
    String valid = "4111111111111111";
    PiiRedactor.Redaction r =
        redactor.redactRecord(
            List.of(
                "卡号" + valid + "，邮箱a.b@example.com",
                "order number " + valid + " again a.b@example.com",
                "view " + valid),
            2);
    assertEquals("卡号<BANK_CARD>，邮箱<EMAIL>", r.texts().get(0));
    // In field 2 the card follows "order number" (skipped there) but is replaced since field 1
    // showed it is a card.
    assertEquals("order number <BANK_CARD> again <EMAIL>", r.texts().get(1));
    assertEquals("view <BANK_CARD>", r.texts().get(2));
    assertEquals(2, r.counts().get(Type.BANK_CARD));
    assertEquals(2, r.counts().get(Type.EMAIL));
    assertEquals(Map.of("bank_card", 2, "email", 2), r.countsByKey());
  }

  @Test
  void fullWidthDigitsNeedNormalizationFirst() {
    // The redactor sees ASCII digits only; TextNormalizer maps full-width digits before it runs.
    String fw = "手机１３８１２３４５６７８";
    assertTrue(redactor.find(fw).isEmpty());
    String normalized = TextNormalizer.builder().build().normalize(fw);
    assertEquals("手机<PHONE>", redactor.redact(normalized).text());
  }
}
