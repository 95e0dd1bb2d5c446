package io.instructlake.lake;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValue;
import io.instructlake.config.ConfigReader;
import io.instructlake.config.PipelineConfig;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * Creates (or joins) the SparkSession a run uses, with Delta enabled. Under {@code spark-submit} or
 * in a notebook the existing master and session are kept; in-process (the embedded default) {@code
 * spark.master} from the configuration applies.
 */
public final class Sessions {
  private Sessions() {}

  /** Gets or creates the session for {@code config}, with the lake root as warehouse directory. */
  public static SparkSession create(PipelineConfig config) {
    ConfigReader sparkSection = config.section("spark");
    String lakeRoot = config.section("lake").string("root");
    SparkConf conf = new SparkConf();
    boolean submitted = conf.contains("spark.master");
    if (!submitted || sparkSection.bool("force-master")) {
      conf.setMaster(sparkSection.string("master"));
    }
    if (!conf.contains("spark.app.name") || sparkSection.bool("force-master")) {
      conf.setAppName(sparkSection.string("app-name"));
    }
    conf.set("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension");
    conf.set("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog");
    conf.setIfMissing("spark.sql.warehouse.dir", lakeRoot + "/_catalog");
    conf.setIfMissing("spark.ui.showConsoleProgress", "false");
    conf.setIfMissing("spark.sql.session.timeZone", "UTC");
    conf.setIfMissing("spark.databricks.delta.snapshotPartitions", "2");
    for (Map.Entry<String, String> e : flatten(config.raw().getConfig("spark.conf")).entrySet()) {
      conf.set(e.getKey(), e.getValue());
    }
    for (Map.Entry<String, String> e : flatten(config.raw().getConfig("hadoop.conf")).entrySet()) {
      conf.set("spark.hadoop." + e.getKey(), e.getValue());
    }
    return SparkSession.builder().config(conf).getOrCreate();
  }

  /** Free-form sub-trees: keys may be quoted ("spark.sql.x") or nested (spark { sql { x } }). */
  static Map<String, String> flatten(Config c) {
    java.util.TreeMap<String, String> out = new java.util.TreeMap<>();
    for (Map.Entry<String, ConfigValue> e : c.entrySet()) {
      String key = String.join(".", com.typesafe.config.ConfigUtil.splitPath(e.getKey()));
      out.put(key, String.valueOf(e.getValue().unwrapped()));
    }
    return out;
  }
}
