package io.instructlake.balance;

import static org.apache.spark.sql.functions.array_sort;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sequence;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.udf;
import static org.apache.spark.sql.functions.when;

import io.instructlake.gold.GoldColumns;
import io.instructlake.gold.StableHash;
import io.instructlake.lake.RecordSchema;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.BucketedRandomProjectionLSH;
import org.apache.spark.ml.feature.BucketedRandomProjectionLSHModel;
import org.apache.spark.ml.feature.HashingTF;
import org.apache.spark.ml.feature.Normalizer;
import org.apache.spark.ml.feature.RegexTokenizer;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF3;
import org.apache.spark.sql.api.java.UDF4;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;

/**
 * SMOTE (Chawla et al., 2002) on MLlib feature vectors: each synthetic point is {@code x + u (n -
 * x)} for a real point {@code x}, one of its {@code k} nearest same-class neighbours {@code n} and
 * a seeded gap {@code u} in [0, 1). Neighbour candidates come from MLlib's {@link
 * BucketedRandomProjectionLSH} ({@code approxSimilarityJoin}), so no all-pairs distance is
 * computed. Synthetic rows copy the seed row's other columns and add {@code smote_neighbor_id}.
 */
public final class Smote {
  /** The neighbour a synthetic row was interpolated towards. */
  public static final String NEIGHBOR = "smote_neighbor_id";

  private Smote() {}

  /**
   * L2-normalized hashed term frequencies of the prompt (words; each Chinese character a token).
   */
  public static Dataset<Row> textFeatures(Dataset<Row> rows, String out, int numFeatures) {
    Dataset<Row> in = rows.withColumn("_smote_text", coalesce(col(RecordSchema.PROMPT), lit("")));
    RegexTokenizer tok =
        new RegexTokenizer()
            .setInputCol("_smote_text")
            .setOutputCol("_smote_tokens")
            .setPattern("[^\\p{L}\\p{N}]+|(?<=\\p{IsHan})|(?=\\p{IsHan})")
            .setGaps(true)
            .setMinTokenLength(1);
    HashingTF tf =
        new HashingTF()
            .setInputCol("_smote_tokens")
            .setOutputCol("_smote_tf")
            .setNumFeatures(numFeatures);
    Normalizer norm = new Normalizer().setInputCol("_smote_tf").setOutputCol(out).setP(2.0);
    return new Pipeline()
        .setStages(new PipelineStage[] {tok, tf, norm})
        .fit(in)
        .transform(in)
        .drop("_smote_text", "_smote_tokens", "_smote_tf");
  }

