/**
 * Dedupe: exact duplicates (a normalized content key; one survivor per key by a stable rule; a
 * persisted Spark {@link org.apache.spark.util.sketch.BloomFilter} over history whose positives are
 * confirmed exactly against a persisted numeric copy of history's keys, so a false positive never
 * drops a unique record) and near duplicates (MinHash LSH with our own banding, candidates verified
 * by exact Jaccard, clusters by connected components in Spark).
 *
 * <p>Pure logic, testable without Spark: {@link io.instructlake.dedupe.ContentNormalizer}, {@link
 * io.instructlake.dedupe.DedupeKey}, {@link io.instructlake.dedupe.Shingler}, {@link
 * io.instructlake.dedupe.MinHasher}, {@link io.instructlake.dedupe.BandingChooser}, {@link
 * io.instructlake.dedupe.Jaccard}. Spark edge: {@link io.instructlake.dedupe.DedupeStage} (the
 * stage), {@link io.instructlake.dedupe.HistoryBloom} (the persisted filter), {@link
 * io.instructlake.dedupe.HistoryKeys} (the persisted exact keys), {@link
 * io.instructlake.dedupe.BloomGuardedLookup} (probe and confirm), {@link
 * io.instructlake.dedupe.ConnectedComponents}, {@link io.instructlake.dedupe.DedupeJob} (the {@code
 * dedupe} command).
 */
package io.instructlake.dedupe;
