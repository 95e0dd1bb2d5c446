package io.instructlake.train.dp;

import java.io.Serializable;

/**
 * Everything a data-parallel task needs, shipped in the task closure: the {@code train} section
 * rendered as HOCON (re-read into {@code TrainSettings} on the executor), the tokenizer.json text
 * built once on the driver, where checkpoints go ({@link CheckpointStore}: a path every executor
 * can reach, or a remote lake URI) and the all-reduce settings. {@code faultStep}/{@code faultDir}
 * are a test hook: when {@code faultStep > 0}, the last rank of the first stage attempt writes its
 * executor's process id to {@code faultDir/pid} after that step and waits there (up to a minute) to
 * be killed.
 */
record DpSpec(
    String trainConf,
    String tokenizerJson,
    CheckpointStore checkpoints,
    DpSettings dp,
    long faultStep,
    String faultDir,
    String progressAddress)
    implements Serializable {}
