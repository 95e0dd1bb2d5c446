/**
 * instructlake: a Spark lakehouse pipeline that curates instruction corpora into versioned Delta
 * tables and fine-tunes Llama-family decoders on them with DJL.
 *
 * <p>Packages by capability: {@code config} (one typed configuration), {@code lake} (Delta tables,
 * the runs log, quarantine), {@code ingest}, {@code corpus} (the seeded generator), {@code clean},
 * {@code dedupe}, {@code split}, {@code augment}, {@code balance}, {@code train}, {@code evaluate},
 * {@code export}. Pure logic lives in plain Java classes that need no SparkSession; Spark glue sits
 * at the edge of each package.
 */
package io.instructlake;
