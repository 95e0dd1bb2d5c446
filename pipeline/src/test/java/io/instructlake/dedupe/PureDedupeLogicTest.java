package io.instructlake.dedupe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Normalization, keys, shingling, Jaccard, MinHash and the banding chooser (no Spark). */
class PureDedupeLogicTest {
  private final ContentNormalizer norm = ContentNormalizer.defaults();

  @Test
  void normalizerAppliesNfkcWhitespaceAndOptionalCaseFold() {
    assertEquals("ABC1 x", norm.normalize("ＡＢＣ１\u3000\t x \n"));
    assertEquals("", norm.normalize(null));
    ContentNormalizer fold = ContentNormalizer.builder().optCaseFold(true).build();
    assertEquals(fold.normalize("STRASSE"), fold.normalize("Straße"));
    ContentNormalizer raw =
        ContentNormalizer.builder().optNfkc(false).optCollapseWhitespace(false).build();
    assertEquals("ＡＢ  c", raw.normalize("ＡＢ  c"));
  }

  @Test
  void keyIgnoresNormalizedDifferencesButNotContentOrBoundaries() {
    DedupeKey k = new DedupeKey(norm, true);
    List<String> roles = List.of("user", "assistant");
    String a = k.key("sys", roles, List.of("Hello  world", "Hi"), null);
    String b = k.key(" sys ", roles, List.of("Hello world\n", "Ｈｉ"), "");
    assertEquals(a, b);
    assertEquals(32, a.length());
    assertNotEquals(a, k.key("sys", roles, List.of("Hello worl", "dHi"), null));
    assertNotEquals(
        a, k.key("sys", List.of("assistant", "user"), List.of("Hello world", "Hi"), null));
    assertNotEquals(a, k.key("sys", roles, List.of("Hello world", "Hi"), "[{\"name\":\"f\"}]"));
    DedupeKey noTools = new DedupeKey(norm, false);
    assertEquals(
        noTools.key("s", roles, List.of("x", "y"), null),
        noTools.key("s", roles, List.of("x", "y"), "[{\"name\":\"f\"}]"));
    // The key is the documented hash of the documented canonical form.
    String expected =
        DedupeKey.sha256Hex32("\u0000sys\u0001user\u0002Hello world\u0001assistant\u0002Hi\u0003");
    assertEquals(expected, a);
  }

  @Test
  void shinglerUsesCharNgramsForChineseAndWordNgramsOtherwise() {
    Shingler s = Shingler.builder().optCharNgram(2).optWordNgram(2).build();
    assertEquals(Shingler.Mode.CHAR, s.modeFor("今天天气很好 ok"));
    assertEquals(Shingler.Mode.WORD, s.modeFor("the weather is nice 好"));
    assertEquals(List.of("今天", "天天", "天气"), s.shingleStrings("今天 天气"));
    assertEquals(List.of("the cat", "cat sat"), s.shingleStrings("the cat, sat"));
    // Short text is one shingle, never nothing.
    assertEquals(List.of("hi"), s.shingleStrings("hi"));
    assertEquals(1, s.shingles("hi").length);
    assertEquals(0, s.shingles("").length);
    // Hashes are the distinct shingles: "a b a b" has shingles {a b, b a}.
    assertEquals(2, s.shingles("a b a b").length);
    assertThrows(IllegalArgumentException.class, () -> Shingler.builder().optWordNgram(0).build());
  }

  @Test
  void jaccardMatchesSetComputation() {
    Random r = new Random(7);
    for (int t = 0; t < 200; t++) {
      Set<Long> a = new HashSet<>();
      Set<Long> b = new HashSet<>();
      for (int i = 0; i < 30; i++) {
        a.add((long) r.nextInt(50));
        b.add((long) r.nextInt(50));
      }
      Set<Long> inter = new HashSet<>(a);
      inter.retainAll(b);
      Set<Long> union = new HashSet<>(a);
      union.addAll(b);
      double expected = inter.size() / (double) union.size();
      assertEquals(expected, Jaccard.of(sorted(a), sorted(b)), 1e-12);
    }
    assertEquals(1.0, Jaccard.of(new long[0], new long[0]));
    assertEquals(0.0, Jaccard.of(new long[] {1}, new long[0]));
  }

  @Test
  void minHashAgreementEstimatesJaccard() {
    MinHasher mh = new MinHasher(512, 1, 1, 42);
    Random r = new Random(3);
    for (double target : new double[] {0.2, 0.5, 0.8}) {
      // |A|=|B|=1000 with overlap c gives J = c / (2000 - c).
      int c = (int) Math.round(2000 * target / (1 + target));
      long[] a = new long[1000];
      long[] b = new long[1000];
      for (int i = 0; i < 1000; i++) {
        long shared = Shingler.mix64(r.nextLong());
        a[i] = i < c ? shared : Shingler.mix64(r.nextLong());
        b[i] = i < c ? shared : Shingler.mix64(r.nextLong());
      }
      java.util.Arrays.sort(a);
      java.util.Arrays.sort(b);
      long[] sa = mh.signature(a);
      long[] sb = mh.signature(b);
      int eq = 0;
      for (int i = 0; i < sa.length; i++) {
        eq += sa[i] == sb[i] ? 1 : 0;
      }
      double est = eq / 512.0;
      // Standard error sqrt(J(1-J)/k) <= 0.022; allow 4 sigma.
      assertEquals(Jaccard.of(a, b), est, 0.09, "target " + target);
    }
    assertEquals(0, mh.bandKeys(new long[0]).length);
    assertArrayEquals(mh.bandKeys(new long[] {1, 2, 3}), mh.bandKeys(new long[] {1, 2, 3}));
  }

  @Test
  void bandingChooserMatchesReferenceValues() {
    assertEquals(new BandingChooser.Banding(25, 10), BandingChooser.choose(0.7, 256));
    assertEquals(new BandingChooser.Banding(9, 13), BandingChooser.choose(0.8, 128));
    // With a recall floor the chooser keeps P(threshold) >= 0.95 and minimises error otherwise.
    BandingChooser.Banding floor = BandingChooser.choose(0.7, 128, 0.5, 0.5, 0.95);
    assertTrue(floor.candidateProbability(0.7) >= 0.95, floor.toString());
    assertTrue(floor.bands() * floor.rows() <= 128, floor.toString());
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> BandingChooser.choose(1.2, 128));
    assertTrue(e.getMessage().contains("1.2"), e.getMessage());
  }

  @Test
  void minHasherRejectsTooManyRows() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new MinHasher(10, 4, 3, 1));
    assertTrue(e.getMessage().contains("b=4"), e.getMessage());
  }

  private static long[] sorted(Set<Long> s) {
    return s.stream().mapToLong(Long::longValue).sorted().toArray();
  }
}
