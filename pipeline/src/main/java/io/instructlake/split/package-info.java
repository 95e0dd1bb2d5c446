/**
 * Split: assigns every record to {@code train}, {@code eval} or {@code test} by a stable hash of
 * its id (or of a configured column), so a record never changes side between runs. Near-duplicate
 * clusters ({@code cluster_id}) and augmented rows ({@code parent_id}) hash by their group key, so
 * they always land on the same side as their group. {@link io.instructlake.split.SplitAssigner} is
 * the pure rule, {@link io.instructlake.split.Splitter} the stage, {@link
 * io.instructlake.split.SplitJob} the {@code split} command.
 */
package io.instructlake.split;
