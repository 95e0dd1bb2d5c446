package io.instructlake.corpus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CorpusGeneratorTest {
  @TempDir Path dir;

  private Manifest gen(Path out, long seed) throws IOException {
    return CorpusGenerator.builder()
        .setOutputDir(out)
        .optRecords(1500)
        .optSeed(seed)
        .optRecordsPerFile(300)
        .build()
        .generate();
  }

  private static List<Path> files(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(Files::isRegularFile).sorted().toList();
    }
  }

  @Test
  void sameSeedGivesByteIdenticalFilesAndOtherSeedsDiffer() throws Exception {
    Manifest a = gen(dir.resolve("a"), 11);
    Manifest b = gen(dir.resolve("b"), 11);
    gen(dir.resolve("c"), 12);
    List<Path> fa = files(dir.resolve("a"));
    List<Path> fb = files(dir.resolve("b"));
    assertEquals(fa.size(), fb.size());
    for (int i = 0; i < fa.size(); i++) {
      assertEquals(dir.resolve("a").relativize(fa.get(i)), dir.resolve("b").relativize(fb.get(i)));
      assertArrayEquals(
          Files.readAllBytes(fa.get(i)), Files.readAllBytes(fb.get(i)), fa.get(i).toString());
    }
    assertEquals(a.validRecords, b.validRecords);
    Path someA = dir.resolve("a").resolve("alpaca").resolve("part-00000.json");
    Path someC = dir.resolve("c").resolve("alpaca").resolve("part-00000.json");
    assertNotEquals(Files.readString(someA), Files.readString(someC));
  }

  @Test
  void manifestCountsAddUpAndEveryFormatIsWritten() throws Exception {
    Manifest m = gen(dir.resolve("m"), 3);
    assertEquals(1500, m.units);
    assertEquals(m.units, m.validRecords + m.malformedTotal());
    assertEquals(7, m.byFileKind.size(), m.byFileKind.toString());
    assertEquals(m.validRecords, m.byFileKind.values().stream().mapToLong(Long::longValue).sum());
    assertTrue(m.exactDuplicates > 0 && m.nearDuplicates > 0 && m.malformedTotal() > 0);
    // Skewed categories: finance is the largest, code the smallest.
    assertTrue(m.categories.get("finance") > m.categories.get("code") * 3, m.categories.toString());
    assertTrue(Files.exists(dir.resolve("m").resolve("_manifest.json")));
  }

  @Test
  void injectedIdNumbersAndCardsAreValid() {
    Random r = new Random(1);
    int[] w = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    for (int i = 0; i < 200; i++) {
      String id = CorpusGenerator.idCard(r);
      assertEquals(18, id.length());
      int sum = 0;
      for (int k = 0; k < 17; k++) {
        sum += (id.charAt(k) - '0') * w[k];
      }
      assertEquals("10X98765432".charAt(sum % 11), id.charAt(17), id);
      String card = CorpusGenerator.luhnCard(r);
      int s = 0;
      for (int k = 0; k < card.length(); k++) {
        int d = card.charAt(card.length() - 1 - k) - '0';
        if (k % 2 == 1) {
          d = d * 2 > 9 ? d * 2 - 9 : d * 2;
        }
        s += d;
      }
      assertEquals(0, s % 10, card);
    }
  }
}
