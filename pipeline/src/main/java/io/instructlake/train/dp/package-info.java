/**
 * Data-parallel training on Spark: a barrier stage of W tasks, one DJL {@link
 * io.instructlake.train.Trainer} per task (DJL allows one gradient collector per JVM, so one task
 * per executor), gradients averaged every step with {@link io.instructlake.dist.RingAllReduce}.
 *
 * <p>{@link io.instructlake.train.dp.DataParallelTrainer} runs the stage from the driver: it builds
 * the tokenizer once, deals the examples to W ranks (example {@code i} in input order goes to rank
 * {@code i mod W}), runs the barrier stage behind a shuffle (so a failed task makes Spark resubmit
 * the whole stage) and collects per-rank, per-step metrics. Each task ({@code DpWorker}) builds the
 * same model from the same seed, restores the newest complete checkpoint if one exists, exchanges
 * all-reduce addresses with ONE {@code BarrierTaskContext.allGather}, then per step computes
 * gradients on its own batch, all-reduces them (mean over W) and applies the same update. Rank 0
 * writes checkpoints every {@code train.checkpoint-every} steps. {@link
 * io.instructlake.train.dp.DataParallelTrainJob} is the {@code train-dp} command.
 *
 * <p>Semantics: the update equals a single worker's with gradient accumulation of W micro-batches
 * (one per rank, each loss a mean over its own loss tokens), i.e. the mean of the per-rank means.
 */
package io.instructlake.train.dp;
