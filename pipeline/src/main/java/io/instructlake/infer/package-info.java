/**
 * Inference on the training engine's model: {@link io.instructlake.infer.Generator} (prefill and
 * KV-cached decoding of left-padded batches over {@link io.instructlake.train.model.KvCache}),
 * {@link io.instructlake.infer.GenerationSettings} (greedy, temperature, top-k, top-p, repetition
 * penalty, seed, stop strings) and {@link io.instructlake.infer.InferenceModel} (an HF model
 * directory, optionally with an unmerged PEFT adapter, its tokenizer, end ids and the chat template
 * training used).
 */
package io.instructlake.infer;
