package io.instructlake.gold;

/** Column names the gold stages read or add on top of {@link io.instructlake.lake.RecordSchema}. */
public final class GoldColumns {
  /** {@code train}, {@code eval} or {@code test}; added by split. */
  public static final String SPLIT = "split";

  /** Near-duplicate cluster id written by dedupe (optional input column). */
  public static final String CLUSTER_ID = "cluster_id";

  /** Language code written by clean (optional input column), e.g. {@code en}, {@code zh}. */
  public static final String LANG = "lang";

  /** How an augmented or oversampled row was made; null for original records. */
  public static final String AUG_METHOD = "aug_method";

  /** The record an augmented or oversampled row was made from; null for original records. */
  public static final String PARENT_ID = "parent_id";

  public static final String TRAIN = "train";
  public static final String EVAL = "eval";
  public static final String TEST = "test";

  /** Delta table property holding the silver version a gold table was built from. */
  public static final String PROP_SILVER_VERSION = "instructlake.silver.version";

  /** Delta table property naming the silver table a gold table was built from. */
  public static final String PROP_SILVER_TABLE = "instructlake.silver.table";

  /** Delta table property holding the run that built a gold table. */
  public static final String PROP_RUN_ID = "instructlake.run.id";

  private GoldColumns() {}
}
