package io.instructlake.dist;

import io.instructlake.PipelineException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Averages a flat fp32 buffer (all trainable gradients of one replica) across W ranks with a
 * bucketed ring all-reduce over direct TCP connections: for each bucket, W - 1 reduce-scatter steps
 * then W - 1 all-gather steps, each rank sending one W-th of the bucket to its right neighbour
 * while receiving one from its left. Every rank sends and receives {@code 2 (W - 1) / W * N} values
 * per call, independent of W for large W.
 *
 * <p><b>Identical results.</b> Each element is summed exactly once, by the rank that owns its
 * chunk, in a fixed ring order; that rank divides by {@code W * divisor} and the all-gather copies
 * its bits to every other rank. All ranks therefore hold bit-identical values after every call (not
 * just close ones), and a rerun with the same W, bucket size and inputs gives the same bits.
 *
 * <p><b>Failures.</b> Every wait is bounded by the timeout (time without any byte moving). A peer
 * that dies closes its sockets and its neighbours fail at once; a peer that stalls makes them fail
 * after the timeout. The exception is a {@link PipelineException} naming the peer's rank and
 * address. A rank that failed closes its connections, so the failure travels around the ring, and
 * the instance cannot be used again. Not thread-safe: one caller thread per instance.
 *
 * <p>Rendezvous: call {@link #bindLocal()} before the single {@code BarrierTaskContext.allGather}
 * of the addresses, then {@link Builder#optEndpoint} with that endpoint.
 */
public final class RingAllReduce implements AutoCloseable {
  /** Default bucket: 4 MiB of fp32 gradient (1 Mi values) per ring pass. */
  public static final int DEFAULT_BUCKET_BYTES = 4 << 20;

  /** Default timeout: 5 minutes without progress (covers ranks whose steps differ in length). */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(5);

  private static final int HEADER_BYTES = 24;

  /**
   * Received bytes are reduced in grains of this size while the rest is still on the wire. Measured
   * on a loaded 2-core machine (benchmarks/allreduce.md): interleaving 128 KiB grains with the
   * socket calls was about 1.5x slower than reducing a chunk once it has fully arrived, because
   * every extra wake-up costs a scheduling quantum there; so by default a chunk is reduced when
   * complete.
   */
  static final int GRAIN_BYTES = Integer.MAX_VALUE;

  private static final int BLOCK = 32 << 10; // values per compute block (fits in L2)

  private final int rank;
  private final int worldSize;
  private final List<String> peers;
  private final int bucketFloats;
  private final WireFormat wire;
  private final RingLink link; // null when worldSize == 1
  private final int maxChunk;

  private long calls;
  private String failure;
  private boolean closed;

  private ByteBuffer bucketBytes; // scratch bucket of the float[] overload
  private float[] tmp;
  private float[] acc;
  private short[] tmpBits;
  private ByteBuffer sendBuf;
  private ByteBuffer recvA;
  private ByteBuffer recvB;
  private ShortBuffer sendS;
  private FloatBuffer recvAF;
  private ShortBuffer recvAS;
  private ShortBuffer recvBS;
  private final ByteBuffer headerOut =
      ByteBuffer.allocateDirect(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
  private final ByteBuffer headerIn =
      ByteBuffer.allocateDirect(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);

  private RingAllReduce(Builder b, RingLink link) {
    this.rank = b.rank;
    this.worldSize = b.worldSize;
    this.peers = b.peers;
    this.bucketFloats = b.bucketBytes / 4;
    this.wire = b.wire;
    this.link = link;
    this.maxChunk = (bucketFloats + worldSize - 1) / worldSize;
  }

  /** A new builder. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Opens this rank's all-reduce server on an ephemeral port of the local host and returns its
   * address, to be exchanged with the other ranks. The host is {@code SPARK_LOCAL_IP} when set,
   * else this machine's address ({@link InetAddress#getLocalHost()}).
   */
  public static Endpoint bindLocal() {
    return bindLocal(defaultHost());
  }

  /** Opens this rank's all-reduce server on an ephemeral port of {@code host} (name or IP). */
  public static Endpoint bindLocal(String host) {
    Objects.requireNonNull(host, "host");
    try {
      ServerSocketChannel server = RingLink.bindServer(new InetSocketAddress(host, 0));
      int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
      String h = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
      return new Endpoint(server, h + ":" + port);
    } catch (IOException e) {
      throw new PipelineException(
          "Cannot open the all-reduce server on " + host,
          e.toString(),
          "set SPARK_LOCAL_IP to an address of this machine",
          e);
    }
  }

  static String defaultHost() {
    String env = System.getenv("SPARK_LOCAL_IP");
    if (env != null && !env.isBlank()) {
      return env.trim();
    }
    try {
      return InetAddress.getLocalHost().getHostAddress();
    } catch (IOException e) {
      return "127.0.0.1";
    }
  }

  /** Parses "host:port" or "[ipv6]:port"; the message names the bad value. */
  static InetSocketAddress parseAddress(String address) {
    int colon = address == null ? -1 : address.lastIndexOf(':');
    if (colon <= 0 || colon == address.length() - 1) {
      throw new IllegalArgumentException("peer address must be host:port, got '" + address + "'");
    }
    String host = address.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(address.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "peer address must be host:port, got '" + address + "'", e);
    }
    if (port <= 0 || port > 65535) {
      throw new IllegalArgumentException("peer port out of range in '" + address + "'");
    }
    return new InetSocketAddress(host, port);
  }

  /** This rank, 0 to W - 1. */
  public int rank() {
    return rank;
  }

  /** W, the number of ranks. */
  public int worldSize() {
    return worldSize;
  }

  /** The peers' addresses by rank (empty when W = 1 and none were given). */
  public List<String> peers() {
    return peers == null ? List.of() : peers;
  }

  /** How many all-reduce calls completed on this instance. */
  public long calls() {
    return calls;
  }

  /**
   * Total nanoseconds this rank spent blocked waiting for its neighbours during all-reduce calls
   * (neither sending nor receiving possible): the "waiting" share of a step's communication time,
   * for per-step metrics. 0 when W = 1.
   */
  public long waitNanos() {
    return link == null ? 0 : link.waitNanos();
  }

  /** The wire format. */
  public WireFormat wireFormat() {
    return wire;
  }

  /**
   * Replaces {@code data} by the element-wise mean over all ranks divided by {@code divisor}:
   * {@code data[i] = sum over ranks of data[i] / (W * divisor)}. Every rank must call with the same
   * length and divisor, in the same order; a mismatch fails naming the ranks.
   *
   * @param divisor extra divisor (gradient-accumulation steps), at least 1
   */
  public void allReduceMean(float[] data, int divisor) {
    Objects.requireNonNull(data, "data");
    allReduceMean(data, 0, data.length, divisor);
  }

  /**
   * As {@link #allReduceMean(float[], int)} on {@code data[offset, offset + length)}: each bucket
   * is copied into a direct scratch buffer, reduced there by the in-place algorithm of {@link
   * #allReduceMean(ByteBuffer, int)} and copied back (so both overloads give the same bits; large
   * gradients should use the direct overload and skip the copies).
   */
  public void allReduceMean(float[] data, int offset, int length, int divisor) {
    Objects.requireNonNull(data, "data");
    Objects.checkFromIndexSize(offset, length, data.length);
    begin(length, divisor);
    boolean ok = false;
    try {
      header(length, divisor);
      if (length > 0 && bucketBytes == null) {
        bucketBytes =
            ByteBuffer.allocateDirect(4 * Math.min(bucketFloats, length))
                .order(ByteOrder.LITTLE_ENDIAN);
      }
      for (int start = 0; start < length; start += bucketFloats) {
        int n = Math.min(bucketFloats, length - start);
        if (bucketBytes.capacity() < 4 * n) {
          bucketBytes = ByteBuffer.allocateDirect(4 * n).order(ByteOrder.LITTLE_ENDIAN);
        }
        FloatBuffer values = bucketBytes.clear().asFloatBuffer();
        values.put(0, data, offset + start, n);
        reduceBucketInPlace(bucketBytes, values, 0, n, divisor, start / bucketFloats);
        values.get(0, data, offset + start, n);
      }
      ok = true;
    } finally {
      end(ok);
    }
  }

  /**
   * As {@link #allReduceMean(float[], int)}, in place on the little-endian fp32 values from {@code
   * data.position()} to {@code data.limit()} of a <b>direct</b> buffer (for example a view of a
   * native gradient tensor's memory); the position and limit are not changed and must be multiples
   * of 4. Zero-copy: chunks are sent from and all-gathered straight into {@code data}; only the
   * reduce-scatter's received chunks pass through a scratch buffer, to be added in. The result is
   * bit-identical to the {@code float[]} overload on the same values.
   */
  public void allReduceMean(ByteBuffer data, int divisor) {
    Objects.requireNonNull(data, "data");
    if (!data.isDirect()) {
      throw new IllegalArgumentException(
          "allReduceMean(ByteBuffer) needs a direct buffer; pass a heap buffer's array as float[]");
    }
    if (data.position() % 4 != 0 || data.limit() % 4 != 0) {
      throw new IllegalArgumentException(
          "buffer position and limit must be multiples of 4 (whole fp32 values), got "
              + data.position()
              + " and "
              + data.limit());
    }
    int length = data.remaining() / 4;
    int base = data.position() / 4;
    ByteBuffer bytes = data.duplicate().clear().order(ByteOrder.LITTLE_ENDIAN);
    FloatBuffer values = bytes.asFloatBuffer();
    begin(length, divisor);
    boolean ok = false;
    try {
      header(length, divisor);
      for (int start = 0; start < length; start += bucketFloats) {
        int n = Math.min(bucketFloats, length - start);
        reduceBucketInPlace(bytes, values, base + start, n, divisor, start / bucketFloats);
      }
      ok = true;
    } finally {
      end(ok);
    }
  }

  private void begin(int length, int divisor) {
    if (divisor < 1) {
      throw new IllegalArgumentException("divisor must be at least 1, got " + divisor);
    }
    if (failure != null) {
      throw new IllegalStateException(
          "RingAllReduce on rank " + rank + " failed earlier and cannot be reused: " + failure);
    }
    if (closed) {
      throw new IllegalStateException("RingAllReduce on rank " + rank + " is closed");
    }
  }

  private void end(boolean ok) {
    if (ok) {
      calls++;
      return;
    }
    // Close at once so that the neighbours fail fast too instead of waiting for the timeout.
    failure = "call " + calls + " failed";
    if (link != null) {
      link.close();
    }
  }

  /** Checks that the left neighbour makes the same call (sequence number, length, divisor). */
  private void header(int length, int divisor) {
    if (link == null) {
      return;
    }
    headerOut.clear();
    headerOut.putInt(RingLink.MAGIC).putLong(calls).putInt(length).putInt(divisor).putInt(0);
    headerOut.flip();
    headerIn.clear();
    link.exchange(headerOut, headerIn, "the header of call " + calls);
    headerIn.flip();
    int magic = headerIn.getInt();
    long seq = headerIn.getLong();
    int len = headerIn.getInt();
    int div = headerIn.getInt();
    if (magic != RingLink.MAGIC || seq != calls || len != length || div != divisor) {
      int left = (rank - 1 + worldSize) % worldSize;
      throw new PipelineException(
          "All-reduce call " + calls + " on rank " + rank + " does not match its peer",
          RingLink.peerName(left, peers)
              + " called with call number "
              + seq
              + ", "
              + len
              + " values, divisor "
              + div
              + "; this rank with "
              + length
              + " values, divisor "
              + divisor,
          "every rank must all-reduce buffers of the same length with the same divisor, in the"
              + " same order");
    }
  }

  /**
   * One bucket, {@code values[off, off + n)} of a direct buffer ({@code bytes} is the same memory
   * as bytes), in place: W - 1 reduce-scatter steps then W - 1 all-gather steps. Reduce-scatter:
   * after step s, chunk (rank - s - 1) holds the sum of s + 2 ranks' values; the last step also
   * divides (and rounds to the wire precision) in the same pass, and this rank then owns the
   * chunk's final value, which the all-gather copies bit for bit to every other rank.
   */
  private void reduceBucketInPlace(
      ByteBuffer bytes, FloatBuffer values, int off, int n, int divisor, int bucket) {
    float d = (float) ((double) worldSize * divisor);
    if (link == null) {
      if (divisor != 1) {
        for (int i = off, end = off + n; i < end; i++) {
          values.put(i, values.get(i) / d);
        }
      }
      return;
    }
    ensureScratch();
    int w = worldSize;
    int bpv = wire.bytesPerValue();
    boolean fp32 = wire == WireFormat.FP32;
    for (int s = 0; s < w - 1; s++) {
      int si = Math.floorMod(rank - s, w);
      int ri = Math.floorMod(rank - s - 1, w);
      ByteBuffer out =
          fp32
              ? bytes.slice(4 * (off + chunkStart(si, n)), 4 * chunkLen(si, n))
              : encode(values, off + chunkStart(si, n), chunkLen(si, n));
      recvA.clear().limit(chunkLen(ri, n) * bpv);
      int dst = off + chunkStart(ri, n);
      boolean last = s == w - 2;
      link.exchange(
          out,
          recvA,
          step("reduce-scatter", s, bucket),
          (from, to) -> addReceived(from / bpv, (to - from) / bpv, values, dst, last, d),
          GRAIN_BYTES);
    }
    // All-gather: fp32 chunks arrive straight in place and are forwarded from there.
    int own = Math.floorMod(rank + 1, w);
    ByteBuffer out =
        fp32
            ? bytes.slice(4 * (off + chunkStart(own, n)), 4 * chunkLen(own, n))
            : encode(values, off + chunkStart(own, n), chunkLen(own, n));
    for (int s = 0; s < w - 1; s++) {
      int ri = Math.floorMod(rank - s, w);
      int dst = off + chunkStart(ri, n);
      if (fp32) {
        ByteBuffer in = bytes.slice(4 * dst, 4 * chunkLen(ri, n));
        link.exchange(out, in, step("all-gather", s, bucket));
        out = in.flip();
      } else {
        boolean even = s % 2 == 0;
        ByteBuffer in = even ? recvA : recvB;
        ShortBuffer inS = even ? recvAS : recvBS;
        in.clear().limit(chunkLen(ri, n) * bpv);
        link.exchange(
            out,
            in,
            step("all-gather", s, bucket),
            (from, to) -> decodeReceived(inS, from / bpv, (to - from) / bpv, values, dst),
            GRAIN_BYTES);
        in.flip();
        out = in;
      }
    }
  }

  /** {@code values[dst + i] += recvA[i]} for i in [i0, i0 + count); on the last step also / d. */
  private void addReceived(int i0, int count, FloatBuffer values, int dst, boolean last, float d) {
    for (int done = 0; done < count; done += BLOCK) {
      int m = Math.min(BLOCK, count - done);
      int base = dst + i0 + done;
      values.get(base, acc, 0, m);
      if (wire == WireFormat.FP32) {
        recvAF.get(i0 + done, tmp, 0, m);
        if (last) {
          for (int k = 0; k < m; k++) {
            acc[k] = (acc[k] + tmp[k]) / d;
          }
        } else {
          for (int k = 0; k < m; k++) {
            acc[k] += tmp[k];
          }
        }
      } else {
        recvAS.get(i0 + done, tmpBits, 0, m);
        if (last) {
          for (int k = 0; k < m; k++) {
            acc[k] = WireFormat.roundToBf16((acc[k] + WireFormat.fromBf16Bits(tmpBits[k])) / d);
          }
        } else {
          for (int k = 0; k < m; k++) {
            acc[k] += WireFormat.fromBf16Bits(tmpBits[k]);
          }
        }
      }
      values.put(base, acc, 0, m);
    }
  }

  /** {@code values[dst + i] = bf16 received[i]} for i in [i0, i0 + count). */
  private void decodeReceived(ShortBuffer h, int i0, int count, FloatBuffer values, int dst) {
    for (int done = 0; done < count; done += BLOCK) {
      int m = Math.min(BLOCK, count - done);
      h.get(i0 + done, tmpBits, 0, m);
      for (int k = 0; k < m; k++) {
        acc[k] = WireFormat.fromBf16Bits(tmpBits[k]);
      }
      values.put(dst + i0 + done, acc, 0, m);
    }
  }

  /**
   * Encodes {@code values[off, off + len)} as bf16 into the send buffer, returned ready to send.
   */
  private ByteBuffer encode(FloatBuffer values, int off, int len) {
    sendBuf.clear();
    for (int done = 0; done < len; done += BLOCK) {
      int m = Math.min(BLOCK, len - done);
      values.get(off + done, acc, 0, m);
      for (int k = 0; k < m; k++) {
        tmpBits[k] = WireFormat.toBf16Bits(acc[k]);
      }
      sendS.put(done, tmpBits, 0, m);
    }
    return sendBuf.limit(len * wire.bytesPerValue());
  }

  private String step(String phase, int s, int bucket) {
    return phase + " step " + (s + 1) + " of bucket " + bucket + " (call " + calls + ")";
  }

  /** Start of chunk {@code i} of a bucket of {@code n} values split in W near-equal chunks. */
  private int chunkStart(int i, int n) {
    return (int) ((long) i * n / worldSize);
  }

  private int chunkLen(int i, int n) {
    return chunkStart(i + 1, n) - chunkStart(i, n);
  }

  private void ensureScratch() {
    if (sendBuf == null) {
      int bytes = Math.max(1, maxChunk) * wire.bytesPerValue();
      sendBuf = ByteBuffer.allocateDirect(bytes).order(ByteOrder.LITTLE_ENDIAN);
      recvA = ByteBuffer.allocateDirect(bytes).order(ByteOrder.LITTLE_ENDIAN);
      recvB = ByteBuffer.allocateDirect(bytes).order(ByteOrder.LITTLE_ENDIAN);
      sendS = sendBuf.asShortBuffer();
      recvAF = recvA.asFloatBuffer();
      recvAS = recvA.asShortBuffer();
      recvBS = recvB.asShortBuffer();
      tmp = new float[BLOCK];
      acc = new float[BLOCK];
      tmpBits = new short[BLOCK];
    }
  }

  /** Closes the connections; the peers' pending or next calls fail naming this rank. */
  @Override
  public void close() {
    closed = true;
    if (link != null) {
      link.close();
    }
  }

  /** This rank's bound all-reduce server, opened before the address exchange. */
  public static final class Endpoint implements AutoCloseable {
    private final ServerSocketChannel server;
    private final String address;

    private Endpoint(ServerSocketChannel server, String address) {
      this.server = server;
      this.address = address;
    }

    /** "host:port" to hand to the other ranks (e.g. through {@code allGather}). */
    public String address() {
      return address;
    }

    ServerSocketChannel server() {
      return server;
    }

    /** Closes the server if no {@link RingAllReduce} took it over. */
    @Override
    public void close() {
      RingLink.closeQuietly(server);
    }
  }

  /** Builder: {@code setX} values are required, {@code optX} have the documented defaults. */
  public static final class Builder {
    private int rank = -1;
    private int worldSize = -1;
    private List<String> peers;
    private int bucketBytes = DEFAULT_BUCKET_BYTES;
    private Duration timeout = DEFAULT_TIMEOUT;
    private WireFormat wire = WireFormat.FP32;
    private Endpoint endpoint;
    private long session;
    private Jitter jitter = Jitter.NONE;

    private Builder() {}

    /** This rank, 0 to W - 1 (the barrier task's partition id). Required. */
    public Builder setRank(int rank) {
      this.rank = rank;
      return this;
    }

    /** W, the number of ranks, at least 1. Required. */
    public Builder setWorldSize(int worldSize) {
      this.worldSize = worldSize;
      return this;
    }

    /**
     * The "host:port" server address of every rank, indexed by rank (as returned by {@code
     * allGather} of {@link Endpoint#address()}). Required when W > 1; ignored when W = 1.
     */
    public Builder setPeers(List<String> peers) {
      this.peers = peers == null ? null : List.copyOf(peers);
      return this;
    }

    /**
     * Bucket size in bytes of fp32 gradient per ring pass (a multiple of 4, at least 4 W). Default
     * {@link #DEFAULT_BUCKET_BYTES} (4 MiB): large enough that per-step latency is negligible on
     * TCP, small enough that the scratch buffers (3 x bucket / W) stay small. All ranks must agree.
     */
    public Builder optBucketBytes(int bucketBytes) {
      this.bucketBytes = bucketBytes;
      return this;
    }

    /**
     * Longest wait without progress (connecting, accepting, or any byte moving during a call).
     * Default {@link #DEFAULT_TIMEOUT} (5 minutes).
     */
    public Builder optTimeout(Duration timeout) {
      this.timeout = timeout;
      return this;
    }

    /** Wire format; default {@link WireFormat#FP32}. All ranks must agree. */
    public Builder optWireFormat(WireFormat wire) {
      this.wire = wire;
      return this;
    }

    /**
     * Identifies this ring (for example the training run and its Spark stage attempt); a connection
     * from a process with another session is refused, so a stray or stale process that reaches a
     * reused port can never join. Default 0. All ranks must agree.
     */
    public Builder optSession(long session) {
      this.session = session;
      return this;
    }

    /**
     * Test hook: random pauses and short socket reads and writes (default {@link Jitter#NONE}). The
     * results are the same bits with any jitter; tests use it to show that.
     */
    public Builder optJitter(Jitter jitter) {
      this.jitter = Objects.requireNonNull(jitter, "jitter");
      return this;
    }

    /**
     * The server opened by {@link RingAllReduce#bindLocal()} before the address exchange (the
     * RingAllReduce takes it over and closes it once the ring is connected). Default: bind {@code
     * peers[rank]} in {@link #build()}.
     */
    public Builder optEndpoint(Endpoint endpoint) {
      this.endpoint = endpoint;
      return this;
    }

    /**
     * Validates, then (when W > 1) connects to the right neighbour and accepts the left one; blocks
     * until the ring is connected or the timeout passes.
     *
     * @throws IllegalArgumentException for a bad value, named in the message
     * @throws PipelineException when the ring cannot be connected in time
     */
    public RingAllReduce build() {
      if (worldSize < 1) {
        throw new IllegalArgumentException("worldSize must be at least 1, got " + worldSize);
      }
      if (rank < 0 || rank >= worldSize) {
        throw new IllegalArgumentException(
            "rank must be in [0, " + (worldSize - 1) + "], got " + rank);
      }
      if (bucketBytes % 4 != 0 || bucketBytes < 4 * worldSize) {
        throw new IllegalArgumentException(
            "bucketBytes must be a multiple of 4 and at least 4 * worldSize = "
                + 4 * worldSize
                + ", got "
                + bucketBytes);
      }
      if (timeout == null || timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("timeout must be positive, got " + timeout);
      }
      Objects.requireNonNull(wire, "wire format");
      if (worldSize == 1) {
        if (endpoint != null) {
          endpoint.close();
        }
        return new RingAllReduce(this, null);
      }
      if (peers == null || peers.size() != worldSize) {
        throw new IllegalArgumentException(
            "peers must hold one address per rank ("
                + worldSize
                + "), got "
                + (peers == null ? "none" : peers.size() + ": " + peers));
      }
      List<String> checked = new ArrayList<>(peers);
      for (String p : checked) {
        parseAddress(p);
      }
      ServerSocketChannel server;
      if (endpoint != null) {
        server = endpoint.server();
      } else {
        try {
          server = RingLink.bindServer(parseAddress(peers.get(rank)));
        } catch (IOException e) {
          throw new PipelineException(
              "Cannot open the all-reduce server of rank " + rank + " on " + peers.get(rank),
              e.toString(),
              "use RingAllReduce.bindLocal() before exchanging addresses",
              e);
        }
      }
      long timeoutNanos = timeout.toNanos();
      RingLink link =
          RingLink.open(
              rank, worldSize, peers, server, timeoutNanos, wire, bucketBytes, session, jitter);
      return new RingAllReduce(this, link);
    }
  }
}
