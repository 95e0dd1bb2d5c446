/**
 * Training data for supervised fine-tuning: chat templates ({@link
 * io.instructlake.train.data.ChatTemplate}), encoding a conversation into token ids with the loss
 * masked to the assistant's tokens ({@link io.instructlake.train.data.SftEncoder}, which also loads
 * a plain DJL tokenizer for other stages), padding or packing into rows ({@link
 * io.instructlake.train.data.Collator}), the seeded, resumable batch stream ({@link
 * io.instructlake.train.data.SftLoader}) and the project's small WordLevel tokenizer ({@link
 * io.instructlake.train.data.TokenizerBuilder}).
 */
package io.instructlake.train.data;
