package io.instructlake.gold;

import io.instructlake.lake.RecordSchema;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Small silver-shaped inputs for the gold tests: bronze columns plus {@code lang} and {@code
 * cluster_id}, English and Chinese instructions, skewed categories and labels.
 */
public final class GoldFixtures {
  /** English instructions with WordNet-replaceable words and protected spans. */
  public static final List<String> EN =
      List.of(
          "Explain how a car engine works in simple words for student 42.",
          "Describe the big house near the quiet river and send it to <EMAIL> today.",
          "Write a short story about a happy dog that finds a lost ball.",
          "Summarize the main idea of this article about the economy in 3 sentences.",
          "Give some reasons why regular exercise is good for health.",
          "Translate the sentence `print(x)` and explain the error message clearly.",
          "Compare the price of gold and silver over the last decade.",
          "List the benefits of reading books every evening.");

  /** Chinese instructions with CoreSynonym entries and named entities. */
  public static final List<String> ZH =
      List.of(
          "请解释汽车发动机的工作原理，并给出简单的例子。",
          "请介绍北京的历史和文化，以及著名的景点。",
          "写一个关于快乐的小狗的故事，故事要简单有趣。",
          "总结这篇文章的主要观点，控制在3句话以内。",
          "分析股票市场的风险，并提出合理的投资建议。",
          "请说明医生如何诊断感冒，以及常见的治疗方法。");

  public static final StructType SCHEMA =
      RecordSchema.BRONZE
          .add(GoldColumns.LANG, DataTypes.StringType, true)
          .add(GoldColumns.CLUSTER_ID, DataTypes.StringType, true);

  private GoldFixtures() {}

  /**
   * {@code n} records: category finance/medical/law in about 6:3:1, label pos/neg in about 3:1;
   * every tenth record shares a near-duplicate cluster with the next one.
   */
  public static Dataset<Row> silver(SparkSession spark, int n) {
    List<Row> rows = new ArrayList<>();
    Timestamp ts = Timestamp.valueOf("2026-01-01 00:00:00");
    for (int i = 0; i < n; i++) {
      boolean zh = i % 3 == 2;
      String base = zh ? ZH.get(i % ZH.size()) : EN.get(i % EN.size());
      String prompt = base + (zh ? "（第" + i + "题）" : " (item " + i + ")");
      String response = zh ? "这是第" + i + "个回答。" : "This is answer number " + i + ".";
      String id = StableHash.id("fixture", prompt);
      int c = i % 10;
      String category = c < 6 ? "finance" : c < 9 ? "medical" : "law";
      String label = i % 4 == 3 ? "neg" : "pos";
      String cluster = i % 10 == 0 || i % 10 == 1 ? "cl-" + (i / 10) : null;
      List<Row> msgs =
          List.of(RowFactory.create("user", prompt), RowFactory.create("assistant", response));
      rows.add(
          RowFactory.create(
              id,
              "fixture.jsonl",
              (long) i + 1,
              "alpaca",
              null,
              CollectionConverters.asScala(msgs).toSeq(),
              null,
              prompt,
              response,
              label,
              category,
              "run-0",
              ts,
              zh ? "zh" : "en",
              cluster));
    }
    return spark.createDataFrame(rows, SCHEMA);
  }

  /** Sorted SHA-256 of every row's JSON (all columns but volatile ones), for rerun comparisons. */
  public static List<String> rowHashes(Dataset<Row> rows) {
    List<String> out = new ArrayList<>();
    for (String json : rows.toJSON().collectAsList()) {
      out.add(StableHash.id(json));
    }
    out.sort(String::compareTo);
    return out;
  }
}
