package io.instructlake.infer;

/**
 * One row's output.
 *
 * @param promptIds the model input
 * @param tokens the generated ids (without the end id that stopped the row, if one did)
 * @param text the generated text (null without a detokenizer), cut before a stop string
 * @param finishReason {@code stop} (an end id or a stop string) or {@code length} (max new tokens)
 */
public record Generation(long[] promptIds, long[] tokens, String text, String finishReason) {
  public static final String STOP = "stop";
  public static final String LENGTH = "length";
}
