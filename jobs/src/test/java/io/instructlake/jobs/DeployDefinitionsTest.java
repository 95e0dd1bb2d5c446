package io.instructlake.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.yaml.snakeyaml.Yaml;
import picocli.CommandLine;

/**
 * The scheduler definitions in {@code deploy/} (cron + wrapper, Airflow, Databricks, Kubernetes
 * Spark operator), each parsed for real and checked against the build: the main class exists and
 * has {@code main(String[])}, the jar is the one jobs/pom.xml's shade execution produces, the
 * configuration file exists in {@code conf/}, and the pipeline command and its options are ones the
 * CLI accepts. The cron wrapper is also run (lock, rotation, exit codes) with fake commands. Fast:
 * no Spark session.
 */
class DeployDefinitionsTest {
  private static final Path ROOT = findRoot();
  private static final String MAIN_CLASS = "io.instructlake.jobs.Main";
  private static final String COMMAND = "nightly";
  private static final int EXIT_LOCKED = 75;
  private static final int EXIT_WRAPPER_USAGE = 64;
  private static final ObjectMapper JSON = new ObjectMapper();

  private static Path findRoot() {
    Path p = Paths.get("").toAbsolutePath();
    while (p != null && !Files.isRegularFile(p.resolve("deploy/spark-submit.sh"))) {
      p = p.getParent();
    }
    if (p == null) {
      throw new IllegalStateException(
          "no deploy/spark-submit.sh above " + Paths.get("").toAbsolutePath());
    }
    return p;
  }

  // ---------------------------------------------------------------- facts of the build

  /** The shaded jar's file name, from jobs/pom.xml (and the parent's version) read as XML. */
  static String shadedJarName() throws Exception {
    Document pom = xml(ROOT.resolve("jobs/pom.xml"));
    Element project = pom.getDocumentElement();
    String artifactId = childText(project, "artifactId");
    String version = childText(project, "version");
    if (version == null) {
      version = childText(child(project, "parent"), "version");
    }
    Element build = child(project, "build");
    String finalName = build == null ? null : childText(build, "finalName");
    if (finalName == null) {
      finalName = "${project.artifactId}-${project.version}";
    }
    finalName =
        finalName
            .replace("${project.artifactId}", artifactId)
            .replace("${project.version}", version);
    NodeList plugins = pom.getElementsByTagName("plugin");
    for (int i = 0; i < plugins.getLength(); i++) {
      Element plugin = (Element) plugins.item(i);
      if (!"maven-shade-plugin".equals(childText(plugin, "artifactId"))) {
        continue;
      }
      NodeList configs = plugin.getElementsByTagName("configuration");
      for (int j = 0; j < configs.getLength(); j++) {
        Element conf = (Element) configs.item(j);
        String classifier = childText(conf, "shadedClassifierName");
        boolean attached = "true".equals(childText(conf, "shadedArtifactAttached"));
        String shadedFinal = childText(conf, "finalName");
        if (shadedFinal != null) {
          return shadedFinal + ".jar";
        }
        if (attached) {
          return finalName + "-" + (classifier == null ? "shaded" : classifier) + ".jar";
        }
        return finalName + ".jar";
      }
    }
    throw new AssertionError("jobs/pom.xml has no maven-shade-plugin configuration");
  }

  /** The Spark version the build compiles against (parent pom property spark.version). */
  static String sparkVersion() throws Exception {
    Element props = child(xml(ROOT.resolve("pom.xml")).getDocumentElement(), "properties");
    return childText(props, "spark.version");
  }

