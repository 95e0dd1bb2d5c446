/**
 * The contracts of the pipeline's work. A <b>job</b> ({@link io.instructlake.stage.Job}) is one
 * command: it parses its configuration once into a typed options record, executes against a {@link
 * io.instructlake.lake.Run} and returns a typed {@link io.instructlake.lake.JobResult}; {@link
 * io.instructlake.stage.JobSequence} runs jobs as one run (the CLI, notebooks and tests share it).
 * A <b>stage</b> is one class with one verb that takes a Dataset and returns a {@link
 * io.instructlake.lake.StageOutput} (kept records, quarantined drops with reasons, counters); it
 * checks its input schema with {@link io.instructlake.lake.RecordSchema#require} before any Spark
 * job.
 */
package io.instructlake.stage;
