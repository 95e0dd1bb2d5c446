package io.instructlake.jobs;

import io.instructlake.config.PipelineConfig;
import io.instructlake.lake.Lake;
import io.instructlake.lake.Sessions;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code bin/pipeline sql "<query>"}: result rows as JSON lines; table names resolve in the lake.
 */
@Command(
    name = "sql",
    mixinStandardHelpOptions = true,
    description = {
      "Run a Spark SQL query against the lake and print result rows as JSON lines.",
      "Tables: bronze.records, silver.cleaned, silver.records, gold.train, gold.eval, quarantine,"
          + " runs, metrics."
    })
final class SqlCommand implements Callable<Integer> {
  @Mixin CommonOptions options;
  @Spec CommandSpec spec;

  @Parameters(
      index = "0",
      paramLabel = "QUERY",
      description = "e.g. \"SELECT reason, count(*) FROM quarantine GROUP BY reason\"")
  String query;

  @Override
  public Integer call() {
    PipelineConfig config = options.config();
    SparkSession spark = Sessions.create(config);
    Lake lake = new Lake(spark, config.section("lake").string("root"));
    lake.registerTables();
    var out = spec.commandLine().getOut();
    for (String line : spark.sql(query).toJSON().collectAsList()) {
      out.println(line);
    }
    out.flush();
    return 0;
  }
}
