package io.instructlake.dedupe;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.min;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;

/**
 * Connected components of an undirected graph in Spark with the alternating large-star / small-star
 * algorithm (Kiveris et al., "Connected Components in MapReduce and Beyond", SoCC 2014). Node ids
 * are strings; every component is labelled with its smallest id, so callers that encode their
 * survivor rule in the id ordering get the survivor as the label.
 *
 * <p>Written here because neither Spark SQL nor MLlib offers connected components (GraphX has no
 * Java-friendly Dataset API and is Scala-2.13-deprecated in Spark 4). Each round truncates the
 * lineage with a local checkpoint; rounds stop when an iteration leaves the edge set unchanged.
 */
public final class ConnectedComponents {
  /** Columns of the edge input and of the result. */
  public static final String SRC = "src";

  public static final String DST = "dst";
  public static final String NODE = "node";
  public static final String LABEL = "label";

  private ConnectedComponents() {}

  /**
   * @param edges columns {@code src}, {@code dst} (strings; direction ignored; self loops ignored)
   * @return {@code node}, {@code label} for every node that appears in an edge (roots map to
   *     themselves)
   */
  public static Dataset<Row> of(Dataset<Row> edges) {
    // Orient every edge from the larger to the smaller id.
    Dataset<Row> e =
        edges
            .where(col(SRC).notEqual(col(DST)))
            .select(
                org.apache.spark.sql.functions.greatest(col(SRC), col(DST)).as(SRC),
                least(col(SRC), col(DST)).as(DST))
            .distinct()
            .localCheckpoint();
    WindowSpec bySrc = Window.partitionBy(SRC);
    for (int round = 0; round < 200; round++) {
      // Large star: each node u links every larger neighbour to min(N(u) ∪ {u}).
      Dataset<Row> und = e.union(e.select(col(DST).as(SRC), col(SRC).as(DST)));
      Dataset<Row> large =
          und.withColumn("m", least(min(col(DST)).over(bySrc), col(SRC)))
              .where(col(DST).gt(col(SRC)))
              .select(col(DST).as(SRC), col("m").as(DST))
              .distinct();
      // Small star: each node u links itself and its smaller neighbours to min(N(u) ∪ {u}).
      Dataset<Row> withMin = large.withColumn("m", min(col(DST)).over(bySrc));
      Dataset<Row> small =
          withMin
              .select(col(DST).as(SRC), col("m").as(DST))
              .union(withMin.select(col(SRC), col("m").as(DST)))
              .where(col(SRC).notEqual(col(DST)))
              .distinct()
              .localCheckpoint();
      boolean same = small.count() == e.count() && small.exceptAll(e).isEmpty();
      e = small;
      if (same) {
        break;
      }
    }
    // Converged: every non-root node has exactly one edge, to its component's minimum.
    Dataset<Row> children = e.select(col(SRC).as(NODE), col(DST).as(LABEL));
    Dataset<Row> roots = e.select(col(DST).as(NODE)).distinct().withColumn(LABEL, col(NODE));
    return children.union(roots);
  }
}
