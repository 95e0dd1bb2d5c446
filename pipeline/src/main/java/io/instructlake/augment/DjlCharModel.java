package io.instructlake.augment;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.translate.Batchifier;
import ai.djl.translate.TranslateException;
import ai.djl.translate.Translator;
import ai.djl.translate.TranslatorContext;
import io.instructlake.PipelineException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A character-level translation model run with DJL on the PyTorch engine: a {@link Linear} layer
 * (no bias) over one-hot characters of a vocabulary, decoded by argmax. It is the smallest real DJL
 * model that exercises the back-translation plumbing (save, load once per executor, inference
 * inside Spark tasks); the project ships no translation weights, and real seq2seq models plug in
 * through another {@link TranslationModel.Loader}. Characters outside the vocabulary pass through.
 *
 * <p>A model directory holds {@code vocab.txt} (one code point per line, as a decimal number) and
 * DJL's {@code char-translator-0000.params}.
 */
public final class DjlCharModel implements TranslationModel {
  /** DJL model name (parameter file prefix). */
  public static final String NAME = "char-translator";

  private final Model model;
  private final Predictor<String, String> predictor;

  private DjlCharModel(Model model, int[] vocab) {
    this.model = model;
    this.predictor = model.newPredictor(new CharTranslator(vocab));
  }

  /** The loader named by default in {@code augment.back-translation.loader}. */
  public static final class Loader implements TranslationModel.Loader {
    @Override
    public TranslationModel load(String path) {
      return DjlCharModel.load(Path.of(path));
    }
  }

  /** Loads a model saved by {@link #save}. */
  public static DjlCharModel load(Path dir) {
    try {
      int[] vocab = readVocab(dir);
      Model m = Model.newInstance(NAME, "PyTorch");
      m.setBlock(block(vocab.length));
      m.load(dir, NAME);
      return new DjlCharModel(m, vocab);
    } catch (IOException | MalformedModelException | RuntimeException e) {
      throw new PipelineException(
          "Cannot load translation model from " + dir,
          e.getClass().getSimpleName() + ": " + e.getMessage(),
          "point augment.back-translation.forward-model / backward-model at a directory written by"
              + " DjlCharModel.save (vocab.txt and "
              + NAME
              + "-0000.params)",
          e);
    }
  }

  /**
   * Builds and saves a model that maps each vocabulary character to {@code mapping.get(c)} (or to
   * itself when unmapped): the weight matrix is the permutation/selection matrix of the mapping.
   */
  public static void save(Path dir, String vocabulary, Map<Character, Character> mapping)
      throws IOException {
    int[] vocab = vocabulary.codePoints().distinct().toArray();
    Map<Integer, Integer> index = new HashMap<>();
    for (int i = 0; i < vocab.length; i++) {
      index.put(vocab[i], i);
    }
    float[][] w = new float[vocab.length][vocab.length];
    for (int i = 0; i < vocab.length; i++) {
      Character to = mapping.get((char) vocab[i]);
      Integer j = to == null ? Integer.valueOf(i) : index.get((int) to);
      if (j == null) {
        throw new IllegalArgumentException("mapping target '" + to + "' is not in the vocabulary");
      }
      w[j][i] = 1f;
    }
    Files.createDirectories(dir);
    try (Model m = Model.newInstance(NAME, "PyTorch")) {
      Block b = block(vocab.length);
      b.setInitializer((manager, shape, type) -> manager.create(w), Parameter.Type.WEIGHT);
      b.initialize(m.getNDManager(), DataType.FLOAT32, new Shape(1, vocab.length));
      m.setBlock(b);
      m.save(dir, NAME);
    }
    List<String> lines = new ArrayList<>();
    for (int c : vocab) {
      lines.add(Integer.toString(c));
    }
    Files.write(dir.resolve("vocab.txt"), lines, StandardCharsets.UTF_8);
  }

  private static Block block(int units) {
    return Linear.builder().setUnits(units).optBias(false).build();
  }

  private static int[] readVocab(Path dir) throws IOException {
    return Files.readAllLines(dir.resolve("vocab.txt"), StandardCharsets.UTF_8).stream()
        .filter(s -> !s.isBlank())
        .mapToInt(s -> Integer.parseInt(s.trim()))
        .toArray();
  }

  @Override
  public synchronized String translate(String text) {
    if (text == null || text.isEmpty()) {
      return text;
    }
    try {
      return predictor.predict(text);
    } catch (TranslateException e) {
      throw new PipelineException(
          "Back-translation failed", e.getMessage(), "check the translation model", e);
    }
  }

  @Override
  public synchronized void close() {
    predictor.close();
    model.close();
  }

  /** One-hot encodes code points, runs the block, decodes argmax; unknown characters pass. */
  private static final class CharTranslator implements Translator<String, String> {
    private final int[] vocab;
    private final Map<Integer, Integer> index = new HashMap<>();

    CharTranslator(int[] vocab) {
      this.vocab = vocab;
      for (int i = 0; i < vocab.length; i++) {
        index.put(vocab[i], i);
      }
    }

    @Override
    public NDList processInput(TranslatorContext ctx, String input) {
      int[] cps = input.codePoints().toArray();
      float[][] x = new float[cps.length][vocab.length];
      for (int t = 0; t < cps.length; t++) {
        Integer i = index.get(cps[t]);
        if (i != null) {
          x[t][i] = 1f;
        }
      }
      ctx.setAttachment("cps", cps);
      return new NDList(ctx.getNDManager().create(x));
    }

    @Override
    public String processOutput(TranslatorContext ctx, NDList list) {
      int[] cps = (int[]) ctx.getAttachment("cps");
      NDArray arg = list.singletonOrThrow().argMax(1);
      long[] best = arg.toType(DataType.INT64, false).toLongArray();
      StringBuilder sb = new StringBuilder();
      for (int t = 0; t < cps.length; t++) {
        sb.appendCodePoint(index.containsKey(cps[t]) ? vocab[(int) best[t]] : cps[t]);
      }
      return sb.toString();
    }

    @Override
    public Batchifier getBatchifier() {
      return null;
    }
  }
}
