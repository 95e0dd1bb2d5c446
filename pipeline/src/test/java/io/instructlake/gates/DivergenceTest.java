package io.instructlake.gates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class DivergenceTest {
  private static final double TOL = 1e-6;

  @Test
  void disjointSupportsHaveJensenShannonOne() {
    // m = (0.5, 0.5); KL2(p||m) = 1 * log2(1 / 0.5) = 1, same for q; JS = (1 + 1) / 2 = 1.
    assertEquals(1.0, Divergence.jensenShannon(Map.of("a", 1L), Map.of("b", 1L)), 1e-12);
  }

  @Test
  void identicalDistributionsHaveZeroDivergence() {
    Map<String, Long> p = Map.of("a", 3L, "b", 1L, "c", 0L);
    Map<String, Long> q = Map.of("a", 30L, "b", 10L); // same shape, other scale
    assertEquals(0.0, Divergence.kl(p, q, 1e-6), 1e-12);
    assertEquals(0.0, Divergence.psi(p, q, 1e-6), 1e-12);
    assertEquals(0.0, Divergence.jensenShannon(p, q), 1e-12);
  }

  @Test
  void workedExampleWithoutSmoothing() {
    // p = {a:3, b:1} -> (0.75, 0.25); q = {a:1, b:1} -> (0.5, 0.5).
    // KL(p||q) = 0.75 ln 1.5 + 0.25 ln 0.5 = 0.75*0.405465 - 0.25*0.693147 = 0.130812
    // PSI = (0.25) ln 1.5 + (-0.25) ln 0.5 = 0.101366 + 0.173287 = 0.274653
    // JS: m = (0.625, 0.375); KL2(p||m) = 0.75 log2 1.2 + 0.25 log2(2/3) = 0.197276 - 0.146241
    //     = 0.051035; KL2(q||m) = 0.5 log2 0.8 + 0.5 log2(4/3) = -0.160964 + 0.207519 = 0.046555;
    //     JS = (0.051035 + 0.046555) / 2 = 0.048795
    Map<String, Long> p = Map.of("a", 3L, "b", 1L);
    Map<String, Long> q = Map.of("a", 1L, "b", 1L);
    assertEquals(0.130812, Divergence.kl(p, q, 0.0), TOL);
    assertEquals(0.274653, Divergence.psi(p, q, 0.0), TOL);
    assertEquals(0.048795, Divergence.jensenShannon(p, q), TOL);
    assertEquals(Divergence.jensenShannon(p, q), Divergence.jensenShannon(q, p), 1e-15);
  }

  @Test
  void smoothingKeepsDisjointKlAndPsiFinite() {
    // eps = 0.01 over k = 2 keys: p' = (1.01, 0.01) / 1.02, q' = (0.01, 1.01) / 1.02.
    // KL = (1.01/1.02) ln 101 + (0.01/1.02) ln(1/101) = (1/1.02) ln 101 = (1/1.02) * 4.615121 =
    // 4.524628
    // PSI = 2 * (1/1.02) ln 101 = 9.049256
    Map<String, Long> p = Map.of("a", 1L);
    Map<String, Long> q = Map.of("b", 1L);
    assertEquals(Math.log(101) / 1.02, Divergence.kl(p, q, 0.01), 1e-12);
    assertEquals(4.524628, Divergence.kl(p, q, 0.01), TOL);
    assertEquals(9.049256, Divergence.psi(p, q, 0.01), TOL);
    assertTrue(Double.isInfinite(Divergence.kl(p, q, 0.0)));
  }

  @Test
  void emptyDistributionIsUndefined() {
    assertTrue(Double.isNaN(Divergence.jensenShannon(Map.of(), Map.of("a", 1L))));
    assertTrue(Double.isNaN(Divergence.kl(Map.of("a", 0L), Map.of("a", 1L), 1e-6)));
  }
}
