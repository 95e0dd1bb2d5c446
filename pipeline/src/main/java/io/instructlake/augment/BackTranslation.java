package io.instructlake.augment;

import io.instructlake.PipelineException;
import io.instructlake.config.ConfigReader;
import java.io.Serializable;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Back-translation: text to a pivot language with the forward model and back with the backward
 * model. Models are loaded by the configured {@link TranslationModel.Loader} the first time a task
 * on an executor needs them and then cached for the JVM's lifetime (one load per executor, not per
 * task or record); only the paths and the loader's class name travel in closures.
 */
public final class BackTranslation {
  private static final Map<String, TranslationModel> MODELS = new ConcurrentHashMap<>();

  private BackTranslation() {}

  /**
   * Back-translation settings.
   *
   * @param loader class implementing {@link TranslationModel.Loader}
   * @param forwardModel directory of the model into the pivot language; empty = off
   * @param backwardModel directory of the model back from the pivot language; empty = off
   */
  public record Options(String loader, String forwardModel, String backwardModel)
      implements Serializable {
    /** Reads {@code augment.back-translation}. */
    public static Options from(ConfigReader r) {
      return new Options(r.string("loader"), r.string("forward-model"), r.string("backward-model"));
    }

    /** True when both models are configured. */
    public boolean configured() {
      return !forwardModel.isBlank() && !backwardModel.isBlank();
    }

    /** Why back-translation is off, for logs and the run summary. */
    public String offMessage() {
      return "back-translation is off: no translation model configured (set"
          + " augment.back-translation.forward-model and backward-model to DJL model directories)";
    }
  }

  /** Back-translates {@code text}; the models load on first use in this JVM. */
  public static String roundTrip(Options o, String text) {
    String pivot = model(o.loader(), o.forwardModel()).translate(text);
    return model(o.loader(), o.backwardModel()).translate(pivot);
  }

  /** Number of models loaded in this JVM (tests check one load per executor). */
  public static int loadedModels() {
    return MODELS.size();
  }

  static TranslationModel model(String loaderClass, String path) {
    return MODELS.computeIfAbsent(loaderClass + "\u0001" + path, k -> load(loaderClass, path));
  }

  private static TranslationModel load(String loaderClass, String path) {
    TranslationModel.Loader loader;
    try {
      loader =
          (TranslationModel.Loader)
              Class.forName(loaderClass, true, Thread.currentThread().getContextClassLoader())
                  .getDeclaredConstructor()
                  .newInstance();
    } catch (ReflectiveOperationException | ClassCastException e) {
      throw new PipelineException(
          "Cannot create back-translation loader " + loaderClass,
          e.getClass().getSimpleName() + ": " + e.getMessage(),
          "set augment.back-translation.loader to a class implementing"
              + " io.instructlake.augment.TranslationModel$Loader with a no-arg constructor",
          e);
    }
    return loader.load(path);
  }
}
