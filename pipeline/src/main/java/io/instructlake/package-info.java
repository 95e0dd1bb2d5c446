/**
 * instructlake: a Spark lakehouse pipeline that curates instruction corpora into versioned Delta
 * tables and fine-tunes Llama-family decoders on them with DJL.
 *
 * <p>Packages by capability: {@code config} (one typed configuration), {@code lake} (Delta tables,
 * the runs log, quarantine), {@code ingest}, {@code corpus} (the seeded generator), {@code clean},
 * {@code dedupe}, {@code split}, {@code augment}, {@code balance}, {@code gold} (what those share),
 * {@code publish} (the command chaining them), {@code gates} (quality gates and reports), {@code
 * nightly} (the incremental refresh), {@code stage} (the job contract), {@code train} with {@code
 * train.model}, {@code train.data}, {@code train.optim} and {@code train.dp}, {@code dist} (the
 * gradient all-reduce), {@code export} (the benchmarks are a module of their own; evaluation
 * commands are yet to come, and teacher-forced perplexity lives in {@code train}). No package
 * cycles ({@code PackageCyclesTest}): an orchestrator sits in its own package above what it calls.
 * Pure logic lives in plain Java classes that need no SparkSession; Spark glue sits at the edge of
 * each package.
 */
package io.instructlake;
