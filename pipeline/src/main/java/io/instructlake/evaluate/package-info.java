/** Evaluation of trained models: {@link io.instructlake.evaluate.Perplexity}. */
package io.instructlake.evaluate;