  /**
   * Synthetic rows for classes that need more rows.
   *
   * @param ranked train rows with {@code _class}, {@code _h} (seeded hash), {@code _n}, {@code
   *     _target} and the features column
   * @return synthetic rows (seed row's columns, new id, {@code aug_method = smote}, {@code
   *     parent_id}, interpolated features, {@code smote_neighbor_id}), still with helper columns
   */
  static Dataset<Row> synthesize(Dataset<Row> ranked, BalanceOptions o, String features) {
    Dataset<Row> minority = ranked.where(col("_target").gt(col("_n")));
    Dataset<Row> pts =
        minority.select(col(RecordSchema.RECORD_ID).as("_id"), col("_class"), col(features));
    BucketedRandomProjectionLSHModel lsh =
        new BucketedRandomProjectionLSH()
            .setInputCol(features)
            .setOutputCol("_smote_hashes")
            .setBucketLength(o.smoteBucketLength())
            .setNumHashTables(o.smoteHashTables())
            .setSeed(o.seed())
            .fit(pts);
    Dataset<Row> pairs =
        lsh.approxSimilarityJoin(pts, pts, o.smoteMaxDistance(), "_dist")
            .where(
                col("datasetA._id")
                    .notEqual(col("datasetB._id"))
                    .and(col("datasetA._class").equalTo(col("datasetB._class"))))
            .select(
                col("datasetA._id").as("_a"),
                col("datasetB._id").as("_b"),
                col("datasetB." + features).as("_bf"),
                col("_dist"));
    Dataset<Row> knn =
        pairs
            .withColumn(
                "_nrank",
                row_number().over(Window.partitionBy("_a").orderBy(col("_dist"), col("_b"))))
            .where(col("_nrank").leq(o.smoteK()))
            .groupBy("_a")
            .agg(array_sort(collect_list(struct(col("_nrank"), col("_b"), col("_bf")))).as("_nn"));
    Dataset<Row> seeds =
        minority.join(knn, minority.col(RecordSchema.RECORD_ID).equalTo(knn.col("_a"))).drop("_a");
    Dataset<Row> withCount =
        seeds
            .withColumn(
                "_m",
                org.apache.spark.sql.functions.count(lit(1)).over(Window.partitionBy("_class")))
            .withColumn(
                "_srank",
                row_number()
                    .over(
                        Window.partitionBy("_class")
                            .orderBy(col("_h"), col(RecordSchema.RECORD_ID))));
    org.apache.spark.sql.Column extra = col("_target").minus(col("_n"));
    Dataset<Row> copies =
        withCount
            .withColumn(
                "_copies",
                floor(extra.divide(col("_m")))
                    .plus(when(col("_srank").leq(extra.mod(col("_m"))), lit(1)).otherwise(lit(0)))
                    .cast("int"))
            .where(col("_copies").gt(0))
            .withColumn("_copy", explode(sequence(lit(1), col("_copies"))));
    String seed = Long.toString(o.seed());
    UserDefinedFunction pick =
        udf(
            (UDF3<String, Integer, Integer, Integer>)
                (id, copy, n) -> 1 + (int) (StableHash.unit("smote-nn", seed, id, "" + copy) * n),
            DataTypes.IntegerType);
    UserDefinedFunction gap =
        udf(
            (org.apache.spark.sql.api.java.UDF2<String, Integer, Double>)
                (id, copy) -> StableHash.unit("smote-gap", seed, id, "" + copy),
            DataTypes.DoubleType);
    UserDefinedFunction interpolate =
        udf((UDF3<Vector, Vector, Double, Vector>) Smote::interpolate, new VectorUDT());
    UserDefinedFunction newId =
        udf(
            (UDF4<String, String, Integer, String, String>)
                (id, nb, copy, s) -> StableHash.id("smote", s, id, nb, "" + copy),
            DataTypes.StringType);
    Dataset<Row> chosen =
        copies
            .withColumn(
                "_pick",
                element_at(
                    col("_nn"),
                    pick.apply(col(RecordSchema.RECORD_ID), col("_copy"), size(col("_nn")))))
            .withColumn("_u", gap.apply(col(RecordSchema.RECORD_ID), col("_copy")));
    return chosen
        .withColumn(features, interpolate.apply(col(features), col("_pick._bf"), col("_u")))
        .withColumn(NEIGHBOR, col("_pick._b"))
        .withColumn(
            GoldColumns.PARENT_ID,
            coalesce(col(GoldColumns.PARENT_ID), col(RecordSchema.RECORD_ID)))
        .withColumn(
            RecordSchema.RECORD_ID,
            newId.apply(col(RecordSchema.RECORD_ID), col(NEIGHBOR), col("_copy"), lit(seed)))
        .withColumn(GoldColumns.AUG_METHOD, lit("smote"))
        .drop("_nn", "_m", "_srank", "_copies", "_copy", "_pick", "_u");
  }

  /** {@code x + u (n - x)}, dense. */
  public static Vector interpolate(Vector x, Vector n, Double u) {
    double[] a = x.toArray();
    double[] b = n.toArray();
    double[] out = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[i] + u * (b[i] - a[i]);
    }
    return Vectors.dense(out).compressed();
  }
}
