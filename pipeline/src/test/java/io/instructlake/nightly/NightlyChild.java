package io.instructlake.nightly;

import io.instructlake.lake.Lake;
import io.instructlake.lake.RunSummary;
import io.instructlake.testkit.SparkTestBase;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;

/**
 * A nightly driver in its own JVM, for tests that kill it: {@code NightlyChild LAKE INPUT
 * [key=value]...}. Exits 0 when the run succeeded, 1 otherwise.
 */
public final class NightlyChild {
  private NightlyChild() {}

  public static void main(String[] args) throws Exception {
    Path scratch = Files.createTempDirectory("nightly-child-");
    SparkSession spark = SparkTestBase.newSession(scratch);
    Lake lake = new Lake(spark, args[0]);
    System.out.println("child: started");
    String[] sets = java.util.Arrays.copyOfRange(args, 2, args.length);
    RunSummary s = NightlyFixtures.nightly(lake, Path.of(args[1]), sets);
    System.out.println("child: " + s.status() + " " + s.message());
    spark.stop();
    System.exit(RunSummary.OK.equals(s.status()) ? 0 : 1);
  }
}
