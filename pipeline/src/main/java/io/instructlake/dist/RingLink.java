package io.instructlake.dist;

import io.instructlake.PipelineException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The two TCP connections of one rank in the ring: one to its right neighbour (rank + 1, where it
 * sends) and one from its left neighbour (rank - 1, where it receives), driven by one selector so
 * that sending and receiving proceed at the same time in one thread without deadlock. Every wait is
 * bounded by the timeout: a wait that makes no progress for that long fails, naming the peer.
 */
final class RingLink implements AutoCloseable {
  static final int MAGIC = 0x494c4152; // "ILAR"
  static final int PROTOCOL = 2;
  private static final int HELLO_BYTES = 32;

  /**
   * Socket buffer size requested for the ring's data direction (send buffer of the connection to
   * the right, receive buffer of the server socket that accepts the left): large enough that a
   * whole chunk of a default bucket fits in the kernel, so a rank rarely blocks waiting for its
   * peer to be scheduled (Linux caps the request at net.core.[rw]mem_max; 4 MiB here).
   */
  static final int SOCKET_BUFFER_BYTES = 4 << 20;

  private final int rank;
  private final String rightName;
  private final String leftName;
  private final long timeoutNanos;
  private final SocketChannel right;
  private final SocketChannel left;
  private final Selector selector;
  private final SelectionKey rightKey;
  private final SelectionKey leftKey;
  private final Jitter jitter;
  private long waitNanos;

  private RingLink(
      int rank,
      String rightName,
      String leftName,
      long timeoutNanos,
      SocketChannel right,
      SocketChannel left,
      Jitter jitter)
      throws IOException {
    this.rank = rank;
    this.jitter = jitter;
    this.rightName = rightName;
    this.leftName = leftName;
    this.timeoutNanos = timeoutNanos;
    this.right = right;
    this.left = left;
    right.configureBlocking(false);
    left.configureBlocking(false);
    this.selector = Selector.open();
    this.rightKey = right.register(selector, 0);
    this.leftKey = left.register(selector, 0);
  }

  /** "rank 2 (10.0.0.5:41234)": how messages name a peer. */
  static String peerName(int rank, List<String> peers) {
    return "rank " + rank + " (" + peers.get(rank) + ")";
  }

