package io.instructlake.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * Locates {@code ../shared/corpora} (real public instruction data). It is present in CI and on the
 * team's machines but not in a user's fresh clone, so tests that need it skip with this message
 * there.
 */
public final class SharedCorpora {
  private SharedCorpora() {}

  /** The corpora folder, or a skipped test (with the reason) when it is absent. */
  public static Path require() {
    Path p = locate();
    Assumptions.assumeTrue(
        p != null,
        "../shared/corpora is absent (a fresh clone has no shared data): skipping the test on real"
            + " corpora; CI and team machines have it");
    return p;
  }

  /** The folder, or null when absent. */
  public static Path locate() {
    String prop = System.getProperty("shared.corpora");
    if (prop != null && Files.isDirectory(Path.of(prop))) {
      return Path.of(prop).toAbsolutePath().normalize();
    }
    for (Path base = Path.of("").toAbsolutePath(); base != null; base = base.getParent()) {
      Path c = base.resolveSibling("shared").resolve("corpora");
      if (Files.isDirectory(c)) {
        return c.normalize();
      }
    }
    return null;
  }
}
