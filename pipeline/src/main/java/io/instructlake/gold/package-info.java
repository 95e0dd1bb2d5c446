/**
 * Gold layer: reading the newest silver records ({@link io.instructlake.gold.SilverSource}), the
 * columns the gold stages add ({@link io.instructlake.gold.GoldColumns}), stable hashing shared by
 * split, augment and balance ({@link io.instructlake.gold.StableHash}), and the {@code publish} job
 * ({@link io.instructlake.publish.PublishJob}) that chains split, augment and balance into new
 * versions of {@code gold.train} and {@code gold.eval}, recording the silver version they came
 * from.
 */
package io.instructlake.gold;
