/**
 * Inference on the training engine's model: {@link io.instructlake.infer.Generator} (prefill and
 * KV-cached decoding of left-padded batches over {@link io.instructlake.train.model.KvCache}),
 * {@link io.instructlake.infer.GenerationSettings} (greedy, temperature, top-k, top-p, repetition
 * penalty, seed, stop strings). Loading a model directory with its tokenizer, end ids and chat
 * template comes with the {@code generate} command.
 */
package io.instructlake.infer;
