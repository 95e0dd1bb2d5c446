/**
 * The {@code publish} command ({@link io.instructlake.publish.PublishJob}): chains split, augment
 * and balance over the newest silver records into new versions of {@code gold.train} and {@code
 * gold.eval}, recording the silver version they came from. It sits above the packages it calls; the
 * primitives they share live in {@code gold}.
 */
package io.instructlake.publish;
