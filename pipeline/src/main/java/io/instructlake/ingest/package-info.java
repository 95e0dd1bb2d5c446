/**
 * Ingestion of raw corpora into {@code bronze.records}: alpaca, sharegpt (from/value and
 * role/content, tools), prompt-response, plain text and Parquet; JSON arrays and JSONL; gzip and
 * zstd; LLaMA-Factory {@code dataset_info.json} mappings. Bad units never fail a run or hide a good
 * record: they go to quarantine with a reason from {@link io.instructlake.ingest.IngestReason}, the
 * raw text (truncated) and the line they start on. Parsing ({@link
 * io.instructlake.ingest.RecordParser}, {@link io.instructlake.ingest.CorpusFileReader}) is plain
 * Java; {@link io.instructlake.ingest.IngestStage} is the Spark edge.
 */
package io.instructlake.ingest;
