/**
 * The optimizer and schedule: {@link io.instructlake.train.optim.AdamW} with decoupled weight decay
 * and moments the project owns (DJL's optimizer state cannot be checkpointed), and {@link
 * io.instructlake.train.optim.LrSchedule} (linear warm-up, then cosine decay to a share of the
 * peak).
 */
package io.instructlake.train.optim;
