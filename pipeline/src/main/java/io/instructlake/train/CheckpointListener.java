package io.instructlake.train;

import io.instructlake.train.data.SftLoader;

/**
 * Saves a checkpoint every {@code every} steps (0 = none) and after the last step, through a {@link
 * Saver} (a local directory for one worker; rank 0's checkpoint store in data-parallel training,
 * where the other ranks add no such listener).
 */
public final class CheckpointListener implements TrainingLoop.Listener {
  /** Writes one checkpoint of the trainer at the loader's position. */
  public interface Saver {
    void save(Trainer trainer, SftLoader.Position position);
  }

  private final Trainer trainer;
  private final SftLoader loader;
  private final int every;
  private final Saver saver;

  public CheckpointListener(Trainer trainer, SftLoader loader, int every, Saver saver) {
    if (every < 0) {
      throw new IllegalArgumentException("checkpoint interval must be >= 0, got " + every);
    }
    this.trainer = trainer;
    this.loader = loader;
    this.every = every;
    this.saver = saver;
  }

  @Override
  public void onStep(TrainingLoop.Step s) {
    if (every > 0 && s.step() % every == 0) {
      saver.save(trainer, loader.position());
    }
  }

  @Override
  public void onEnd(Trainer t) {
    saver.save(trainer, loader.position());
  }
}
