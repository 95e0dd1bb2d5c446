package io.instructlake.dist;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * One rank as its own JVM, for {@link RingAllReduceProcessTest}. Args: rank worldSize length calls
 * seed outFile timeoutMillis. Protocol on stdout/stdin: prints "ADDR host:port", reads one line of
 * comma-separated peer addresses, prints "READY", runs the calls on {@link RingHarness#input}
 * buffers, writes the last result (little-endian floats) to outFile and prints "DONE"; on failure
 * prints "FAILED message" and exits with 3.
 */
public final class RingWorkerMain {
  private RingWorkerMain() {}

  public static void main(String[] args) throws Exception {
    int rank = Integer.parseInt(args[0]);
    int w = Integer.parseInt(args[1]);
    int n = Integer.parseInt(args[2]);
    int calls = Integer.parseInt(args[3]);
    long seed = Long.parseLong(args[4]);
    Path out = Path.of(args[5]);
    long timeoutMs = Long.parseLong(args[6]);
    RingAllReduce.Endpoint ep = RingAllReduce.bindLocal("127.0.0.1");
    System.out.println("ADDR " + ep.address());
    System.out.flush();
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    List<String> peers = Arrays.asList(in.readLine().trim().split(","));
    try (RingAllReduce ring =
        RingAllReduce.builder()
            .setRank(rank)
            .setWorldSize(w)
            .setPeers(peers)
            .optEndpoint(ep)
            .optBucketBytes(1 << 16)
            .optTimeout(Duration.ofMillis(timeoutMs))
            .build()) {
      System.out.println("READY");
      System.out.flush();
      float[] a = null;
      for (int c = 0; c < calls; c++) {
        a = RingHarness.input(seed, c, rank, n);
        ring.allReduceMean(a, 1);
      }
      ByteBuffer bytes = ByteBuffer.allocate(n * 4).order(ByteOrder.LITTLE_ENDIAN);
      bytes.asFloatBuffer().put(a);
      Files.write(out, bytes.array());
      System.out.println("DONE");
    } catch (RuntimeException e) {
      System.out.println("FAILED " + e.getMessage());
      System.out.flush();
      System.exit(3);
    }
  }
}
