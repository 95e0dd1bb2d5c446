/**
 * Augment: new training rows made from train records only, each with {@code aug_method}, {@code
 * parent_id} and a new {@code record_id}. Methods: synonym replacement (HanLP segmenter and its
 * CoreSynonym dictionary for Chinese, WordNet through extJWNL for English), EDA operations (random
 * swap, insertion, deletion), paraphrase templates for the instruction, and back-translation
 * through a pluggable DJL model loaded once per executor. Protected spans ({@link
 * io.instructlake.augment.ProtectedSpans}: numbers, code, PII placeholders, URLs, JSON, named
 * entities) are never changed. Limits: copies per record, a per-category cap and a similarity band
 * guard whose rejects go to quarantine.
 *
 * <p>Pure logic ({@link io.instructlake.augment.TextAugmenter}, {@link
 * io.instructlake.augment.Tokens}, {@link io.instructlake.augment.Similarity}) needs no Spark;
 * {@link io.instructlake.augment.Augmenter} is the stage and {@link
 * io.instructlake.augment.AugmentJob} the {@code augment} command.
 */
package io.instructlake.augment;
