/**
 * The single-worker fine-tuning engine on DJL's PyTorch engine.
 *
 * <ul>
 *   <li>{@link io.instructlake.train.LlamaConfig} / {@link io.instructlake.train.LlamaModel}: a
 *       Llama-family decoder (Llama, Qwen2, DeepSeek-R1-Distill) with HF parameter names, optional
 *       LoRA adapters; {@link io.instructlake.train.Safetensors} reads and writes HF weights.
 *   <li>{@link io.instructlake.train.Trainer}: the step API ({@code computeGradients},
 *       flat-gradient exchange, {@code applyUpdate}) with {@link io.instructlake.train.AdamW} whose
 *       state the project owns, a warm-up + cosine schedule, global-norm clipping and accumulation.
 *   <li>SFT data: {@link io.instructlake.train.ChatTemplate}, {@link
 *       io.instructlake.train.SftEncoder}, {@link io.instructlake.train.Collator}, and {@link
 *       io.instructlake.train.TokenizerBuilder} for the project's own small tokenizer.
 *   <li>{@link io.instructlake.train.TrainJob}: the {@code train} command.
 * </ul>
 */
package io.instructlake.train;
