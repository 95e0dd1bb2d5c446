package io.instructlake.dist;

import static io.instructlake.dist.RingHarness.expectedMean;
import static io.instructlake.dist.RingHarness.input;
import static io.instructlake.dist.RingHarness.tolerance;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ranks as separate JVM processes (the situation of Spark executors), on the test classpath. */
class RingAllReduceProcessTest {
  @TempDir Path dir;

  @Test
  void threeProcessesAgreeWithTheReference() throws Exception {
    int w = 3;
    int n = 100_003;
    int calls = 20;
    List<Worker> ws = start(w, n, calls, 30_000);
    try {
      for (Worker x : ws) {
        assertEquals("DONE", x.awaitLineStartingWith("DONE", "FAILED"), "rank " + x.rank);
        assertTrue(x.process.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, x.process.exitValue());
      }
      float[][] in = new float[w][];
      for (int r = 0; r < w; r++) {
        in[r] = input(42, calls - 1, r, n);
      }
      double[] exp = expectedMean(in, 1);
      double[] tol = tolerance(in, 1, Math.scalb(1.0, -23));
      float[] first = null;
      for (Worker x : ws) {
        float[] got = read(x.out, n);
        for (int i = 0; i < n; i++) {
          if (Math.abs(exp[i] - got[i]) > tol[i]) {
            fail("rank " + x.rank + " index " + i + ": " + got[i] + " vs " + exp[i]);
          }
        }
        if (first == null) {
          first = got;
        } else {
          assertArrayEquals(first, got, "rank " + x.rank + " differs from rank 0");
        }
      }
    } finally {
      for (Worker x : ws) {
        x.process.destroyForcibly();
      }
    }
  }

  @Test
  void killedProcessMakesTheOthersFailFastNamingAPeer() throws Exception {
    int w = 3;
    long timeoutMs = 20_000;
    List<Worker> ws = start(w, 1 << 20, 1_000_000, timeoutMs);
    try {
      Thread.sleep(500); // let them reduce for a while
      long t0 = System.nanoTime();
      ws.get(1).process.destroyForcibly();
      for (int r : new int[] {0, 2}) {
        Worker x = ws.get(r);
        String line = x.awaitLineStartingWith("FAILED", "DONE");
        double s = (System.nanoTime() - t0) / 1e9;
        assertTrue(line.startsWith("FAILED"), line);
        assertTrue(s < 10, "rank " + r + " failed after " + s + " s");
        String addr1 = "rank 1 (" + x.peers.get(1) + ")";
        String addr2 = "rank 2 (" + x.peers.get(2) + ")";
        if (r == 2) {
          assertTrue(line.contains(addr1), line);
        } else {
          assertTrue(line.contains(addr1) || line.contains(addr2), line);
        }
        assertTrue(x.process.waitFor(10, TimeUnit.SECONDS));
        assertEquals(3, x.process.exitValue());
      }
    } finally {
      for (Worker x : ws) {
        x.process.destroyForcibly();
      }
    }
  }

  private List<Worker> start(int w, int n, int calls, long timeoutMs) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<Worker> ws = new ArrayList<>();
    for (int r = 0; r < w; r++) {
      Path out = dir.resolve("rank" + r + ".bin");
      ProcessBuilder pb =
          new ProcessBuilder(
              java,
              "-Xmx256m",
              "-XX:+UseSerialGC",
              "-XX:TieredStopAtLevel=1",
              "-cp",
              System.getProperty("java.class.path"),
              RingWorkerMain.class.getName(),
              Integer.toString(r),
              Integer.toString(w),
              Integer.toString(n),
              Integer.toString(calls),
              "42",
              out.toString(),
              Long.toString(timeoutMs));
      pb.redirectErrorStream(true);
      ws.add(new Worker(r, pb.start(), out));
    }
    List<String> peers = new ArrayList<>();
    for (Worker x : ws) {
      String line = x.awaitLineStartingWith("ADDR", "FAILED");
      assertTrue(line.startsWith("ADDR "), line);
      peers.add(line.substring(5).trim());
    }
    for (Worker x : ws) {
      x.peers = peers;
      OutputStream os = x.process.getOutputStream();
      os.write((String.join(",", peers) + "\n").getBytes(StandardCharsets.UTF_8));
      os.flush();
    }
    for (Worker x : ws) {
      assertEquals("READY", x.awaitLineStartingWith("READY", "FAILED"));
    }
    return ws;
  }

  private static float[] read(Path p, int n) throws Exception {
    float[] a = new float[n];
    ByteBuffer.wrap(Files.readAllBytes(p)).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(a);
    return a;
  }

  private static final class Worker {
    final int rank;
    final Process process;
    final Path out;
    final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    final StringBuilder log = new StringBuilder();
    List<String> peers;

    Worker(int rank, Process process, Path out) {
      this.rank = rank;
      this.process = process;
      this.out = out;
      Thread t =
          new Thread(
              () -> {
                try (BufferedReader r =
                    new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                  for (String l; (l = r.readLine()) != null; ) {
                    lines.add(l);
                  }
                } catch (Exception ignored) {
                  // the process was killed
                }
              });
      t.setDaemon(true);
      t.start();
    }

    /** The next line starting with one of the prefixes (others are kept in the log). */
    String awaitLineStartingWith(String... prefixes) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (System.nanoTime() < deadline) {
        String l = lines.poll(1, TimeUnit.SECONDS);
        if (l == null) {
          continue;
        }
        for (String p : prefixes) {
          if (l.startsWith(p)) {
            return l;
          }
        }
        log.append(l).append('\n');
      }
      fail("rank " + rank + " printed none of " + List.of(prefixes) + "; output:\n" + log);
      return null;
    }
  }
}
