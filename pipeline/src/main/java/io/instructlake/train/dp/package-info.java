/**
 * Data-parallel training on Spark: a barrier stage of W tasks, one DJL {@link
 * io.instructlake.train.Trainer} per task (DJL allows one gradient collector per JVM, so one task
 * per executor), gradients averaged every step with {@link io.instructlake.dist.RingAllReduce}.
 *
 * <p>{@link io.instructlake.train.dp.DataParallelTrainer} runs the stage from the driver: it builds
 * the tokenizer once, deals the examples to W ranks (example {@code i} in input order goes to rank
 * {@code i mod W}), runs the barrier stage behind a shuffle (so a failed task makes Spark resubmit
 * the whole stage) and collects per-rank, per-step metrics. Each task ({@code DpWorker}) builds the
 * same model from the same seed and meets the others ONCE ({@code BarrierTaskContext.allGather}):
 * all-reduce addresses, the rows each holds (they must add up to what the driver dealt, each rank
 * holding only its own residue class) and the newest checkpoint each sees (all resume from rank
 * 0's, so no rank can pair its gradients with another step's). Then it runs the shared {@link
 * io.instructlake.train.TrainingLoop}, whose gradient sync all-reduces the gradients (mean over W)
 * in place, so every rank applies the same update. Rank 0 writes checkpoints every {@code
 * train.checkpoint-every} steps. {@link io.instructlake.train.dp.DataParallelTrainJob} is {@code
 * train --workers W} (its runs are recorded as {@code train} runs and exported by the same step as
 * the single worker's).
 *
 * <p>Semantics: the update equals a single worker's with gradient accumulation of W micro-batches
 * (one per rank, each loss a mean over its own loss tokens), i.e. the mean of the per-rank means;
 * for W = 2 the same bits, and in every case the same bits from run to run whatever the timing
 * (tests inject random pauses and short socket reads and writes to show it).
 */
package io.instructlake.train.dp;
