package io.instructlake.dedupe;

import static org.apache.spark.sql.functions.udf;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.api.java.UDF3;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.util.sketch.BloomFilter;

/**
 * Spark UDFs over the pure dedupe logic. Each captures only serializable pure objects (or a
 * broadcast), never the stage or the session.
 */
final class DedupeUdfs {
  private DedupeUdfs() {}

  /** {@code (system, messages, tools) -> dedupe key}. */
  static UserDefinedFunction key(DedupeKey key) {
    return udf(
        (UDF3<String, scala.collection.Seq<Row>, String, String>)
            (system, messages, tools) -> {
              List<String> roles = new ArrayList<>();
              List<String> contents = new ArrayList<>();
              if (messages != null) {
                scala.collection.Iterator<Row> it = messages.iterator();
                while (it.hasNext()) {
                  Row m = it.next();
                  roles.add(m.getString(0));
                  contents.add(m.getString(1));
                }
              }
              return key.key(system, roles, contents, tools);
            },
        DataTypes.StringType);
  }

  /** {@code (system, messages) -> sorted distinct shingle hashes}. */
  static UserDefinedFunction shingles(ContentNormalizer norm, Shingler shingler) {
    return udf(
        (UDF2<String, scala.collection.Seq<Row>, long[]>)
            (system, messages) -> shingler.shingles(norm.shingleText(system, contents(messages))),
        DataTypes.createArrayType(DataTypes.LongType, false));
  }

  /** {@code (system, messages) -> LSH band keys} (empty for empty text). */
  static UserDefinedFunction bands(ContentNormalizer norm, Shingler shingler, MinHasher mh) {
    return udf(
        (UDF2<String, scala.collection.Seq<Row>, long[]>)
            (system, messages) ->
                mh.bandKeys(shingler.shingles(norm.shingleText(system, contents(messages)))),
        DataTypes.createArrayType(DataTypes.LongType, false));
  }

  /** {@code (shinglesA, shinglesB) -> exact Jaccard}. */
  static UserDefinedFunction jaccard() {
    return udf(
        (UDF2<scala.collection.Seq<Object>, scala.collection.Seq<Object>, Double>)
            (a, b) -> Jaccard.of(toLongs(a), toLongs(b)),
        DataTypes.DoubleType);
  }

  /** {@code key -> bloom.mightContain(key)} with the filter broadcast once per executor. */
  static UserDefinedFunction mightContain(Broadcast<BloomFilter> bloom) {
    return udf(
        (UDF1<String, Boolean>) k -> k != null && bloom.value().mightContainString(k),
        DataTypes.BooleanType);
  }

  static List<String> contents(scala.collection.Seq<Row> messages) {
    List<String> out = new ArrayList<>();
    if (messages != null) {
      scala.collection.Iterator<Row> it = messages.iterator();
      while (it.hasNext()) {
        out.add(it.next().getString(1));
      }
    }
    return out;
  }

  static long[] toLongs(scala.collection.Seq<Object> s) {
    if (s == null) {
      return new long[0];
    }
    long[] out = new long[s.size()];
    scala.collection.Iterator<Object> it = s.iterator();
    int i = 0;
    while (it.hasNext()) {
      out[i++] = (Long) it.next();
    }
    return out;
  }
}
