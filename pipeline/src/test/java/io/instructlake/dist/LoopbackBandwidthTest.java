package io.instructlake.dist;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LoopbackBandwidthTest {
  @Test
  void measuresAPositiveFiniteRate() {
    double one = LoopbackBandwidth.oneWay(16L << 20);
    double both = LoopbackBandwidth.bothWays(16L << 20);
    // any machine moves more than 1 MB/s over loopback and less than 1 TB/s
    assertTrue(one > 1e6 && one < 1e12, "one way " + one);
    assertTrue(both > 1e6 && both < 1e12, "both ways " + both);
  }

  @Test
  void rejectsAnEmptyTransfer() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> LoopbackBandwidth.oneWay(0));
    assertTrue(e.getMessage().contains("got 0"), e.getMessage());
  }
}
