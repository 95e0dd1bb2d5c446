package io.instructlake.train.dp;

import java.io.Serializable;

/** One per-step measurement of one rank, sent from a task back to the driver. */
public record DpMetric(int rank, int stageAttempt, long step, String metric, double value)
    implements Serializable {}
