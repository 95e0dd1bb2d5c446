/**
 * Gradient all-reduce for data-parallel training: the transport that the training tasks of a Spark
 * barrier stage use to average their gradients every step.
 *
 * <p>{@link io.instructlake.dist.RingAllReduce} is a bucketed ring all-reduce (reduce-scatter then
 * all-gather) over direct TCP connections between the ranks, written on plain Java NIO (no Spark
 * dependency, so it is unit-testable with ranks as threads or processes). Usage from a barrier
 * task:
 *
 * <pre>{@code
 * // open the server first, on the executor's advertised host (getLocalHost() can be 127.0.1.1)
 * String host = SparkEnv.get().blockManager().blockManagerId().host();
 * RingAllReduce.Endpoint endpoint = RingAllReduce.bindLocal(host);
 * String[] peers = barrierContext.allGather(endpoint.address());        // the single rendezvous
 * try (RingAllReduce ring = RingAllReduce.builder()
 *     .setRank(barrierContext.partitionId())
 *     .setWorldSize(peers.length)
 *     .setPeers(Arrays.asList(peers))
 *     .optEndpoint(endpoint)
 *     .build()) {
 *   for (each step) ring.allReduceMean(flatGradients, accumulationSteps);
 * }
 * }</pre>
 *
 * <p>{@link io.instructlake.dist.LoopbackBandwidth} measures raw TCP throughput on 127.0.0.1, the
 * baseline of the all-reduce benchmark. Why not a library: Spark has no collective for executors
 * (only barrier allGather of strings, about one second per call), DJL has none on the PyTorch
 * engine from Java, and Gloo/NCCL bindings are not on the classpath; the ring itself is about 400
 * lines.
 */
package io.instructlake.dist;
