package io.instructlake.clean;

import java.io.Serializable;

/**
 * Why a record is dropped: a stable reason code for the quarantine table (e.g. {@code too_short},
 * {@code low_quality_dup_ngram}) and a detail naming the rule and the measured value.
 */
public record Drop(String reason, String detail) implements Serializable {}
