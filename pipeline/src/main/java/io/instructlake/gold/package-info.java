/**
 * Gold-layer primitives shared by split, augment, balance and publish: reading the newest silver
 * records ({@link io.instructlake.gold.SilverSource}), the columns the gold stages add ({@link
 * io.instructlake.gold.GoldColumns}), stable hashing ({@link io.instructlake.gold.StableHash}), the
 * gold side tables ({@link io.instructlake.gold.GoldTables}) and stage writes ({@link
 * io.instructlake.gold.StageWrites}). The command that chains them is in {@code publish}.
 */
package io.instructlake.gold;