  /**
   * Connects to the right neighbour, accepts the left neighbour on {@code server} and checks that
   * both agree on the ring (session, rank, world size, wire format, bucket size). A connection that
   * is not one of this ring's (another protocol, or another {@code session}: a stray process that
   * reached a reused port) is closed and the wait goes on. Closes {@code server}.
   */
  static RingLink open(
      int rank,
      int worldSize,
      List<String> peers,
      ServerSocketChannel server,
      long timeoutNanos,
      WireFormat wire,
      int bucketBytes,
      long session,
      Jitter jitter) {
    int rightRank = (rank + 1) % worldSize;
    int leftRank = (rank - 1 + worldSize) % worldSize;
    String rightName = peerName(rightRank, peers);
    String leftName = peerName(leftRank, peers);
    long deadline = System.nanoTime() + timeoutNanos;
    SocketChannel right = null;
    SocketChannel left = null;
    try {
      right = connect(rank, rightName, RingAllReduce.parseAddress(peers.get(rightRank)), deadline);
      ByteBuffer hello = hello(rank, worldSize, wire, bucketBytes, session);
      while (hello.hasRemaining()) {
        right.write(hello);
      }
      left =
          acceptLeft(
              rank, worldSize, leftRank, leftName, server, deadline, wire, bucketBytes, session);
      ByteBuffer ack = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, MAGIC);
      while (ack.hasRemaining()) {
        left.write(ack);
      }
      ByteBuffer rightAck = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
      readFully(right, rightAck, deadline, rank, rightName, "the connection handshake");
      if (rightAck.getInt(0) != MAGIC) {
        throw new PipelineException(
            "All-reduce rendezvous failed on rank " + rank,
            rightName + " answered the handshake with unknown bytes",
            "the peer list must hold the all-reduce server address of every rank");
      }
      return new RingLink(rank, rightName, leftName, timeoutNanos, right, left, jitter);
    } catch (IOException e) {
      closeQuietly(right);
      closeQuietly(left);
      throw new PipelineException(
          "All-reduce rendezvous failed on rank " + rank,
          "I/O error with " + rightName + " or " + leftName + ": " + e,
          "check that every rank can reach the others' addresses",
          e);
    } catch (RuntimeException e) {
      closeQuietly(right);
      closeQuietly(left);
      throw e;
    } finally {
      closeQuietly(server);
    }
  }

  private static ByteBuffer hello(
      int rank, int worldSize, WireFormat wire, int bucketBytes, long session) {
    ByteBuffer b = ByteBuffer.allocate(HELLO_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(MAGIC).putInt(PROTOCOL).putInt(rank).putInt(worldSize);
    b.putInt(wire.ordinal()).putInt(bucketBytes).putLong(session).flip();
    return b;
  }

  private static SocketChannel connect(
      int rank, String name, InetSocketAddress address, long deadline) throws IOException {
    IOException last = null;
    while (true) {
      long remainingMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (remainingMs <= 0) {
        throw new PipelineException(
            "All-reduce rendezvous failed on rank " + rank,
            "cannot connect to " + name + " within the timeout" + (last == null ? "" : ": " + last),
            "the peer task did not start or its address is unreachable; check its log and network");
      }
      SocketChannel ch = SocketChannel.open();
      try {
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        ch.setOption(StandardSocketOptions.SO_SNDBUF, SOCKET_BUFFER_BYTES);
        ch.socket().connect(address, (int) Math.min(Integer.MAX_VALUE, remainingMs));
        return ch;
      } catch (ConnectException | SocketTimeoutException e) {
        closeQuietly(ch);
        last = e;
        sleep(50);
      } catch (IOException e) {
        closeQuietly(ch);
        throw e;
      }
    }
  }

  private static SocketChannel acceptLeft(
      int rank,
      int worldSize,
      int leftRank,
      String leftName,
      ServerSocketChannel server,
      long deadline,
      WireFormat wire,
      int bucketBytes,
      long session)
      throws IOException {
    server.configureBlocking(false);
    try (Selector sel = Selector.open()) {
      server.register(sel, SelectionKey.OP_ACCEPT);
      while (true) {
        SocketChannel ch = server.accept();
        if (ch == null) {
          long remaining = deadline - System.nanoTime();
          if (remaining <= 0) {
            throw new PipelineException(
                "All-reduce rendezvous failed on rank " + rank,
                leftName + " did not connect within the timeout",
                "the peer task did not start or failed; check its log");
          }
          sel.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(remaining)));
          sel.selectedKeys().clear();
          continue;
        }
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        ch.configureBlocking(false);
        ByteBuffer h = ByteBuffer.allocate(HELLO_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        try {
          readFully(ch, h, deadline, rank, "an incoming connection", "the connection handshake");
        } catch (PipelineException e) {
          closeQuietly(ch); // a stray connection that closed early: keep waiting for the real one
          if (System.nanoTime() - deadline >= 0) {
            throw e;
          }
          continue;
        }
        h.flip();
        if (h.getInt() != MAGIC || h.getInt() != PROTOCOL) {
          closeQuietly(ch); // not one of ours
          continue;
        }
        int peerRank = h.getInt();
        int peerWorld = h.getInt();
        int peerWire = h.getInt();
        int peerBucket = h.getInt();
        if (h.getLong() != session) {
          closeQuietly(ch); // another ring's connection (a stray process on a reused port)
          continue;
        }
        String mismatch = null;
        if (peerWorld != worldSize) {
          mismatch = "world size " + peerWorld + " (this rank has " + worldSize + ")";
        } else if (peerRank != leftRank) {
          mismatch =
              "rank "
                  + peerRank
                  + " connected where left neighbour rank "
                  + leftRank
                  + " was expected (the ranks' peer lists differ)";
        } else if (peerWire != wire.ordinal()) {
          mismatch =
              "wire format " + WireFormat.values()[peerWire] + " (this rank has " + wire + ")";
        } else if (peerBucket != bucketBytes) {
          mismatch = "bucket bytes " + peerBucket + " (this rank has " + bucketBytes + ")";
        }
        if (mismatch != null) {
          closeQuietly(ch);
          throw new PipelineException(
              "All-reduce rendezvous failed on rank " + rank,
              leftName + " uses " + mismatch,
              "build every rank's RingAllReduce with the same world size, peers, wire format and"
                  + " bucket size");
        }
        return ch;
      }
    }
  }

  private static void readFully(
      SocketChannel ch, ByteBuffer buf, long deadline, int rank, String name, String what)
      throws IOException {
    boolean wasBlocking = ch.isBlocking();
    ch.configureBlocking(false);
    try (Selector sel = Selector.open()) {
      ch.register(sel, SelectionKey.OP_READ);
      while (buf.hasRemaining()) {
        int n = ch.read(buf);
        if (n < 0) {
          throw new PipelineException(
              "All-reduce failed on rank " + rank + " during " + what,
              name + " closed the connection",
              "the peer task died or failed; see its log");
        }
        if (n == 0) {
          long remaining = deadline - System.nanoTime();
          if (remaining <= 0) {
            throw new PipelineException(
                "All-reduce failed on rank " + rank + " during " + what,
                "no data from " + name + " within the timeout",
                "the peer task is stalled or died; see its log");
          }
          sel.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(remaining)));
          sel.selectedKeys().clear();
        }
      }
      ch.keyFor(sel).cancel();
      sel.selectNow();
    }
    ch.configureBlocking(wasBlocking);
  }

  /**
   * Sends {@code send} (position to limit) to the right neighbour while receiving into {@code recv}
   * (position to limit) from the left neighbour; returns when both are done.
   *
   * @param what the operation for error messages, e.g. "reduce-scatter step 1 of bucket 3 (call 7)"
   * @throws PipelineException when a peer closes its connection or no byte moves in either
   *     direction for the timeout; the message names the peer's rank and address
   */
  void exchange(ByteBuffer send, ByteBuffer recv, String what) {
    exchange(send, recv, what, null, 0);
  }

  /** Consumes received bytes while the transfer goes on (overlapping compute with the network). */
  interface Receiver {
    /** Bytes {@code [from, to)} of the receive buffer have arrived (whole values only). */
    void received(int from, int to);
  }

  /**
   * As {@link #exchange(ByteBuffer, ByteBuffer, String)}, calling {@code receiver} for every {@code
   * grain} bytes received (and the tail) as soon as they arrive; {@code recv} starts at position 0.
   */
  void exchange(ByteBuffer send, ByteBuffer recv, String what, Receiver receiver, int grain) {
    int done = 0;
    long deadline = System.nanoTime() + timeoutNanos;
    try {
      while (send.hasRemaining()
          || recv.hasRemaining()
          || (receiver != null && done < recv.limit())) {
        boolean progress = false;
        if (receiver != null) {
          // one grain of compute at a time, between socket calls, so both keep moving
          int pos = recv.position();
          int upTo = pos == recv.limit() ? pos : done + (pos - done) / grain * grain;
          if (upTo > done) {
            upTo = (int) Math.min(upTo, (long) done + grain);
            receiver.received(done, upTo);
            done = upTo;
            progress = true;
          }
        }
        if (send.hasRemaining()) {
          jitter.pause();
          int old = jitter.cap(send);
          try {
            progress |= writeTo(send, what) > 0;
          } finally {
            send.limit(old);
          }
        }
        if (recv.hasRemaining()) {
          jitter.pause();
          int old = jitter.cap(recv);
          int n;
          try {
            n = readFrom(recv, what);
          } finally {
            recv.limit(old);
          }
          if (n < 0) {
            throw new PipelineException(
                "All-reduce failed on rank " + rank + " during " + what,
                leftName + " closed the connection",
                "the peer task died or failed; see its log for the first error");
          }
          progress |= n > 0;
        }
        if (progress) {
          deadline = System.nanoTime() + timeoutNanos;
          continue;
        }
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
          String why =
              recv.hasRemaining()
                  ? "no data from "
                      + leftName
                      + " for "
                      + seconds(timeoutNanos)
                      + (send.hasRemaining() ? " and " + rightName + " accepted none" : "")
                  : rightName + " accepted no data for " + seconds(timeoutNanos);
          throw new PipelineException(
              "All-reduce timed out on rank " + rank + " during " + what,
              why,
              "the peer is stalled, died or is far slower; see its log, or raise the all-reduce"
                  + " timeout if ranks' steps legitimately differ that much");
        }
        rightKey.interestOps(send.hasRemaining() ? SelectionKey.OP_WRITE : 0);
        leftKey.interestOps(recv.hasRemaining() ? SelectionKey.OP_READ : 0);
        long w0 = System.nanoTime();
        selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(remaining)));
        waitNanos += System.nanoTime() - w0;
        selector.selectedKeys().clear();
      }
    } catch (ClosedChannelException e) {
      throw new PipelineException(
          "All-reduce failed on rank " + rank + " during " + what,
          "this rank's connections were closed (close() was called)",
          "do not close a RingAllReduce while it is in use",
          e);
    } catch (IOException e) {
      throw new PipelineException(
          "All-reduce failed on rank " + rank + " during " + what,
          "I/O error with " + rightName + " or " + leftName + ": " + e,
          "the peer task died or the network failed; see the peers' logs",
          e);
    }
  }

  /** Total time blocked waiting for a peer (neither sending nor receiving possible). */
  long waitNanos() {
    return waitNanos;
  }

  private int writeTo(ByteBuffer send, String what) throws IOException {
    try {
      return right.write(send);
    } catch (ClosedChannelException e) {
      throw e;
    } catch (IOException e) {
      throw peerFailure(what, rightName, e);
    }
  }

  private int readFrom(ByteBuffer recv, String what) throws IOException {
    try {
      return left.read(recv);
    } catch (ClosedChannelException e) {
      throw e;
    } catch (IOException e) {
      throw peerFailure(what, leftName, e);
    }
  }

  private PipelineException peerFailure(String what, String peer, IOException e) {
    return new PipelineException(
        "All-reduce failed on rank " + rank + " during " + what,
        peer + " dropped the connection (" + e.getMessage() + ")",
        "the peer task died or the network failed; see that rank's log for the first error",
        e);
  }

  private static String seconds(long nanos) {
    return String.format(java.util.Locale.ROOT, "%.1f s", nanos / 1e9);
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PipelineException(
          "All-reduce rendezvous interrupted", "the task was interrupted", "none", e);
    }
  }

  /** Binds a ring server socket with the large receive buffer (set before accept, for scaling). */
  static ServerSocketChannel bindServer(InetSocketAddress address) throws IOException {
    ServerSocketChannel server = ServerSocketChannel.open();
    try {
      server.setOption(StandardSocketOptions.SO_RCVBUF, SOCKET_BUFFER_BYTES);
      server.bind(address, 64);
      return server;
    } catch (IOException e) {
      closeQuietly(server);
      throw e;
    }
  }

  static void closeQuietly(AutoCloseable c) {
    if (c != null) {
      try {
        c.close();
      } catch (Exception ignored) {
        // closing on a failure path: the original error is what matters
      }
    }
  }

  @Override
  public void close() {
    closeQuietly(selector);
    closeQuietly(right);
    closeQuietly(left);
  }
}
