/**
 * The lake: Delta tables under one root ({@link io.instructlake.lake.Lake}, {@link
 * io.instructlake.lake.LakeTable}), the record and quarantine schemas, what a stage returns ({@link
 * io.instructlake.lake.StageOutput}), and {@link io.instructlake.lake.Run}, which writes stage
 * outputs, records each command in the {@code runs} table and restores every table it touched when
 * the command fails; its {@link io.instructlake.lake.RunSummary} holds each job's typed {@link
 * io.instructlake.lake.JobResult}.
 */
package io.instructlake.lake;
