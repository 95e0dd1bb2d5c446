/**
 * The single-worker fine-tuning engine on DJL's PyTorch engine.
 *
 * <ul>
 *   <li>{@link io.instructlake.train.model.LlamaConfig} / {@link
 *       io.instructlake.train.model.LlamaModel}: a Llama-family decoder (Llama, Qwen2,
 *       DeepSeek-R1-Distill) with HF parameter names, optional LoRA adapters; {@link
 *       io.instructlake.train.model.Safetensors} reads and writes HF weights.
 *   <li>{@link io.instructlake.train.Trainer}: the step API ({@code computeGradients},
 *       flat-gradient exchange, {@code applyUpdate}) with {@link io.instructlake.train.optim.AdamW}
 *       whose state the project owns, a warm-up + cosine schedule, global-norm clipping and
 *       accumulation.
 *   <li>SFT data: {@link io.instructlake.train.data.ChatTemplate}, {@link
 *       io.instructlake.train.data.SftEncoder}, {@link io.instructlake.train.data.Collator}, and
 *       {@link io.instructlake.train.data.TokenizerBuilder} for the project's own small tokenizer.
 *   <li>{@link io.instructlake.train.TrainJob}: the {@code train} command.
 * </ul>
 */
package io.instructlake.train;
