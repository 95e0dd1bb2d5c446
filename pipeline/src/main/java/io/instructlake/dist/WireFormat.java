package io.instructlake.dist;

/**
 * How gradient values travel between ranks. The reduction itself is always done in fp32.
 *
 * <ul>
 *   <li>{@link #FP32}: 4 bytes per value; results equal an fp32 sum in a fixed order.
 *   <li>{@link #BF16}: 2 bytes per value (half the traffic); every value is rounded to bfloat16
 *       (round to nearest even) each time it is sent, so partial sums lose precision (relative
 *       error about (W - 1) * 2^-8); all ranks still end with identical values.
 * </ul>
 */
public enum WireFormat {
  /** IEEE-754 binary32, little endian. */
  FP32(4),
  /** bfloat16 (the upper 16 bits of binary32, rounded to nearest even), little endian. */
  BF16(2);

  private final int bytesPerValue;

  WireFormat(int bytesPerValue) {
    this.bytesPerValue = bytesPerValue;
  }

  /** Bytes one value takes on the wire. */
  public int bytesPerValue() {
    return bytesPerValue;
  }

  /** Rounds an fp32 value to the nearest bfloat16 (ties to even) and returns its 16 bits. */
  static short toBf16Bits(float value) {
    int bits = Float.floatToRawIntBits(value);
    if ((bits & 0x7fffffff) > 0x7f800000) {
      return (short) ((bits >>> 16) | 0x0040); // NaN stays a (quiet) NaN
    }
    int rounded = bits + 0x7fff + ((bits >>> 16) & 1);
    return (short) (rounded >>> 16);
  }

  /** The fp32 value of 16 bfloat16 bits. */
  static float fromBf16Bits(short bits) {
    return Float.intBitsToFloat((bits & 0xffff) << 16);
  }

  /** {@code value} rounded to bfloat16 precision, as an fp32 value. */
  static float roundToBf16(float value) {
    return fromBf16Bits(toBf16Bits(value));
  }
}
