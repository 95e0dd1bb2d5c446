package io.instructlake.train.dp;

import java.io.Serializable;

/**
 * Everything a data-parallel task needs, shipped in the task closure: the {@code train} section as
 * the driver read it ({@code TrainSettings.source()}, read again on the executor), the
 * tokenizer.json text built once on the driver, where checkpoints go ({@link CheckpointStore}: a
 * path every executor can reach, or a remote lake URI) and the all-reduce settings. {@code
 * faultStep}/{@code faultDir} are a test hook: when {@code faultStep > 0}, the last rank of the
 * first stage attempt writes its executor's process id to {@code faultDir/pid} after that step and
 * waits there (up to a minute) to be killed.
 *
 * <p>{@code examples} is the number of rows the driver dealt (every rank checks at the rendezvous
 * that the ranks together hold exactly that many, each only its own residue class). {@code session}
 * identifies this training run; with the stage attempt it keys the all-reduce ring so that no
 * connection of another run or attempt can join. {@code jitterSeed} is a test hook (0 = off):
 * random pauses in the gradient gathering and the transport, which must change no bit.
 */
record DpSpec(
    String trainConf,
    String tokenizerJson,
    CheckpointStore checkpoints,
    DpSettings dp,
    long faultStep,
    String faultDir,
    String progressAddress,
    long examples,
    long session,
    long jitterSeed)
    implements Serializable {}
