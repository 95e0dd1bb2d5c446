package io.instructlake.train.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

/**
 * The key/value cache of one generation batch (HF's {@code past_key_values}): per layer, keys and
 * values of every slot written so far, {@code (batch, kvHeads, 1, capacity, headDim)} in the
 * model's compute type. Grouped-query attention caches the KV heads only; the query heads of a
 * group share them, as in {@code repeat_kv}. Preallocated once for the longest sequence of the
 * batch (prompt slots plus new tokens), so decoding never reallocates. Slots are shared by all rows
 * (rows of shorter prompts are left padded), and {@link #length()} is the number of slots filled.
 *
 * <p>Use it through {@link LlamaModel#decode}. Not thread-safe; close it to free its arrays.
 */
public final class KvCache implements AutoCloseable {
  private final NDManager manager;
  private final NDArray[] keys;
  private final NDArray[] values;
  private final int batch;
  private final int capacity;
  private int length;

  private KvCache(LlamaModel model, int batch, int capacity) {
    LlamaConfig c = model.config();
    this.manager = model.manager().newSubManager();
    this.batch = batch;
    this.capacity = capacity;
    this.keys = new NDArray[c.numLayers()];
    this.values = new NDArray[c.numLayers()];
    Shape shape = new Shape(batch, c.numKvHeads(), 1, capacity, c.headDim());
    for (int l = 0; l < c.numLayers(); l++) {
      keys[l] = manager.zeros(shape, model.computeType());
      values[l] = manager.zeros(shape, model.computeType());
    }
  }

  /**
   * A cache for {@code batch} rows of at most {@code capacity} slots.
   *
   * @throws IllegalArgumentException when either is not positive
   */
  public static KvCache allocate(LlamaModel model, int batch, int capacity) {
    if (batch < 1 || capacity < 1) {
      throw new IllegalArgumentException(
          "a KV cache needs batch >= 1 and capacity >= 1, got " + batch + " x " + capacity);
    }
    return new KvCache(model, batch, capacity);
  }

  public int batch() {
    return batch;
  }

  public int capacity() {
    return capacity;
  }

  /** Slots filled so far (the next pass writes from here). */
  public int length() {
    return length;
  }

  /**
   * Writes one pass's keys and values {@code (B,KV,1,T,D)} of layer {@code layer} at slots {@code
   * [length, length + T)}; returns keys and values of slots {@code [0, length + T)}.
   */
  NDArray[] write(int layer, NDArray k, NDArray v) {
    long t = k.getShape().get(3);
    if (length + t > capacity) {
      throw new IllegalStateException(
          "KV cache full: " + length + " + " + t + " slots > capacity " + capacity);
    }
    NDIndex at = new NDIndex(":, :, :, {}:{}, :", length, length + t);
    keys[layer].set(at, k);
    values[layer].set(at, v);
    NDIndex upTo = new NDIndex(":, :, :, :{}, :", length + t);
    return new NDArray[] {keys[layer].get(upTo), values[layer].get(upTo)};
  }

  /** Marks {@code t} more slots filled, once every layer of a pass has written them. */
  void advance(int t) {
    length += t;
  }

  @Override
  public void close() {
    manager.close();
  }
}
