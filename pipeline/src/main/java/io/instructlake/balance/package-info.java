/**
 * Balance: resamples the train split by a configured column ({@code label} or {@code category}).
 * {@link io.instructlake.balance.BalancePlan} (pure) turns class counts into per-class targets:
 * either at most {@code max-ratio} between the largest and the smallest class (undersampling
 * majorities, oversampling minorities up to {@code max-oversample-factor}), or configured target
 * weights. {@link io.instructlake.balance.Balancer} applies them deterministically: undersampling
 * keeps the rows with the smallest seeded hash, oversampling duplicates, augments ({@link
 * io.instructlake.augment.Augmenter}) or synthesizes SMOTE points ({@link
 * io.instructlake.balance.Smote}, neighbours from MLlib's BucketedRandomProjectionLSH).
 */
package io.instructlake.balance;
