package io.instructlake.testkit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * {@link SparkTestBase} plus an in-process {@link S3Server} for the test class, whose {@code
 * fs.s3a.*} settings are applied to the session's Hadoop configuration.
 */
public abstract class S3SparkTestBase extends SparkTestBase {
  protected static S3Server s3;

  @BeforeAll
  static void startS3() throws Exception {
    s3 = S3Server.start();
    s3.applyTo(spark.sparkContext().hadoopConfiguration());
  }

  @AfterAll
  static void stopS3() throws Exception {
    if (s3 != null) {
      s3.close();
      s3 = null;
    }
  }
}
