package io.instructlake.augment;

/**
 * One direction of a translation model (for example English to pivot). Implementations are loaded
 * by a {@link Loader} once per executor JVM and must be safe to call from several task threads.
 */
public interface TranslationModel extends AutoCloseable {
  /** Translates one text. */
  String translate(String text);

  @Override
  default void close() {}

  /**
   * Loads a model from a directory (local or on a path every executor can read). The plug point of
   * back-translation: {@code augment.back-translation.loader} names the implementing class, which
   * needs a public no-argument constructor.
   */
  interface Loader {
    TranslationModel load(String path);
  }
}
