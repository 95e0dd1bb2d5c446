/**
 * The clean stage: bronze.records to silver.cleaned.
 *
 * <p>Pure Java pieces, each usable and tested without Spark: {@link
 * io.instructlake.clean.TextNormalizer} (NFKC, full-width, invisible characters, HTML, whitespace,
 * repeated punctuation; idempotent), {@link io.instructlake.clean.PiiRedactor} (Chinese and English
 * PII and secrets with validated ID and card numbers, typed placeholders), the filters {@link
 * io.instructlake.clean.LengthFilter}, {@link io.instructlake.clean.LanguageIdentifier} (lingua,
 * only the configured languages), {@link io.instructlake.clean.QualityFilter} (Gopher/C4 rules with
 * Chinese versions) and {@link io.instructlake.clean.RecordChecks} (structure and regex rules), and
 * {@link io.instructlake.clean.CleanPipeline}, which fixes their order in one place.
 *
 * <p>Spark edge: {@link io.instructlake.clean.CleanStage} (Dataset in, StageOutput out) and {@link
 * io.instructlake.clean.CleanJob} (the {@code clean} command). Options: {@link
 * io.instructlake.clean.CleanOptions}, documented in {@code instructlake/clean.conf}.
 */
package io.instructlake.clean;