  private static Document xml(Path file) throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    return f.newDocumentBuilder().parse(file.toFile());
  }

  private static Element child(Element parent, String name) {
    if (parent == null) {
      return null;
    }
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && e.getTagName().equals(name)) {
        return e;
      }
    }
    return null;
  }

  private static String childText(Element parent, String name) {
    Element e = child(parent, name);
    return e == null ? null : e.getTextContent().trim();
  }

  // ---------------------------------------------------------------- shared checks

  /** The class exists on the classpath and has {@code public static void main(String[])}. */
  static void assertMainClass(String className, String where) throws Exception {
    assertEquals(MAIN_CLASS, className, where + ": main class");
    Class<?> c = Class.forName(className);
    Method main = c.getMethod("main", String[].class);
    assertTrue(Modifier.isStatic(main.getModifiers()), where + ": main is not static");
    assertEquals(void.class, main.getReturnType(), where + ": main does not return void");
  }

  /** The path names the shaded jar; a repo-layout path ends in jobs/target/JAR. */
  static void assertJar(String path, String where) throws Exception {
    String jar = shadedJarName();
    String name = path.substring(path.lastIndexOf('/') + 1);
    assertEquals(jar, name, where + ": jar name differs from the shade output of jobs/pom.xml");
    if (path.contains("jobs/target/")) {
      assertTrue(path.endsWith("/jobs/target/" + jar), where + ": " + path);
    }
  }

  /** The repo-relative part of a deployed config path (from "conf/") is a file in the repo. */
  static Path assertConf(String path, String where) {
    Matcher m = Pattern.compile("(?:^|/)(conf/[^/]+\\.conf)$").matcher(path);
    assertTrue(m.find(), where + ": config path " + path + " does not end in conf/<name>.conf");
    Path conf = ROOT.resolve(m.group(1));
    assertTrue(Files.isRegularFile(conf), where + ": " + m.group(1) + " is not in the repository");
    return conf;
  }

  /**
   * The CLI knows the command, and accepts these arguments (parsed by picocli, not executed); the
   * config after --conf exists in the repo. Returns the command name.
   */
  static String assertPipelineArgs(List<String> args, String where) {
    assertFalse(args.isEmpty(), where + ": no arguments");
    String command = args.get(0);
    CommandLine cli = new CommandLine(new Main());
    assertTrue(
        cli.getSubcommands().containsKey(command),
        where
            + ": the CLI has no command '"
            + command
            + "' (has "
            + cli.getSubcommands().keySet()
            + ")");
    CommandLine.ParseResult parsed = cli.parseArgs(args.toArray(new String[0]));
    assertTrue(parsed.hasSubcommand(), where);
    int c = args.indexOf("--conf");
    assertTrue(c >= 0 && c + 1 < args.size(), where + ": no --conf FILE in " + args);
    assertConf(args.get(c + 1), where);
    return command;
  }

  // ---------------------------------------------------------------- cron expressions

  /** A 5-field cron expression: numbers, *, ranges, lists and steps within each field's range. */
  static void assertCron5(String expr, String where) {
    String[] f = expr.trim().split("\\s+");
    assertEquals(5, f.length, where + ": cron '" + expr + "' has not 5 fields");
    int[][] range = {{0, 59}, {0, 23}, {1, 31}, {1, 12}, {0, 7}};
    for (int i = 0; i < 5; i++) {
      assertCronField(f[i], range[i][0], range[i][1], false, where + ": cron '" + expr + "'");
    }
  }

  /** A Quartz expression: seconds minutes hours day-of-month month day-of-week [year]. */
  static void assertQuartz(String expr, String where) {
    String[] f = expr.trim().split("\\s+");
    assertTrue(f.length == 6 || f.length == 7, where + ": quartz '" + expr + "' needs 6-7 fields");
    int[][] range = {{0, 59}, {0, 59}, {0, 23}, {1, 31}, {1, 12}, {1, 7}, {1970, 2199}};
    for (int i = 0; i < f.length; i++) {
      assertCronField(f[i], range[i][0], range[i][1], i == 3 || i == 5, where + ": " + expr);
    }
    assertTrue(
        f[3].equals("?") ^ f[5].equals("?"),
        where + ": quartz needs '?' in exactly one of day-of-month and day-of-week: " + expr);
  }

  private static void assertCronField(
      String field, int min, int max, boolean questionAllowed, String where) {
    if (questionAllowed && field.equals("?")) {
      return;
    }
    for (String item : field.split(",", -1)) {
      Matcher m = Pattern.compile("(\\*|(\\d+)(?:-(\\d+))?)(?:/(\\d+))?").matcher(item);
      assertTrue(m.matches(), where + ": bad field item '" + item + "'");
      if (m.group(2) != null) {
        int lo = Integer.parseInt(m.group(2));
        int hi = m.group(3) == null ? lo : Integer.parseInt(m.group(3));
        assertTrue(min <= lo && lo <= hi && hi <= max, where + ": '" + item + "' out of range");
      }
      if (m.group(4) != null) {
        assertTrue(Integer.parseInt(m.group(4)) >= 1, where + ": step 0 in '" + item + "'");
      }
    }
  }

  @Test
  void cronValidatorRejectsBadExpressions() {
    assertCron5("30 2 * * *", "t");
    assertCron5("*/15 0-6,22 1 1-12/2 0", "t");
    for (String bad :
        new String[] {
          "60 2 * * *",
          "30 24 * * *",
          "30 2 0 * *",
          "30 2 * 13 *",
          "30 2 * *",
          "a 2 * * *",
          "5-1 * * * *",
          "*/0 * * * *"
        }) {
      assertThrows(AssertionError.class, () -> assertCron5(bad, "t"), bad);
    }
    assertQuartz("0 30 2 * * ?", "t");
    assertThrows(AssertionError.class, () -> assertQuartz("0 30 2 * * *", "t"));
    assertThrows(AssertionError.class, () -> assertQuartz("30 2 * * ?", "t"));
  }

  // ---------------------------------------------------------------- 1. cron

  @Test
  void crontabLineRunsTheWrapperWithTheClusterConf() throws Exception {
    Path file = ROOT.resolve("deploy/cron/instructlake.crontab");
    Map<String, String> env = new LinkedHashMap<>();
    List<String> jobs = new ArrayList<>();
    for (String line : Files.readAllLines(file)) {
      String t = line.trim();
      if (t.isEmpty() || t.startsWith("#")) {
        continue;
      }
      Matcher m = Pattern.compile("^([A-Za-z_][A-Za-z0-9_]*)\\s*=\\s*(.*)$").matcher(t);
      if (m.matches()) {
        env.put(m.group(1), m.group(2));
      } else {
        jobs.add(t);
      }
    }
    assertEquals(1, jobs.size(), "one crontab line expected: " + jobs);
    for (String name : env.keySet()) {
      // PipelineConfig reads every INSTRUCTLAKE_<KEY> variable as a config key; unknown ones fail.
      assertFalse(name.startsWith("INSTRUCTLAKE_"), name + " would be read as a config key");
    }
    String[] f = jobs.get(0).split("\\s+", 6);
    assertEquals(6, f.length, jobs.get(0));
    assertCron5(String.join(" ", List.of(f).subList(0, 5)), "crontab");
    // The installation directory stands for this checkout.
    String home = env.get("LAKE_HOME");
    assertNotNull(home, "crontab sets LAKE_HOME, the checkout");
    List<String> words = List.of(f[5].split("\\s+"));
    assertEquals(2, words.size(), "wrapper and config expected: " + f[5]);
    Path wrapper = Paths.get(words.get(0).replace("$LAKE_HOME", ROOT.toString()));
    assertEquals(ROOT.resolve("deploy/cron/nightly.sh"), wrapper.normalize());
    assertTrue(Files.isExecutable(wrapper), wrapper + " is not executable");
    assertEquals(
        ROOT.resolve("conf/cluster.conf"),
        assertConf(words.get(1).replace("$LAKE_HOME", home), "crontab"));
  }

  /** The wrapper's default command through the real deploy/spark-submit.sh, with a fake Spark. */
  @Test
  void wrapperSubmitsNightlyWithTheShadedJarMainClassAndConf(@TempDir Path tmp) throws Exception {
    // A copy of the checkout's layout: the scripts, conf/, and an (empty) jar where the build puts
    // it.
    Path co = tmp.resolve("checkout");
    for (String rel :
        List.of(
            "deploy/spark-submit.sh",
            "deploy/cron/nightly.sh",
            "conf/cluster.conf",
            "conf/log4j2.properties")) {
      Files.createDirectories(co.resolve(rel).getParent());
      Files.copy(ROOT.resolve(rel), co.resolve(rel));
    }
    Path jar = co.resolve("jobs/target/" + shadedJarName());
    Files.createDirectories(jar.getParent());
    Files.createFile(jar);
    Path spark = tmp.resolve("spark");
    Path submit = spark.resolve("bin/spark-submit");
    Files.createDirectories(submit.getParent());
    Path argsOut = tmp.resolve("args.txt");
    Path envOut = tmp.resolve("env.txt");
    Files.writeString(
        submit,
        "#!/usr/bin/env bash\nprintf '%s\\n' \"$@\" > '"
            + argsOut
            + "'\nenv | grep '^INSTRUCTLAKE_' > '"
            + envOut
            + "' || true\necho fake spark-submit: gate failed\nexit 3\n");
    assertTrue(submit.toFile().setExecutable(true));
    Path logs = tmp.resolve("logs");
    Map<String, String> env =
        Map.of(
            "SPARK_HOME", spark.toString(),
            "NIGHTLY_LOG_DIR", logs.toString(),
            "NIGHTLY_SUBMIT_ARGS", "--master spark://master:7077");
    Proc p = wrapper(co.resolve("deploy/cron/nightly.sh"), env, tmp.resolve("out.txt"));
    assertEquals(3, p.code(), p.out());
    List<String> args = Files.readAllLines(argsOut);
    int cls = args.indexOf("--class");
    assertTrue(cls >= 0, "no --class in " + args);
    assertMainClass(args.get(cls + 1), "wrapper");
    int j = args.indexOf(jar.toString());
    assertTrue(j > 0, "no " + jar + " in " + args);
    assertJar(args.get(j), "wrapper");
    assertTrue(
        args.subList(0, j).containsAll(List.of("--master", "spark://master:7077")),
        args.toString());
    List<String> app = args.subList(j + 1, args.size());
    assertEquals(COMMAND, assertPipelineArgs(app, "wrapper"));
    assertEquals(co.resolve("conf/cluster.conf").toString(), app.get(app.indexOf("--conf") + 1));
    String summary = app.get(app.indexOf("--summary") + 1);
    assertTrue(
        summary.matches(Pattern.quote(logs.toString()) + "/summary-[0-9-]+\\.json"), summary);
    assertEquals("", Files.readString(envOut), "INSTRUCTLAKE_* variables reached the driver");
    String log = Files.readString(onlyLog(logs));
    assertTrue(log.contains("fake spark-submit: gate failed"), log);
    assertTrue(log.contains("nightly exit 3 (rolled back by a quality gate)"), log);
  }

  @Test
  void wrapperPassesTheExitCodeAndLogsIt(@TempDir Path tmp) throws Exception {
    Path wrapper = ROOT.resolve("deploy/cron/nightly.sh");
    int[] codes = {0, 3, 1};
    for (int code : codes) {
      Path logs = tmp.resolve("logs-" + code);
      Proc p =
          wrapper(
              wrapper,
              Map.of(
                  "NIGHTLY_LOG_DIR",
                  logs.toString(),
                  "NIGHTLY_CMD",
                  "echo doing work; exit " + code),
              tmp.resolve("out-" + code));
      assertEquals(code, p.code(), p.out());
      String log = Files.readString(onlyLog(logs));
      assertTrue(log.contains("doing work"), log);
      assertTrue(log.contains("nightly exit " + code + " ("), log);
      String journal = Files.readString(logs.resolve("nightly-journal.log"));
      assertTrue(journal.contains("end: exit " + code), journal);
    }
    Proc bad =
        wrapper(
            wrapper,
            Map.of(
                "NIGHTLY_LOG_DIR",
                tmp.resolve("bad").toString(),
                "NIGHTLY_LOG_KEEP",
                "0",
                "NIGHTLY_CMD",
                "true"),
            tmp.resolve("out-bad"));
    assertEquals(EXIT_WRAPPER_USAGE, bad.code(), bad.out());
    assertTrue(bad.out().contains("NIGHTLY_LOG_KEEP must be a positive integer"), bad.out());
  }

  @Test
  void secondRunWhileTheLockIsHeldExitsWithTheLockCode(@TempDir Path tmp) throws Exception {
    Path wrapper = ROOT.resolve("deploy/cron/nightly.sh");
    Path logs = tmp.resolve("logs");
    Path ready = tmp.resolve("ready");
    Path release = tmp.resolve("release");
    Path ranSecond = tmp.resolve("second-ran");
    Map<String, String> env = new HashMap<>();
    env.put("NIGHTLY_LOG_DIR", logs.toString());
    env.put(
        "NIGHTLY_CMD",
        "touch '" + ready + "'; while [ ! -e '" + release + "' ]; do sleep 0.05; done");
    Process first = start(wrapper, env, tmp.resolve("out-1"));
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!Files.exists(ready)) {
        assertTrue(
            first.isAlive(), "first run ended early: " + Files.readString(tmp.resolve("out-1")));
        assertTrue(System.nanoTime() < deadline, "first run did not start its command in 30 s");
        Thread.sleep(20);
      }
      Proc second =
          wrapper(
              wrapper,
              Map.of(
                  "NIGHTLY_LOG_DIR", logs.toString(), "NIGHTLY_CMD", "touch '" + ranSecond + "'"),
              tmp.resolve("out-2"));
      assertEquals(EXIT_LOCKED, second.code(), second.out());
      assertTrue(second.out().contains("another nightly run holds"), second.out());
      assertFalse(Files.exists(ranSecond), "the second run ran its command");
      Files.createFile(release);
      assertTrue(first.waitFor(30, TimeUnit.SECONDS), "first run did not finish");
      assertEquals(0, first.exitValue());
    } finally {
      first.destroyForcibly();
    }
    // Released: the next run gets the lock.
    Proc third =
        wrapper(
            wrapper,
            Map.of("NIGHTLY_LOG_DIR", logs.toString(), "NIGHTLY_CMD", "touch '" + ranSecond + "'"),
            tmp.resolve("out-3"));
    assertEquals(0, third.code(), third.out());
    assertTrue(Files.exists(ranSecond));
  }

  @Test
  void logsAndSummariesRotateKeepingTheNewest(@TempDir Path tmp) throws Exception {
    Path wrapper = ROOT.resolve("deploy/cron/nightly.sh");
    Path logs = tmp.resolve("logs");
    int keep = 3;
    int runs = 5;
    for (int i = 1; i <= runs; i++) {
      Proc p =
          wrapper(
              wrapper,
              Map.of(
                  "NIGHTLY_LOG_DIR", logs.toString(),
                  "NIGHTLY_LOG_KEEP", Integer.toString(keep),
                  "NIGHTLY_CMD",
                      "echo run-" + i + "; echo '{\"run\":" + i + "}' > \"$NIGHTLY_SUMMARY\""),
              tmp.resolve("out-" + i));
      assertEquals(0, p.code(), p.out());
    }
    Set<String> kept = new HashSet<>();
    for (Path log : files(logs, "nightly-[0-9].*\\.log")) {
      Matcher m = Pattern.compile("run-(\\d+)").matcher(Files.readString(log));
      assertTrue(m.find(), log.toString());
      kept.add(m.group(1));
    }
    assertEquals(Set.of("3", "4", "5"), kept, "the newest " + keep + " of " + runs + " logs");
    Set<String> summaries = new HashSet<>();
    for (Path s : files(logs, "summary-.*\\.json")) {
      summaries.add(JSON.readTree(s.toFile()).get("run").asText());
    }
    assertEquals(Set.of("3", "4", "5"), summaries);
    String journal = Files.readString(logs.resolve("nightly-journal.log"));
    assertEquals(runs, journal.lines().filter(l -> l.contains("end: exit 0")).count(), journal);
  }

  record Proc(int code, String out) {}

  private static Process start(Path wrapper, Map<String, String> env, Path out) throws IOException {
    ProcessBuilder pb = new ProcessBuilder("bash", wrapper.toString());
    pb.environment()
        .keySet()
        .removeIf(k -> k.startsWith("NIGHTLY_") || k.startsWith("INSTRUCTLAKE_"));
    pb.environment().putAll(env);
    pb.redirectErrorStream(true).redirectOutput(out.toFile());
    return pb.start();
  }

  private static Proc wrapper(Path wrapper, Map<String, String> env, Path out) throws Exception {
    Process p = start(wrapper, env, out);
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail("wrapper did not finish in 60 s: " + Files.readString(out));
    }
    return new Proc(p.exitValue(), Files.readString(out));
  }

  private static List<Path> files(Path dir, String regex) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().matches(regex))
          .sorted()
          .collect(Collectors.toList());
    }
  }

  private static Path onlyLog(Path dir) throws IOException {
    List<Path> logs = files(dir, "nightly-[0-9].*\\.log");
    assertEquals(1, logs.size(), logs.toString());
    return logs.get(0);
  }

  // ---------------------------------------------------------------- 2. Airflow

  @Test
  void airflowDagSubmitsNightlyWithSparkSubmitOperator(@TempDir Path tmp) throws Exception {
    Path dag = ROOT.resolve("deploy/airflow/instructlake_nightly_dag.py");
    Path script;
    try {
      script = Paths.get(DeployDefinitionsTest.class.getResource("/deploy/dag_calls.py").toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
    Process p;
    Path out = tmp.resolve("dag.json");
    Path err = tmp.resolve("dag.err");
    try {
      p =
          new ProcessBuilder("python3", script.toString(), dag.toString())
              .redirectOutput(out.toFile())
              .redirectError(err.toFile())
              .start();
    } catch (IOException e) {
      Assumptions.abort(
          "python3 is not installed (CI installs it), Airflow DAG not checked: " + e.getMessage());
      return;
    }
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "python3 did not finish");
    assertEquals(0, p.exitValue(), Files.readString(err));
    JsonNode parsed = JSON.readTree(out.toFile());
    List<String> imports = new ArrayList<>();
    parsed.get("imports").forEach(n -> imports.add(n.asText()));
    assertTrue(
        imports.contains(
            "airflow.providers.apache.spark.operators.spark_submit.SparkSubmitOperator"),
        imports.toString());
    JsonNode dagArgs = null;
    JsonNode op = null;
    for (JsonNode call : parsed.get("calls")) {
      String fn = call.get("function").asText();
      if (fn.equals("DAG")) {
        assertTrue(dagArgs == null, "one DAG expected");
        dagArgs = call.get("kwargs");
      } else if (fn.equals("SparkSubmitOperator")) {
        assertTrue(op == null, "one SparkSubmitOperator expected");
        op = call.get("kwargs");
      }
    }
    assertNotNull(dagArgs, "no DAG(...) call");
    assertNotNull(op, "no SparkSubmitOperator(...) call");
    assertCron5(dagArgs.get("schedule").asText(), "DAG schedule");
    assertTrue(
        dagArgs.get("catchup").isBoolean() && !dagArgs.get("catchup").asBoolean(), "catchup=False");
    assertEquals(1, dagArgs.get("max_active_runs").asInt(-1), "max_active_runs=1");
    assertTrue(dagArgs.path("default_args").path("retries").asInt(0) >= 1, "retries >= 1");
    assertMainClass(op.get("java_class").asText(), "DAG");
    assertJar(op.get("application").asText(), "DAG");
    List<String> args = new ArrayList<>();
    op.get("application_args").forEach(n -> args.add(n.asText()));
    assertEquals(COMMAND, assertPipelineArgs(args, "DAG"));
    assertTrue(args.contains("--summary"), "the DAG writes a run summary: " + args);
  }

  // ---------------------------------------------------------------- 3. Databricks

  @Test
  void databricksJobRunsNightlyThenTrainFromTheShadedJar() throws Exception {
    JsonNode job = JSON.readTree(ROOT.resolve("deploy/databricks/nightly-job.json").toFile());
    String where = "databricks";
    assertFalse(job.path("name").asText().isEmpty(), "job name");
    assertQuartz(job.path("schedule").path("quartz_cron_expression").asText(), where);
    assertFalse(
        job.path("schedule").path("timezone_id").asText().isEmpty(), "schedule.timezone_id");
    assertEquals(1, job.path("max_concurrent_runs").asInt(-1), "max_concurrent_runs");
    Set<String> clusters = new HashSet<>();
    job.path("job_clusters").forEach(c -> clusters.add(c.get("job_cluster_key").asText()));
    Map<String, JsonNode> tasks = new LinkedHashMap<>();
    for (JsonNode t : job.withArray("tasks")) {
      String key = t.get("task_key").asText();
      assertTrue(tasks.put(key, t) == null, "duplicate task_key " + key);
    }
    Map<String, String> commandOf = new HashMap<>();
    for (Map.Entry<String, JsonNode> e : tasks.entrySet()) {
      JsonNode t = e.getValue();
      String w = where + " task " + e.getKey();
      for (JsonNode d : t.path("depends_on")) {
        assertTrue(tasks.containsKey(d.path("task_key").asText()), w + " depends on unknown " + d);
      }
      assertTrue(
          t.has("new_cluster") || clusters.contains(t.path("job_cluster_key").asText()),
          w + ": no new_cluster and no known job_cluster_key");
      JsonNode jarTask = t.get("spark_jar_task");
      assertNotNull(jarTask, w + ": JAR task expected");
      assertMainClass(jarTask.get("main_class_name").asText(), w);
      List<String> params = new ArrayList<>();
      jarTask.get("parameters").forEach(n -> params.add(n.asText()));
      String command = assertPipelineArgs(params, w);
      commandOf.put(e.getKey(), command);
      List<String> jars = new ArrayList<>();
      t.path("libraries").forEach(l -> jars.add(l.path("jar").asText()));
      assertEquals(1, jars.size(), w + ": one jar library expected");
      assertJar(jars.get(0), w);
    }
    assertAcyclic(tasks);
    assertTrue(commandOf.containsValue(COMMAND), "a task runs " + COMMAND + ": " + commandOf);
    // Something runs after nightly, only when it succeeded.
    boolean downstream = false;
    for (JsonNode t : tasks.values()) {
      for (JsonNode d : t.path("depends_on")) {
        downstream |= COMMAND.equals(commandOf.get(d.path("task_key").asText()));
      }
    }
    assertTrue(downstream, "a task depends on the nightly task");
  }

  private static void assertAcyclic(Map<String, JsonNode> tasks) {
    Map<String, Integer> state = new HashMap<>();
    for (String k : tasks.keySet()) {
      visit(k, tasks, state);
    }
  }

  private static void visit(String k, Map<String, JsonNode> tasks, Map<String, Integer> state) {
    Integer s = state.get(k);
    if (s != null) {
      assertEquals(2, s, "depends_on cycle through " + k);
      return;
    }
    state.put(k, 1);
    for (JsonNode d : tasks.get(k).path("depends_on")) {
      visit(d.path("task_key").asText(), tasks, state);
    }
    state.put(k, 2);
  }

  // ---------------------------------------------------------------- 4. Kubernetes

  @Test
  @SuppressWarnings("unchecked")
  void scheduledSparkApplicationRunsNightlyWithSecretsByReference() throws Exception {
    Map<String, Object> doc;
    try (var in = Files.newBufferedReader(ROOT.resolve("deploy/k8s/scheduled-nightly.yaml"))) {
      doc = new Yaml().load(in);
    }
    String where = "k8s";
    assertEquals("sparkoperator.k8s.io/v1beta2", doc.get("apiVersion"));
    assertEquals("ScheduledSparkApplication", doc.get("kind"));
    Map<String, Object> spec = (Map<String, Object>) doc.get("spec");
    assertCron5((String) spec.get("schedule"), where);
    assertEquals("Forbid", spec.get("concurrencyPolicy"));
    Map<String, Object> app = (Map<String, Object>) spec.get("template");
    assertEquals("Java", app.get("type"));
    assertEquals("cluster", app.get("mode"));
    assertEquals(
        sparkVersion(), String.valueOf(app.get("sparkVersion")), "sparkVersion = the build's");
    assertMainClass((String) app.get("mainClass"), where);
    String file = (String) app.get("mainApplicationFile");
    assertTrue(file.startsWith("local:///"), "jar inside the image: " + file);
    assertJar(file, where);
    List<String> args =
        ((List<Object>) app.get("arguments")).stream().map(String::valueOf).toList();
    assertEquals(COMMAND, assertPipelineArgs(args, where));
    for (String role : List.of("driver", "executor")) {
      List<Map<String, Object>> env =
          (List<Map<String, Object>>) ((Map<String, Object>) app.get(role)).get("env");
      assertNotNull(env, role + " env");
      Set<String> byRef = new HashSet<>();
      for (Map<String, Object> e : env) {
        String name = (String) e.get("name");
        assertFalse(name.startsWith("INSTRUCTLAKE_"), name + " would be read as a config key");
        if (name.matches("(?i).*(SECRET|KEY|TOKEN|PASSWORD|CREDENTIAL).*")) {
          assertFalse(e.containsKey("value"), role + " " + name + " has a literal value");
          Map<String, Object> ref =
              (Map<String, Object>) ((Map<String, Object>) e.get("valueFrom")).get("secretKeyRef");
          assertNotNull(ref, role + " " + name + ": secretKeyRef expected");
          assertNotNull(ref.get("name"), role + " " + name);
          assertNotNull(ref.get("key"), role + " " + name);
          byRef.add(name);
        }
      }
      assertTrue(
          byRef.containsAll(Set.of("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")),
          role + ": " + byRef);
    }
    // The image puts the jar where mainApplicationFile says, from where the build writes it.
    String dockerfile = Files.readString(ROOT.resolve("deploy/k8s/Dockerfile"));
    String inImage = file.substring("local://".length());
    String copy = "COPY jobs/target/" + shadedJarName() + " " + inImage;
    assertTrue(
        dockerfile.lines().anyMatch(l -> l.trim().equals(copy)), "Dockerfile lacks: " + copy);
    String confInImage = args.get(args.indexOf("--conf") + 1);
    assertTrue(
        confInImage.startsWith(inImage.substring(0, inImage.lastIndexOf('/')) + "/conf/"),
        confInImage);
    assertTrue(
        dockerfile.contains("COPY conf/ /opt/instructlake/conf/"), "Dockerfile copies conf/");
  }

  // ---------------------------------------------------------------- secrets

  private static final List<Pattern> SECRET_PATTERNS =
      List.of(
          // AWS access key ids.
          Pattern.compile("\\b(?:AKIA|ASIA)[0-9A-Z]{16}\\b"),
          // A key, secret, password or token assigned a value on the same line.
          Pattern.compile(
              "(?i)(?:secret|password|passwd|token|access[._-]?key)[\\w.\\-]*\"?[ \\t]*[=:][ \\t]*[\"']?[A-Za-z0-9/+=_\\-]{12,}"),
          // A 40-character AWS-style secret key standing alone (mixed case and digits).
          Pattern.compile(
              "(?<![A-Za-z0-9/+=])(?=[A-Za-z0-9/+]*[a-z])(?=[A-Za-z0-9/+]*[A-Z])(?=[A-Za-z0-9/+]*[0-9])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])"),
          Pattern.compile("-----BEGIN [A-Z ]*PRIVATE KEY-----"));

  static List<String> literalSecrets(String text) {
    List<String> found = new ArrayList<>();
    for (Pattern p : SECRET_PATTERNS) {
      Matcher m = p.matcher(text);
      while (m.find()) {
        found.add(m.group());
      }
    }
    return found;
  }

  @Test
  void secretDetectorFindsSecretsAndIgnoresReferences() {
    for (String secret :
        new String[] {
          "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
          "\"fs.s3a.secret.key\" = \"abcdefghijklmnop123\"",
          "fs.s3a.access.key: AKIAIOSFODNN7EXAMPLE",
          "value: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
          "-----BEGIN RSA PRIVATE KEY-----"
        }) {
      assertFalse(literalSecrets(secret).isEmpty(), secret);
    }
    for (String fine :
        new String[] {
          "        - name: AWS_SECRET_ACCESS_KEY\n          valueFrom:\n            secretKeyRef:\n              name: instructlake-aws\n              key: secret-access-key",
          "\"fs.s3a.aws.credentials.provider\" = \"software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider\"",
          "local:///opt/instructlake/instructlake-jobs-0.1.0-SNAPSHOT-spark.jar",
          "# Credentials come from the default provider chain; never here."
        }) {
      assertEquals(List.of(), literalSecrets(fine), fine);
    }
  }

  @Test
  void noDefinitionOrConfigContainsALiteralSecret() throws Exception {
    List<Path> files;
    try (Stream<Path> s =
        Stream.concat(Files.walk(ROOT.resolve("deploy")), Files.walk(ROOT.resolve("conf")))) {
      files = s.filter(Files::isRegularFile).sorted().toList();
    }
    assertTrue(files.size() >= 7, files.toString());
    Map<String, List<String>> found = new LinkedHashMap<>();
    for (Path f : files) {
      List<String> hits = literalSecrets(Files.readString(f, StandardCharsets.UTF_8));
      if (!hits.isEmpty()) {
        found.put(ROOT.relativize(f).toString(), hits);
      }
    }
    assertEquals(Map.of(), found, "literal secrets in committed files");
  }
}
