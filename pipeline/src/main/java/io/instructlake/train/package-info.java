/**
 * Fine-tuning on DJL's PyTorch engine: the training loop and the {@code train} command. The pieces
 * it drives live in sub-packages that never import this one:
 *
 * <ul>
 *   <li>{@code train.model}: {@link io.instructlake.train.model.LlamaConfig}, {@link
 *       io.instructlake.train.model.LlamaModel} (a Llama-family decoder as a tree of DJL blocks
 *       with HF parameter names, LoRA adapters, mixed precision), {@link
 *       io.instructlake.train.model.Safetensors} and the model input {@link
 *       io.instructlake.train.model.Batch}.
 *   <li>{@code train.data}: chat templates, SFT encoding with loss masks, the project's tokenizer
 *       builder, and the resumable batch stream {@link io.instructlake.train.data.SftLoader}.
 *   <li>{@code train.optim}: {@link io.instructlake.train.optim.AdamW} (state the project owns, so
 *       it is checkpointed) and the warm-up + cosine {@link
 *       io.instructlake.train.optim.LrSchedule}.
 *   <li>{@code train.dp}: data-parallel training in a Spark barrier stage.
 * </ul>
 *
 * <p>Here: {@link io.instructlake.train.Trainer} (the step API: gradients, global-norm clipping,
 * accumulation, the flat gradient buffer), {@link io.instructlake.train.TrainingLoop} (the one
 * loop, with listeners for progress, metrics and {@link io.instructlake.train.CheckpointListener
 * checkpoints}, and a gradient-sync hook that data-parallel ranks fill with the all-reduce), {@link
 * io.instructlake.train.Models} (the one model factory), {@link io.instructlake.train.ModelOutput}
 * (where a run's outputs go), {@link io.instructlake.train.ModelExport} (the one export step: HF
 * model and PEFT adapter), {@link io.instructlake.train.Checkpoints}, {@link
 * io.instructlake.train.Perplexity} (teacher-forced, on response tokens), {@link
 * io.instructlake.train.TrainResult} (what both {@code train} paths report), and {@link
 * io.instructlake.train.TrainJob}, the single-worker {@code train} command.
 */
package io.instructlake.train;
