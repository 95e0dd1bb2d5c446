/**
 * The stage contract: a stage is one class with one verb that takes a Dataset and returns a {@link
 * io.instructlake.lake.StageOutput} (kept records, quarantined drops with reasons, counters). It
 * checks its input schema with {@link io.instructlake.lake.RecordSchema#require} before any Spark
 * job.
 */
package io.instructlake.stage;
