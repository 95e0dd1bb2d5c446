package io.instructlake.jobs;

import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code bin/pipeline bench <name>}: runs one benchmark (workload and its baseline in the same run)
 * and writes its markdown and JSON results.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description =
        "Run a benchmark and its in-run baseline; results go to --out (benchmarks/results).")
final class BenchCommand implements Callable<Integer> {
  /** Benchmark name to main class. */
  static final Map<String, String> BENCHMARKS = new TreeMap<>();

  static {
    BENCHMARKS.put("allreduce", "io.instructlake.bench.AllReduceBenchmark");
    BENCHMARKS.put("train", "io.instructlake.bench.TrainBenchmark");
    BENCHMARKS.put("dataparallel", "io.instructlake.bench.DataParallelBenchmark");
    BENCHMARKS.put("gold", "io.instructlake.bench.GoldBenchmark");
    BENCHMARKS.put("clean", "io.instructlake.bench.CleanBenchmark");
    BENCHMARKS.put("bloom", "io.instructlake.bench.BloomBenchmark");
    BENCHMARKS.put("near-dedupe", "io.instructlake.bench.NearDedupeBenchmark");
  }

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "NAME", description = "One of: ${COMPLETION-CANDIDATES}")
  String name;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      description = "Result directory. Default: benchmarks/results.")
  Path out = Path.of("benchmarks", "results");

  @Option(
      names = "--arg",
      paramLabel = "ARG",
      description = "Extra argument passed to the benchmark (repeatable).")
  java.util.List<String> extra = new java.util.ArrayList<>();

  @Override
  public Integer call() throws Exception {
    String cls = BENCHMARKS.get(name);
    if (cls == null) {
      spec.commandLine()
          .getErr()
          .println("error: unknown benchmark '" + name + "' (one of " + BENCHMARKS.keySet() + ")");
      return JobRunner.EXIT_USAGE;
    }
    Method main = Class.forName(cls).getMethod("main", String[].class);
    java.util.List<String> args = new java.util.ArrayList<>();
    args.add(out.resolve(name + ".md").toString());
    java.nio.file.Files.createDirectories(out);
    args.addAll(extra);
    main.invoke(null, (Object) args.toArray(String[]::new));
    return 0;
  }
}
