package io.instructlake.lake;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * What a stage returns: the records it kept, the rows it dropped (in {@link Quarantine#SCHEMA},
 * each with a reason), and any counters the stage measured itself beyond kept and
 * dropped-per-reason (for example Bloom filter positives). Both datasets are lazy; the runner
 * materializes them once, writes them, and derives {@code kept} and {@code dropped_<reason>} from
 * what was written.
 */
public final class StageOutput {
  private final String stage;
  private final Dataset<Row> kept;
  private final Dataset<Row> dropped;
  private final Map<String, Long> counters;

  private StageOutput(Builder b) {
    this.stage = b.stage;
    this.kept = b.kept;
    this.dropped = b.dropped;
    this.counters = Map.copyOf(b.counters);
  }

  public static Builder builder() {
    return new Builder();
  }

  public String stage() {
    return stage;
  }

  public Dataset<Row> kept() {
    return kept;
  }

  public Dataset<Row> dropped() {
    return dropped;
  }

  /** Stage-specific counters, e.g. {@code bloom_positives}; empty when the stage has none. */
  public Map<String, Long> counters() {
    return counters;
  }

  /** Builder; {@code setStage}, {@code setKept}, {@code setDropped} are required. */
  public static final class Builder {
    private String stage;
    private Dataset<Row> kept;
    private Dataset<Row> dropped;
    private final Map<String, Long> counters = new LinkedHashMap<>();

    public Builder setStage(String stage) {
      this.stage = stage;
      return this;
    }

    public Builder setKept(Dataset<Row> kept) {
      this.kept = kept;
      return this;
    }

    public Builder setDropped(Dataset<Row> dropped) {
      this.dropped = dropped;
      return this;
    }

    /** Adds a stage-specific counter; default none. */
    public Builder optCounter(String name, long value) {
      counters.put(name, value);
      return this;
    }

    public StageOutput build() {
      Objects.requireNonNull(stage, "stage is required (setStage)");
      Objects.requireNonNull(kept, "kept dataset is required (setKept)");
      Objects.requireNonNull(dropped, "dropped dataset is required (setDropped)");
      RecordSchema.require(stage + " (quarantine output)", dropped.schema(), Quarantine.SCHEMA);
      return new StageOutput(this);
    }
  }
}
