package io.instructlake.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every benchmark {@code bin/pipeline bench NAME} offers is on the CLI's classpath with a main. */
class BenchCommandTest {
  @Test
  void everyBenchmarkResolvesToAMainOutsideTheLibrary() throws Exception {
    assertTrue(BenchCommand.BENCHMARKS.size() >= 7, BenchCommand.BENCHMARKS.toString());
    for (Map.Entry<String, String> e : BenchCommand.BENCHMARKS.entrySet()) {
      Class<?> c = Class.forName(e.getValue());
      Method main = c.getMethod("main", String[].class);
      assertTrue(Modifier.isStatic(main.getModifiers()), e.getKey());
      assertEquals(
          "io.instructlake.bench",
          c.getPackageName(),
          e.getKey() + ": benchmarks live in the benchmarks module, not in the library");
    }
  }
}
