package io.instructlake.train.data;

import io.instructlake.train.model.Batch;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Deterministic, resumable batch stream over encoded examples: each epoch shuffles the examples
 * with {@code Random(seed + epoch)}, packs or pads them into rows, and cuts rows into batches.
 * {@link #position()} (epoch, batch index) goes into checkpoints and {@link #seek} restores it, so
 * a resumed run sees exactly the batches an uninterrupted one would.
 */
public final class SftLoader {
  private final List<SftEncoder.Encoded> examples;
  private final int batchSize;
  private final int maxLen;
  private final boolean pack;
  private final long seed;
  private long epoch;
  private int index;
  private List<List<List<SftEncoder.Encoded>>> epochBatches;

  /** Position in the stream. */
  public record Position(long epoch, int batchIndex) {}

  public SftLoader(
      List<SftEncoder.Encoded> examples, int batchSize, int maxLen, boolean pack, long seed) {
    if (examples.isEmpty()) {
      throw new IllegalArgumentException("no training examples");
    }
    if (batchSize <= 0) {
      throw new IllegalArgumentException("batch size must be > 0, got " + batchSize);
    }
    this.examples = List.copyOf(examples);
    this.batchSize = batchSize;
    this.maxLen = maxLen;
    this.pack = pack;
    this.seed = seed;
  }

  private List<List<List<SftEncoder.Encoded>>> plan(long e) {
    List<SftEncoder.Encoded> order = new ArrayList<>(examples);
    Collections.shuffle(order, new Random(seed + e));
    List<List<SftEncoder.Encoded>> rows = Collator.rows(order, maxLen, pack);
    List<List<List<SftEncoder.Encoded>>> batches = new ArrayList<>();
    for (int i = 0; i < rows.size(); i += batchSize) {
      batches.add(rows.subList(i, Math.min(rows.size(), i + batchSize)));
    }
    return batches;
  }

  /** The next batch (wrapping into the next epoch). */
  public Batch next() {
    if (epochBatches == null) {
      epochBatches = plan(epoch);
    }
    if (index >= epochBatches.size()) {
      epoch++;
      index = 0;
      epochBatches = plan(epoch);
    }
    return Collator.batch(epochBatches.get(index++), maxLen);
  }

  public Position position() {
    return new Position(epoch, index);
  }

  /** Continues from a saved position. */
  public void seek(Position p) {
    epoch = p.epoch();
    index = p.batchIndex();
    epochBatches = plan(epoch);
  }
}
