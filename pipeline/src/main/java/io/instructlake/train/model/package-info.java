/**
 * The model: a Llama-family decoder (Llama, Qwen2, DeepSeek-R1-Distill) configured from an HF
 * {@code config.json} ({@link io.instructlake.train.model.LlamaConfig}) and built from DJL blocks
 * that mirror HF's modules ({@link io.instructlake.train.model.LlamaBlock}, decoder layers,
 * attention with grouped-query heads and RoPE, SwiGLU MLP, RMSNorm, projections with optional QKV
 * bias and LoRA branches). {@link io.instructlake.train.model.LlamaModel} owns the parameters under
 * their HF names, their gradients and mixed-precision compute copies; {@link
 * io.instructlake.train.model.Safetensors} reads and writes HF weight files; {@link
 * io.instructlake.train.model.Batch} is the model's input. Depends on nothing else of the project.
 */
package io.instructlake.train.model;
