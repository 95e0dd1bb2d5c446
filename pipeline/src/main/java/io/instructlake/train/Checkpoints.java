package io.instructlake.train;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.instructlake.PipelineException;
import io.instructlake.train.data.SftLoader;
import io.instructlake.train.model.HostTensor;
import io.instructlake.train.model.Safetensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Training checkpoints: {@code <root>/checkpoint-<step>/} holding {@code weights.safetensors} (all
 * base weights in full fine-tuning, only the adapter with LoRA), {@code optimizer.safetensors}
 * (AdamW moments), and {@code trainer_state.json} (step, micro-step which seeds dropout, optimizer
 * step count, data position, seed). A checkpoint is written to a temporary directory and renamed,
 * so a directory named {@code checkpoint-N} is always complete. Restoring into a trainer built the
 * same way (same base model, same options) continues exactly as an uninterrupted run.
 */
public final class Checkpoints {
  static final String WEIGHTS = "weights.safetensors";
  static final String OPTIMIZER = "optimizer.safetensors";
  static final String STATE = "trainer_state.json";

  private Checkpoints() {}

  /** Writes a checkpoint for the trainer's current step and returns its directory. */
  public static Path save(Path root, Trainer t, SftLoader.Position position) {
    Path dir = root.resolve("checkpoint-" + t.step());
    Path tmp = root.resolve(".tmp-checkpoint-" + t.step());
    try {
      deleteTree(tmp);
      Files.createDirectories(tmp);
      boolean lora = t.options().method() == TrainerOptions.Method.LORA;
      Map<String, HostTensor> w = lora ? t.model().loraState() : t.model().baseState();
      Safetensors.write(tmp.resolve(WEIGHTS), w);
      Safetensors.write(tmp.resolve(OPTIMIZER), t.optimizer().state());
      JsonObject s = new JsonObject();
      s.addProperty("step", t.step());
      s.addProperty("micro_step", t.microStep());
      s.addProperty("optimizer_steps", t.optimizer().steps());
      s.addProperty("data_epoch", position.epoch());
      s.addProperty("data_batch_index", position.batchIndex());
      s.addProperty("seed", t.options().seed());
      s.addProperty("method", t.options().method().name().toLowerCase(java.util.Locale.ROOT));
      Files.writeString(
          tmp.resolve(STATE), new GsonBuilder().setPrettyPrinting().create().toJson(s));
      deleteTree(dir);
      Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
      return dir;
    } catch (IOException e) {
      throw new PipelineException(
          "Cannot write checkpoint " + dir, e.getMessage(), "check train.checkpoint-dir", e);
    }
  }

  /** The newest complete checkpoint under root, if any. */
  public static Optional<Path> latest(Path root) {
    if (!Files.isDirectory(root)) {
      return Optional.empty();
    }
    try (Stream<Path> s = Files.list(root)) {
      return s.filter(p -> p.getFileName().toString().matches("checkpoint-\\d+"))
          .filter(p -> Files.exists(p.resolve(STATE)))
          .max(
              Comparator.comparingLong(
                  p -> Long.parseLong(p.getFileName().toString().substring(11))));
    } catch (IOException e) {
      throw new PipelineException("Cannot list checkpoints in " + root, e.getMessage(), "", e);
    }
  }

  /** The complete checkpoint of {@code step} under root, if there is one. */
  public static Optional<Path> at(Path root, long step) {
    Path dir = root.resolve("checkpoint-" + step);
    return Files.exists(dir.resolve(STATE)) ? Optional.of(dir) : Optional.empty();
  }

  /** The step a checkpoint directory ({@code checkpoint-<step>}) holds. */
  public static long stepOf(Path dir) {
    return Long.parseLong(dir.getFileName().toString().substring("checkpoint-".length()));
  }

  /** Restores weights, optimizer state and counters; returns the data position to seek to. */
  public static SftLoader.Position restore(Path dir, Trainer t) {
    try {
      JsonObject s = JsonParser.parseString(Files.readString(dir.resolve(STATE))).getAsJsonObject();
      String method = t.options().method().name().toLowerCase(java.util.Locale.ROOT);
      if (!method.equals(s.get("method").getAsString())) {
        throw new PipelineException(
            "Cannot resume from " + dir,
            "it was written by a " + s.get("method").getAsString() + " run, this run is " + method,
            "use the same train.method or a new checkpoint directory");
      }
      for (Map.Entry<String, HostTensor> e : Safetensors.read(dir.resolve(WEIGHTS)).entrySet()) {
        t.model().load(e.getKey(), e.getValue());
      }
      t.optimizer()
          .loadState(
              Safetensors.read(dir.resolve(OPTIMIZER)), s.get("optimizer_steps").getAsLong());
      t.restoreCounters(s.get("step").getAsLong(), s.get("micro_step").getAsLong());
      return new SftLoader.Position(
          s.get("data_epoch").getAsLong(), s.get("data_batch_index").getAsInt());
    } catch (IOException e) {
      throw new PipelineException(
          "Cannot read checkpoint " + dir, e.getMessage(), "delete the broken checkpoint", e);
    }
  }

  /** Deletes a directory tree (no-op when absent). */
  public static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> s = Files.walk(p)) {
      for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(x);
      }
    }
  }
}
