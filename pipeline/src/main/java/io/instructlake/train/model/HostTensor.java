package io.instructlake.train.model;

import java.util.Arrays;

/**
 * A tensor held in Java memory: fp32 values in row-major order and a shape. The exchange type
 * between the model, safetensors files, checkpoints and exports (never an NDArray, so it outlives
 * any NDManager).
 */
public record HostTensor(float[] data, long[] shape) {
  public HostTensor {
    long n = numel(shape);
    if (n != data.length) {
      throw new IllegalArgumentException(
          "shape " + Arrays.toString(shape) + " needs " + n + " values, got " + data.length);
    }
  }

  /** Number of elements of a shape. */
  public static long numel(long[] shape) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return n;
  }

  /** A copy (data and shape). */
  public HostTensor copy() {
    return new HostTensor(data.clone(), shape.clone());
  }
}
