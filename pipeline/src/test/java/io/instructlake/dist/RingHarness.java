package io.instructlake.dist;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/** Test helpers: ranks as threads, seeded inputs, and the reference mean in double precision. */
final class RingHarness {
  private RingHarness() {}

  /** Seeded gradient-like values of mixed magnitude (and sign) for one rank, call and length. */
  static float[] input(long seed, int call, int rank, int n) {
    Random rnd = new Random(seed * 1_000_003L + call * 131L + rank);
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) (rnd.nextGaussian() * Math.pow(10, rnd.nextInt(5) - 2));
    }
    return a;
  }

  /** Reference: sum over ranks in double, divided by W * divisor. */
  static double[] expectedMean(float[][] inputs, int divisor) {
    int n = inputs[0].length;
    double[] m = new double[n];
    for (float[] in : inputs) {
      for (int i = 0; i < n; i++) {
        m[i] += in[i];
      }
    }
    for (int i = 0; i < n; i++) {
      m[i] /= (double) inputs.length * divisor;
    }
    return m;
  }

  /**
   * Per-element bound: (W + 1) roundings of relative size {@code unit} of the summed magnitudes.
   */
  static double[] tolerance(float[][] inputs, int divisor, double unit) {
    int n = inputs[0].length;
    int w = inputs.length;
    double[] t = new double[n];
    for (float[] in : inputs) {
      for (int i = 0; i < n; i++) {
        t[i] += Math.abs(in[i]);
      }
    }
    for (int i = 0; i < n; i++) {
      t[i] = (w + 1) * unit * t[i] / ((double) w * divisor) + Float.MIN_NORMAL;
    }
    return t;
  }

  /** Binds W endpoints on 127.0.0.1 and builds every rank in its own thread. */
  static List<RingAllReduce> ring(int w, Consumer<RingAllReduce.Builder> options) throws Exception {
    List<RingAllReduce.Endpoint> eps = new ArrayList<>();
    List<String> peers = new ArrayList<>();
    for (int r = 0; r < w; r++) {
      RingAllReduce.Endpoint ep = RingAllReduce.bindLocal("127.0.0.1");
      eps.add(ep);
      peers.add(ep.address());
    }
    return parallel(
        w,
        r -> {
          RingAllReduce.Builder b =
              RingAllReduce.builder()
                  .setRank(r)
                  .setWorldSize(w)
                  .setPeers(peers)
                  .optEndpoint(eps.get(r));
          options.accept(b);
          return b.build();
        });
  }

  /** Runs {@code task(rank)} for every rank in its own thread; rethrows the first failure. */
  static <T> List<T> parallel(int w, IntFunction<T> task) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(w);
    try {
      List<Future<T>> fs = new ArrayList<>();
      for (int r = 0; r < w; r++) {
        int rank = r;
        fs.add(pool.submit(() -> task.apply(rank)));
      }
      List<T> out = new ArrayList<>();
      for (Future<T> f : fs) {
        try {
          out.add(f.get(60, TimeUnit.SECONDS));
        } catch (ExecutionException e) {
          if (e.getCause() instanceof Exception) {
            throw (Exception) e.getCause();
          }
          throw e;
        }
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  static void closeAll(List<RingAllReduce> ranks) {
    for (RingAllReduce r : ranks) {
      r.close();
    }
  }
}
