/**
 * Exports of trained models in the formats Python users load: HF model directories, PEFT LoRA
 * adapters, merged weights, each with a provenance JSON ({@link io.instructlake.export.HfExport},
 * {@link io.instructlake.export.Provenance}).
 */
package io.instructlake.export;
