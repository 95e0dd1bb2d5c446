package io.instructlake.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.delta.tables.DeltaTable;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/** A Delta table written to and read back from {@code s3a://} on the in-process S3 server. */
class S3ServerTest extends S3SparkTestBase {
  @Test
  void deltaTableRoundTripsOnS3a() throws Exception {
    String path = s3.uri("t");
    spark.range(0, 100).toDF("id").write().format("delta").save(path);
    spark.range(100, 150).toDF("id").write().format("delta").mode("append").save(path);

    Dataset<Row> back = spark.read().format("delta").load(path);
    assertEquals(150, back.count());
    // Sum of 0..149 computed independently: n(n-1)/2.
    assertEquals(
        150L * 149 / 2, back.agg(org.apache.spark.sql.functions.sum("id")).first().getLong(0));
    long version = DeltaTable.forPath(spark, path).history(1).select("version").first().getLong(0);
    assertEquals(1, version);
    assertEquals(100, spark.read().format("delta").option("versionAsOf", 0).load(path).count());

    // The objects are really on the server: the commit files of both versions are listed there.
    FileSystem fs = new Path(path).getFileSystem(spark.sparkContext().hadoopConfiguration());
    List<String> log =
        java.util.Arrays.stream(fs.listStatus(new Path(path + "/_delta_log")))
            .map(FileStatus::getPath)
            .map(Path::getName)
            .filter(n -> n.endsWith(".json"))
            .sorted()
            .collect(Collectors.toList());
    assertEquals(List.of("00000000000000000000.json", "00000000000000000001.json"), log);
  }

  @Test
  void wrongSecretIsRejected() throws Exception {
    Configuration conf = new Configuration();
    s3.applyTo(conf);
    conf.set("fs.s3a.secret.key", "not-" + s3.secretKey());
    conf.setBoolean("fs.s3a.impl.disable.cache", true);
    conf.set("fs.s3a.attempts.maximum", "1");
    conf.set("fs.s3a.retry.limit", "1");
    Exception e = null;
    try (FileSystem fs = FileSystem.newInstance(new java.net.URI(s3.uri("")), conf)) {
      fs.listStatus(new Path(s3.uri("")));
    } catch (Exception thrown) {
      e = thrown;
    }
    assertTrue(e != null, "a wrong secret must not list the bucket");
    assertTrue(
        String.valueOf(e.getMessage()).contains("403")
            || String.valueOf(e.getMessage()).toLowerCase().contains("signature")
            || e instanceof java.nio.file.AccessDeniedException,
        "expected an authentication failure, got: " + e);
    assertNotEquals(s3.accessKey(), s3.secretKey());
  }
}
