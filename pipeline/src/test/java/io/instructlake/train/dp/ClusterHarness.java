package io.instructlake.train.dp;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@link DpClusterMain} in a child JVM whose environment has SPARK_HOME (a temp directory
 * whose {@code jars/} holds symbolic links to this JVM's classpath jars, no copies) and
 * SPARK_SCALA_VERSION, so {@code local-cluster} can launch real executor JVMs; the classpath
 * directories (target/classes, target/test-classes) reach the executors through {@code
 * spark.executor.extraClassPath}.
 */
final class ClusterHarness {
  /** JVM flags of the parent pom's test.argLine that executors need too. */
  static final String OPENS =
      "--add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED"
          + " --add-opens=java.base/java.util=ALL-UNNAMED"
          + " --add-opens=java.base/sun.nio.ch=ALL-UNNAMED"
          + " --add-opens=java.base/java.lang=ALL-UNNAMED";

  private ClusterHarness() {}

  static String classpath() {
    String cp = System.getProperty("surefire.test.class.path");
    return cp != null && !cp.isBlank() ? cp : System.getProperty("java.class.path");
  }

  /** Builds the Spark home; returns the classpath directories for the executors. */
  static String makeSparkHome(Path home) throws IOException {
    Path jars = home.resolve("jars");
    Files.createDirectories(jars);
    List<String> dirs = new ArrayList<>();
    int i = 0;
    for (String e : classpath().split(File.pathSeparator)) {
      if (e.isBlank()) {
        continue;
      }
      Path p = Path.of(e).toAbsolutePath();
      if (Files.isDirectory(p)) {
        dirs.add(p.toString());
      } else if (p.toString().endsWith(".jar") && Files.exists(p)) {
        Files.createSymbolicLink(jars.resolve(String.format("%04d-%s", i++, p.getFileName())), p);
      }
    }
    return String.join(File.pathSeparator, dirs);
  }

  /** What the child run left: its exit code and log. */
  record Outcome(int exitCode, String log) {}

  /** Runs the child driver; kills it (and the executors it started) after {@code timeoutS}. */
  static Outcome run(Path work, long timeoutS, String... args)
      throws IOException, InterruptedException {
    return run(work, timeoutS, () -> {}, args);
  }

  /** Same, calling {@code poll} about every 200 ms while the child runs. */
  static Outcome run(Path work, long timeoutS, Runnable poll, String... args)
      throws IOException, InterruptedException {
    Path home = work.resolve("spark-home");
    String execCp = makeSparkHome(home);
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx768m");
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-Dai.djl.offline=true");
    cmd.addAll(List.of(OPENS.split(" ")));
    cmd.add("-Ddp.executor.classpath=" + execCp);
    cmd.add("-Ddp.executor.opts=-Dai.djl.offline=true -XX:+UseSerialGC " + OPENS);
    cmd.add("-cp");
    cmd.add(classpath());
    cmd.add(DpClusterMain.class.getName());
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("SPARK_HOME", home.toString());
    pb.environment().put("SPARK_SCALA_VERSION", "2.13");
    pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    Path log = work.resolve("driver.log");
    pb.redirectErrorStream(true).redirectOutput(log.toFile());
    Process p = pb.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutS);
    boolean done = false;
    while (!done && System.nanoTime() < deadline) {
      done = p.waitFor(200, TimeUnit.MILLISECONDS);
      poll.run();
    }
    if (!done) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      p.waitFor();
    }
    String text = Files.readString(log);
    return new Outcome(done ? p.exitValue() : -1, text + executorLogs(home));
  }

  private static String executorLogs(Path home) throws IOException {
    Path work = home.resolve("work");
    if (!Files.isDirectory(work)) {
      return "";
    }
    StringBuilder sb = new StringBuilder();
    try (var s = Files.walk(work)) {
      for (Path p : s.filter(x -> x.getFileName().toString().equals("stderr")).toList()) {
        String t = Files.readString(p);
        sb.append("\n--- ")
            .append(p)
            .append(" (tail)\n")
            .append(t.substring(Math.max(0, t.length() - 3000)));
      }
    }
    return sb.toString();
  }

  /** The tail of a log, for assertion messages. */
  static String tail(String log) {
    return log.substring(Math.max(0, log.length() - 6000));
  }
}
