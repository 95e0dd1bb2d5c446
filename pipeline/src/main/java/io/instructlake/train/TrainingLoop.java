package io.instructlake.train;

import io.instructlake.train.data.SftLoader;
import io.instructlake.train.model.Batch;
import java.util.List;
import java.util.Locale;

/**
 * The one training loop, run by the single-worker {@code train} command and by every rank of
 * data-parallel training: each optimizer step computes the gradients of {@code grad-accum}
 * micro-batches, hands them to a {@link GradientSync} (nothing for one worker; the all-reduce over
 * the ranks in data-parallel training), applies the update and tells every {@link Listener}
 * (progress, metrics, checkpoints, evaluation), in the spirit of DJL's {@code TrainingListener} and
 * {@code EasyTrain}. Listeners run in order on the training thread after each step, so in
 * data-parallel training every rank calls them at the same steps (a listener may communicate with
 * the other ranks, as the progress line's global loss does).
 *
 * <pre>{@code
 * TrainingLoop.builder()
 *     .setTrainer(trainer).setLoader(loader).setSteps(s.steps()).optGradAccum(s.gradAccum())
 *     .optListener(progress).optListener(checkpoints)
 *     .build()
 *     .run();
 * }</pre>
 */
public final class TrainingLoop {
  private final Trainer trainer;
  private final SftLoader loader;
  private final long steps;
  private final int gradAccum;
  private final GradientSync sync;
  private final List<Listener> listeners;

  /** What one optimizer step did, with its timings. */
  public record Step(
      long step,
      long totalSteps,
      long firstStep,
      double loss,
      long tokens,
      double lr,
      double gradNorm,
      long computeNanos,
      long syncNanos,
      long updateNanos,
      long sinceStartNanos) {

    /** Seconds the whole step took. */
    public double seconds() {
      return (computeNanos + syncNanos + updateNanos) / 1e9;
    }

    /** Estimated time left at the pace so far. */
    public double etaSeconds() {
      return sinceStartNanos / 1e9 / (step - firstStep) * (totalSteps - step);
    }
  }

  /** Makes the accumulated gradients the ones to apply, between backward and update. */
  public interface GradientSync {
    /** One worker: the local gradients are the global ones. */
    GradientSync NONE = trainer -> {};

    void sync(Trainer trainer);
  }

  /** Hooks around the loop; every method has an empty default. */
  public interface Listener {
    /** After step {@code s} was applied. */
    default void onStep(Step s) {}

    /** After the last step (also when the loop had nothing left to do after a resume). */
    default void onEnd(Trainer trainer) {}
  }

  private TrainingLoop(Builder b) {
    this.trainer = b.trainer;
    this.loader = b.loader;
    this.steps = b.steps;
    this.gradAccum = b.gradAccum;
    this.sync = b.sync;
    this.listeners = List.copyOf(b.listeners);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Trains from the trainer's current step up to {@code steps}; returns the last step's loss. */
  public double run() {
    long firstStep = trainer.step();
    long start = System.nanoTime();
    double last = Double.NaN;
    while (trainer.step() < steps) {
      long t0 = System.nanoTime();
      double loss = 0;
      long tokens = 0;
      for (int k = 0; k < gradAccum; k++) {
        Batch b = loader.next();
        loss += trainer.computeGradients(b);
        tokens += b.realTokens();
      }
      loss /= gradAccum;
      long t1 = System.nanoTime();
      sync.sync(trainer);
      long t2 = System.nanoTime();
      Trainer.StepStats st = trainer.applyUpdate();
      long t3 = System.nanoTime();
      last = loss;
      Step s =
          new Step(
              st.step(),
              steps,
              firstStep,
              loss,
              tokens,
              st.lr(),
              st.gradNorm(),
              t1 - t0,
              t2 - t1,
              t3 - t2,
              t3 - start);
      for (Listener l : listeners) {
        l.onStep(s);
      }
    }
    for (Listener l : listeners) {
      l.onEnd(trainer);
    }
    return last;
  }

  /** The progress line both commands print: step, loss, learning rate, tokens/s and ETA. */
  public static String progressLine(String prefix, Step s, double loss, double tokensPerSecond) {
    return String.format(
        Locale.ROOT,
        "%s: step %d/%d loss %.4f lr %.2e tokens/s %.0f eta %s",
        prefix,
        s.step(),
        s.totalSteps(),
        loss,
        s.lr(),
        tokensPerSecond,
        formatEta(s.etaSeconds()));
  }

  /** Whether step {@code s} gets a progress line: every {@code logEvery}, the first and last. */
  public static boolean logs(Step s, int logEvery) {
    return s.step() % logEvery == 0 || s.step() == s.firstStep() + 1 || s.step() == s.totalSteps();
  }

  /** {@code h:mm:ss} of a duration in seconds, for progress lines ({@code ?} when unknown). */
  public static String formatEta(double seconds) {
    if (!Double.isFinite(seconds)) {
      return "?";
    }
    long t = Math.round(seconds);
    return String.format(Locale.ROOT, "%d:%02d:%02d", t / 3600, (t / 60) % 60, t % 60);
  }

  /** Builder: {@code setX} required, {@code optX} with the documented defaults. */
  public static final class Builder {
    private Trainer trainer;
    private SftLoader loader;
    private long steps = -1;
    private int gradAccum = 1;
    private GradientSync sync = GradientSync.NONE;
    private final java.util.ArrayList<Listener> listeners = new java.util.ArrayList<>();

    private Builder() {}

    public Builder setTrainer(Trainer trainer) {
      this.trainer = trainer;
      return this;
    }

    public Builder setLoader(SftLoader loader) {
      this.loader = loader;
      return this;
    }

    /** The step to train up to (the total, not the number still to run). */
    public Builder setSteps(long steps) {
      this.steps = steps;
      return this;
    }

    /** Micro-batches per optimizer step; default 1. */
    public Builder optGradAccum(int gradAccum) {
      this.gradAccum = gradAccum;
      return this;
    }

    /** Default {@link GradientSync#NONE} (one worker). */
    public Builder optGradientSync(GradientSync sync) {
      this.sync = sync;
      return this;
    }

    /** Adds a listener; listeners run in the order added. Default none. */
    public Builder optListener(Listener listener) {
      listeners.add(java.util.Objects.requireNonNull(listener, "listener"));
      return this;
    }

    public TrainingLoop build() {
      java.util.Objects.requireNonNull(trainer, "setTrainer is required");
      java.util.Objects.requireNonNull(loader, "setLoader is required");
      java.util.Objects.requireNonNull(sync, "gradient sync");
      if (steps < 0) {
        throw new IllegalArgumentException("setSteps is required (>= 0), got " + steps);
      }
      if (gradAccum < 1) {
        throw new IllegalArgumentException("gradAccum must be >= 1, got " + gradAccum);
      }
      return new TrainingLoop(this);
    }
  }
}
