package io.instructlake.train.dp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GPU binding on a CPU machine: a discovery script gives each worker two "gpu" addresses, each
 * executor one and each task one; every rank must report the address it was given by {@code
 * TaskContext.resources()} (and, without a real GPU, train on CPU).
 */
class GpuBindingTest {
  @TempDir Path work;

  @Test
  void eachTaskTrainsWithTheGpuAddressSparkAssignedIt() throws Exception {
    Path script = work.resolve("gpus.sh");
    Files.writeString(script, "#!/bin/sh\necho '{\"name\":\"gpu\",\"addresses\":[\"0\",\"1\"]}'\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path out = work.resolve("out");
    ClusterHarness.Outcome o =
        ClusterHarness.run(work, 240, out.toString(), "2", "2", "0", "0", script.toString());
    assertEquals(0, o.exitCode(), "child driver failed:\n" + ClusterHarness.tail(o.log()));
    List<String> lines = Files.readAllLines(out.resolve("metrics.tsv"));
    for (int r = 0; r < 2; r++) {
      String prefix = r + "\t0\t0\tgpu_address\t";
      String line =
          lines.stream().filter(l -> l.startsWith(prefix)).findFirst().orElseThrow(() -> null);
      double addr = Double.parseDouble(line.substring(prefix.length()));
      assertTrue(addr == 0 || addr == 1, "rank " + r + " saw gpu address " + addr);
    }
    assertTrue(
        o.log().contains("assigned but the engine sees no GPU")
            || o.log().contains("training on GPU"),
        "no binding message in the executor logs");
  }
}
