package io.instructlake.jobs;

import io.instructlake.PipelineException;
import io.instructlake.config.ConfigError;
import io.instructlake.config.PipelineConfig;
import java.io.PrintStream;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code bin/pipeline <command> [--conf FILE] [--set key=value]... [--input PATH] [--lake PATH]
 * [--summary FILE]}: the one entry point for the launcher, {@code spark-submit} (main class of the
 * shaded jar) and schedulers. Parses, builds, executes, reports; the work is in {@code pipeline/}.
 *
 * <p>Exit codes: 0 ok, 1 failed, 2 bad usage or configuration, 3 rolled back.
 */
@Command(
    name = "pipeline",
    mixinStandardHelpOptions = true,
    version = "instructlake 0.1.0",
    description = "Curate instruction corpora into Delta tables and fine-tune on them.",
    subcommands = {
      DemoCommand.class,
      GenerateCorpusCommand.class,
      IngestCommand.class,
      CleanCommand.class,
      DedupeCommand.class,
      SplitCommand.class,
      AugmentCommand.class,
      BalanceCommand.class,
      PublishCommand.class,
      NightlyCommand.class,
      TrainCommand.class,
      SqlCommand.class,
      LogitsCommand.class,
      BenchCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    int code = execute(args, System.out, System.err);
    // Stop Spark before exiting: a local-cluster's workers otherwise try to relaunch executors
    // while the JVM shuts down, and flood the log.
    scala.Option<org.apache.spark.sql.SparkSession> session =
        org.apache.spark.sql.SparkSession.getDefaultSession();
    if (session.isDefined()) {
      session.get().stop();
    }
    System.exit(code);
  }

  /** Runs the CLI with the given streams; returns the exit code (used by tests). */
  public static int execute(String[] args, PrintStream out, PrintStream err) {
    CommandLine cl = new CommandLine(new Main());
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    cl.getHelpSectionMap().put("keys", help -> keysHelp());
    java.util.List<String> sections = new java.util.ArrayList<>(cl.getHelpSectionKeys());
    sections.add(sections.indexOf(CommandLine.Model.UsageMessageSpec.SECTION_KEY_FOOTER), "keys");
    cl.setHelpSectionKeys(sections);
    cl.setExecutionExceptionHandler(
        (ex, line, parse) -> {
          if (ex instanceof PipelineException) {
            err.println("error: " + ex.getMessage());
            return ex instanceof ConfigError
                    || ex.getClass().getSimpleName().startsWith("ConfigError")
                ? JobRunner.EXIT_USAGE
                : JobRunner.EXIT_FAILED;
          }
          err.println("error: " + ex.getClass().getSimpleName() + ": " + ex.getMessage());
          ex.printStackTrace(err);
          return JobRunner.EXIT_FAILED;
        });
    cl.setExitCodeExceptionMapper(ex -> JobRunner.EXIT_USAGE);
    return cl.execute(args);
  }

  static String keysHelp() {
    StringBuilder sb = new StringBuilder("%nConfiguration keys (default, documentation):%n");
    for (String line : PipelineConfig.describeKeys()) {
      sb.append(line.replace("%", "%%")).append("%n");
    }
    sb.append(
        "%nPrecedence: --set/--input/--lake, then INSTRUCTLAKE_<KEY> environment variables"
            + " (_ for '.', __ for '-'), then --conf FILE, then these defaults.%n"
            + "Exit codes: 0 ok, 1 failed, 2 bad usage or configuration, 3 rolled back.%n");
    return String.format(sb.toString());
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
