package io.instructlake.bench;

import io.instructlake.dist.LoopbackBandwidth;
import io.instructlake.dist.RingAllReduce;
import io.instructlake.dist.WireFormat;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Gradient all-reduce bandwidth: W rank processes on this machine (default W = 2) all-reduce a
 * buffer of the ~30M-parameter model's size (default 30,000,000 floats) repeatedly with {@link
 * RingAllReduce}; the baseline is raw TCP throughput on 127.0.0.1 ({@link LoopbackBandwidth})
 * measured in the same run.
 *
 * <p>Reported per wire format: seconds per all-reduce (median of the timed calls), algorithm
 * bandwidth {@code algbw = 4 N / t} (fp32 gradient bytes averaged per second) and bus bandwidth
 * {@code busbw = algbw * 2 (W - 1) / W} (the bytes each rank actually sends per second for fp32;
 * the NCCL-tests convention), and {@code busbw / loopback} (target at least 0.5).
 *
 * <p>Usage: {@code AllReduceBenchmark OUT.md [--floats N] [--calls K] [--world W] [--bucket
 * BYTES]}. Writes markdown to OUT.md (with the JSON inside) and the JSON to OUT.json.
 */
public final class AllReduceBenchmark {
  private AllReduceBenchmark() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("--worker")) {
      worker(args);
      return;
    }
    if (args.length < 1) {
      System.err.println(
          "usage: AllReduceBenchmark OUT.md [--floats N] [--calls K] [--world W] [--bucket BYTES]");
      System.exit(2);
    }
    Path out = Path.of(args[0]);
    int floats = 30_000_000;
    int calls = 20;
    int world = 2;
    int bucket = RingAllReduce.DEFAULT_BUCKET_BYTES;
    for (int i = 1; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--floats" -> floats = Integer.parseInt(args[i + 1]);
        case "--calls" -> calls = Integer.parseInt(args[i + 1]);
        case "--world" -> world = Integer.parseInt(args[i + 1]);
        case "--bucket" -> bucket = Integer.parseInt(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    // The baseline is the best of three probes (it varies by +-20% between probes on this
    // machine): the highest loopback figure gives the most conservative ratio.
    long probeBytes = 1L << 30;
    double oneWay = 0;
    double bothWays = 0;
    for (int i = 0; i < 3; i++) {
      oneWay = Math.max(oneWay, LoopbackBandwidth.oneWay(probeBytes));
      bothWays = Math.max(bothWays, LoopbackBandwidth.bothWays(probeBytes));
    }
    System.out.printf(
        Locale.ROOT,
        "loopback TCP: one stream %.2f GB/s, two opposite streams %.2f GB/s each%n",
        oneWay / 1e9,
        bothWays / 1e9);

    List<String> rows = new ArrayList<>();
    List<String> json = new ArrayList<>();
    for (WireFormat wire : WireFormat.values()) {
      for (boolean direct : new boolean[] {false, true}) {
        String buffer = direct ? "direct, in place" : "float[]";
        double[] times = runRanks(world, floats, calls, wire, bucket, direct);
        Arrays.sort(times);
        double t = times[times.length / 2];
        double algbw = 4.0 * floats / t;
        double busbw = algbw * 2.0 * (world - 1) / world;
        double wireBusbw = busbw * wire.bytesPerValue() / 4.0;
        System.out.printf(
            Locale.ROOT,
            "W=%d %s %s: %.3f s per all-reduce of %d floats (min %.3f); algbw %.2f GB/s, busbw %.2f"
                + " GB/s = %.2f x loopback one stream, %.2f x two streams%n",
            world,
            wire,
            buffer,
            t,
            floats,
            times[0],
            algbw / 1e9,
            busbw / 1e9,
            busbw / oneWay,
            busbw / bothWays);
        rows.add(
            String.format(
                Locale.ROOT,
                "| %d | %s | %s | %d | %.3f | %.3f | %.2f | %.2f | %.2f | %.2f | %.2f |",
                world,
                wire,
                buffer,
                floats,
                t,
                times[0],
                algbw / 1e9,
                busbw / 1e9,
                wireBusbw / 1e9,
                busbw / oneWay,
                busbw / bothWays));
        json.add(
            String.format(
                Locale.ROOT,
                "{\"world\":%d,\"wire\":\"%s\",\"buffer\":\"%s\",\"floats\":%d,\"calls\":%d,\"bucket_bytes\":%d,"
                    + "\"seconds_median\":%.5f,\"seconds_min\":%.5f,\"algbw_gbps\":%.4f,"
                    + "\"busbw_gbps\":%.4f,\"wire_busbw_gbps\":%.4f,\"busbw_over_loopback\":%.4f,"
                    + "\"busbw_over_loopback_both_ways\":%.4f}",
                world,
                wire,
                buffer,
                floats,
                calls,
                bucket,
                t,
                times[0],
                algbw / 1e9,
                busbw / 1e9,
                wireBusbw / 1e9,
                busbw / oneWay,
                busbw / bothWays));
      }
    }
    String machine =
        String.format(
            Locale.ROOT,
            "%d cores, %d MiB memory, Java %s, %s %s",
            Runtime.getRuntime().availableProcessors(),
            totalMemoryMib(),
            System.getProperty("java.version"),
            System.getProperty("os.name"),
            System.getProperty("os.arch"));
    String jsonText =
        String.format(
            Locale.ROOT,
            "{\"benchmark\":\"allreduce\",\"machine\":\"%s\",\"loopback_one_way_gbps\":%.4f,"
                + "\"loopback_both_ways_gbps\":%.4f,\"runs\":[%s]}",
            machine,
            oneWay / 1e9,
            bothWays / 1e9,
            String.join(",", json));
    StringBuilder md = new StringBuilder();
    md.append("# All-reduce benchmark\n\n");
    md.append("Machine: ").append(machine).append("\n\n");
    md.append(
        String.format(
            Locale.ROOT,
            "Baseline, raw TCP on 127.0.0.1 in the same run (best of 3 probes): one stream %.2f"
                + " GB/s; two opposite streams at once %.2f GB/s each.%n%n",
            oneWay / 1e9,
            bothWays / 1e9));
    md.append(
        "| W | wire | gradient buffer | floats | s/all-reduce (median) | min | algbw GB/s | busbw GB/s (fp32"
            + " equiv.) | wire busbw GB/s | busbw / loopback | busbw / loopback 2 streams |\n");
    md.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (String r : rows) {
      md.append(r).append('\n');
    }
    md.append("\n```json\n").append(jsonText).append("\n```\n");
    if (out.getParent() != null) {
      Files.createDirectories(out.getParent());
    }
    Files.writeString(out, md.toString());
    String name = out.getFileName().toString();
    String jsonName =
        (name.endsWith(".md") ? name.substring(0, name.length() - 3) : name) + ".json";
    Files.writeString(out.resolveSibling(jsonName), jsonText + "\n");
    System.out.println("wrote " + out + " and " + out.resolveSibling(jsonName));
  }

  private static long totalMemoryMib() {
    java.lang.management.OperatingSystemMXBean os =
        java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
      return sun.getTotalMemorySize() >> 20;
    }
    return -1;
  }

  /** Starts W rank processes, hands them the peer list, returns rank 0's seconds per call. */
  private static double[] runRanks(
      int world, int floats, int calls, WireFormat wire, int bucket, boolean direct)
      throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    long heapMb = 256 + 3L * floats * 4 / (1 << 20);
    List<Process> ps = new ArrayList<>();
    List<BufferedReader> outs = new ArrayList<>();
    try {
      for (int r = 0; r < world; r++) {
        ProcessBuilder pb =
            new ProcessBuilder(
                java,
                "-Xmx" + heapMb + "m",
                "-XX:+UseParallelGC",
                "-cp",
                System.getProperty("java.class.path"),
                AllReduceBenchmark.class.getName(),
                "--worker",
                Integer.toString(r),
                Integer.toString(world),
                Integer.toString(floats),
                Integer.toString(calls),
                wire.name(),
                Integer.toString(bucket),
                Boolean.toString(direct));
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        Process p = pb.start();
        ps.add(p);
        outs.add(
            new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)));
      }
      List<String> peers = new ArrayList<>();
      for (BufferedReader o : outs) {
        peers.add(expect(o, "ADDR ").trim());
      }
      for (Process p : ps) {
        OutputStream os = p.getOutputStream();
        os.write((String.join(",", peers) + "\n").getBytes(StandardCharsets.UTF_8));
        os.flush();
      }
      String[] hashes = new String[world];
      double[] waits = new double[world];
      double[] times = null;
      for (int r = 0; r < world; r++) {
        waits[r] = Double.parseDouble(expect(outs.get(r), "WAIT ").trim());
        String[] t = expect(outs.get(r), "TIMES ").trim().split(" ");
        hashes[r] = expect(outs.get(r), "HASH ").trim();
        if (r == 0) {
          times = Arrays.stream(t).mapToDouble(Double::parseDouble).toArray();
        }
      }
      for (int r = 1; r < world; r++) {
        if (!hashes[r].equals(hashes[0])) {
          throw new IllegalStateException(
              "rank " + r + " ended with different values than rank 0: " + Arrays.toString(hashes));
        }
      }
      for (Process p : ps) {
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
          throw new IllegalStateException("a benchmark rank did not exit cleanly");
        }
      }
      System.out.printf(
          Locale.ROOT,
          "  %s %s: seconds per call blocked waiting for peers, by rank: %s%n",
          wire,
          direct ? "direct" : "float[]",
          Arrays.toString(waits));
      return times;
    } finally {
      for (Process p : ps) {
        p.destroyForcibly();
      }
    }
  }

  private static String expect(BufferedReader r, String prefix) throws IOException {
    for (String l; (l = r.readLine()) != null; ) {
      if (l.startsWith(prefix)) {
        return l.substring(prefix.length());
      }
      if (l.startsWith("FAILED")) {
        throw new IllegalStateException("benchmark rank " + l);
      }
    }
    throw new IllegalStateException("benchmark rank exited before printing " + prefix.trim());
  }

  /**
   * One all-reduce on fresh gradients (copied in untimed, as a backward pass would leave them):
   * from a {@code float[]}, or in place in native memory when {@code nativeBuf} is set. Returns the
   * call's nanoseconds.
   */
  private static long call(
      RingAllReduce ring, float[] grads, float[] work, ByteBuffer nativeBuf, FloatBuffer nativeF) {
    if (nativeBuf == null) {
      System.arraycopy(grads, 0, work, 0, grads.length);
      long t0 = System.nanoTime();
      ring.allReduceMean(work, 1);
      return System.nanoTime() - t0;
    }
    nativeF.put(0, grads);
    long t0 = System.nanoTime();
    ring.allReduceMean(nativeBuf.clear(), 1);
    return System.nanoTime() - t0;
  }

  /** One rank: bind, print ADDR, read peers, warm up, time the calls, print TIMES and HASH. */
  private static void worker(String[] args) throws Exception {
    int rank = Integer.parseInt(args[1]);
    int world = Integer.parseInt(args[2]);
    int floats = Integer.parseInt(args[3]);
    int calls = Integer.parseInt(args[4]);
    WireFormat wire = WireFormat.valueOf(args[5]);
    int bucket = Integer.parseInt(args[6]);
    boolean direct = Boolean.parseBoolean(args[7]);
    RingAllReduce.Endpoint ep = RingAllReduce.bindLocal("127.0.0.1");
    System.out.println("ADDR " + ep.address());
    System.out.flush();
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    List<String> peers = Arrays.asList(in.readLine().trim().split(","));
    float[] grads = new float[floats];
    Random rnd = new Random(17 + rank);
    for (int i = 0; i < floats; i++) {
      grads[i] = (float) rnd.nextGaussian();
    }
    float[] work = new float[floats];
    // The training path: gradients in native memory (a tensor's), reduced there in place.
    ByteBuffer native0 = direct ? ByteBuffer.allocateDirect(4 * floats) : null;
    FloatBuffer nativeF = direct ? native0.order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer() : null;
    try (RingAllReduce ring =
        RingAllReduce.builder()
            .setRank(rank)
            .setWorldSize(world)
            .setPeers(peers)
            .optEndpoint(ep)
            .optBucketBytes(bucket)
            .optWireFormat(wire)
            .optTimeout(Duration.ofSeconds(60))
            .build()) {
      for (int i = 0; i < 2; i++) { // warm-up (JIT, TCP windows)
        call(ring, grads, work, native0, nativeF);
      }
      StringBuilder times = new StringBuilder();
      long waitBefore = ring.waitNanos();
      for (int c = 0; c < calls; c++) {
        times.append(
            String.format(Locale.ROOT, " %.6f", call(ring, grads, work, native0, nativeF) / 1e9));
      }
      System.out.printf(
          Locale.ROOT, "WAIT %.6f%n", (ring.waitNanos() - waitBefore) / 1e9 / Math.max(1, calls));
      System.out.println("TIMES" + times);
      if (direct) {
        nativeF.get(0, work);
      }
      System.out.println("HASH " + Arrays.hashCode(work));
      System.out.flush();
    } catch (RuntimeException e) {
      System.out.println("FAILED " + e.getMessage());
      System.out.flush();
      System.exit(3);
    }
  }
}
