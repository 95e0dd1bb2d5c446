package io.instructlake.dist;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Raw TCP throughput between sockets on 127.0.0.1: the baseline the all-reduce benchmark compares
 * against. Writers send from a 1 MiB direct buffer in a loop, readers read into one; no framing, no
 * copies, so this is the most the loopback stack gives to one stream on this machine.
 */
public final class LoopbackBandwidth {
  private static final int BUFFER_BYTES = 1 << 20;

  private LoopbackBandwidth() {}

  /**
   * Bytes per second of one stream sending {@code totalBytes} one way (after a short warm-up).
   *
   * @param totalBytes bytes to send, at least 1
   */
  public static double oneWay(long totalBytes) {
    return measure(totalBytes, 1);
  }

  /**
   * Bytes per second per direction when two streams run at once in opposite directions (the traffic
   * of a ring all-reduce with W = 2, where each rank sends and receives at the same time).
   */
  public static double bothWays(long totalBytes) {
    return measure(totalBytes, 2);
  }

  private static double measure(long totalBytes, int streams) {
    if (totalBytes < 1) {
      throw new IllegalArgumentException("totalBytes must be at least 1, got " + totalBytes);
    }
    transfer(Math.min(totalBytes, 64L << 20), streams); // warm up the JIT and TCP windows
    return transfer(totalBytes, streams);
  }

  private static double transfer(long totalBytes, int streams) {
    ExecutorService pool = Executors.newFixedThreadPool(2 * streams);
    List<SocketChannel> open = new ArrayList<>();
    try (ServerSocketChannel server = ServerSocketChannel.open()) {
      server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      List<SocketChannel[]> pairs = new ArrayList<>();
      for (int s = 0; s < streams; s++) {
        SocketChannel client = SocketChannel.open(server.getLocalAddress());
        SocketChannel accepted = server.accept();
        client.setOption(StandardSocketOptions.TCP_NODELAY, true);
        accepted.setOption(StandardSocketOptions.TCP_NODELAY, true);
        open.add(client);
        open.add(accepted);
        // stream 0 goes client -> accepted, stream 1 the other way
        pairs.add(
            s == 0
                ? new SocketChannel[] {client, accepted}
                : new SocketChannel[] {accepted, client});
      }
      long start = System.nanoTime();
      List<Future<?>> jobs = new ArrayList<>();
      for (SocketChannel[] p : pairs) {
        jobs.add(pool.submit(() -> write(p[0], totalBytes)));
        jobs.add(pool.submit(() -> read(p[1], totalBytes)));
      }
      for (Future<?> f : jobs) {
        f.get();
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      return totalBytes / seconds;
    } catch (IOException e) {
      throw new UncheckedIOException("loopback bandwidth probe failed", e);
    } catch (Exception e) {
      throw new IllegalStateException("loopback bandwidth probe failed: " + e, e);
    } finally {
      for (SocketChannel c : open) {
        RingLink.closeQuietly(c);
      }
      pool.shutdownNow();
    }
  }

  private static Void write(SocketChannel ch, long total) throws IOException {
    ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER_BYTES);
    long left = total;
    while (left > 0) {
      buf.clear().limit((int) Math.min(BUFFER_BYTES, left));
      while (buf.hasRemaining()) {
        left -= ch.write(buf);
      }
    }
    return null;
  }

  private static Void read(SocketChannel ch, long total) throws IOException {
    ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER_BYTES);
    long left = total;
    while (left > 0) {
      buf.clear().limit((int) Math.min(BUFFER_BYTES, left));
      int n = ch.read(buf);
      if (n < 0) {
        throw new IOException("loopback peer closed after " + (total - left) + " bytes");
      }
      left -= n;
    }
    return null;
  }
}
