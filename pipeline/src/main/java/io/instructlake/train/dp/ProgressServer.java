package io.instructlake.train.dp;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The driver's end of the live console progress of data-parallel training: a server socket on the
 * driver host that rank 0 connects to (once per stage attempt) and sends one finished progress line
 * per logged step; each line is printed as it arrives. Spark has no channel from a running task to
 * the driver (accumulators arrive when the task ends), hence this socket.
 *
 * <p>Best effort by design: progress is not worth failing or slowing training for, so a rank that
 * cannot connect trains on (it says so in its log) and {@link #lines()} tells the job whether to
 * print the per-step losses after training instead.
 */
final class ProgressServer implements AutoCloseable {
  private final ServerSocket server;
  private final Thread acceptor;
  private final AtomicLong lines = new AtomicLong();

  private ProgressServer(ServerSocket server, PrintStream out) {
    this.server = server;
    this.acceptor = new Thread(() -> serve(out), "train-dp-progress");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** Listens on {@code host} (the driver's address as executors see it), any free port. */
  static ProgressServer start(String host, PrintStream out) throws IOException {
    return new ProgressServer(new ServerSocket(0, 8, InetAddress.getByName(host)), out);
  }

  /** {@code host:port} for the executors. */
  String address() {
    return server.getInetAddress().getHostAddress() + ":" + server.getLocalPort();
  }

  /** Lines printed so far. */
  long lines() {
    return lines.get();
  }

  private void serve(PrintStream out) {
    while (!server.isClosed()) {
      try (Socket s = server.accept();
          BufferedReader in =
              new BufferedReader(
                  new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          out.println(line);
          out.flush();
          lines.incrementAndGet();
        }
      } catch (IOException e) {
        // The server was closed, or a rank went away mid-line (its stage is being resubmitted).
      }
    }
  }

  @Override
  public void close() {
    try {
      server.close();
      acceptor.join(2_000);
    } catch (IOException e) {
      // nothing left to release
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Rank 0's end: sends lines to a {@link ProgressServer}; a no-op when there is none. */
  static final class Sender implements AutoCloseable {
    /** Sends nothing (ranks other than 0, or no server). */
    static final Sender NONE = new Sender(null, null);

    private final Socket socket;
    private PrintWriter writer;

    private Sender(Socket socket, PrintWriter writer) {
      this.socket = socket;
      this.writer = writer;
    }

    /**
     * Connects to {@code host:port} within 5 s; on failure says so on stderr (the executor log) and
     * returns {@link #NONE}.
     */
    static Sender connect(String address) {
      if (address == null || address.isEmpty()) {
        return NONE;
      }
      int colon = address.lastIndexOf(':');
      Socket s = new Socket();
      try {
        s.connect(
            new InetSocketAddress(
                address.substring(0, colon), Integer.parseInt(address.substring(colon + 1))),
            5_000);
        return new Sender(
            s,
            new PrintWriter(
                new OutputStreamWriter(s.getOutputStream(), StandardCharsets.UTF_8), true));
      } catch (IOException | RuntimeException e) {
        System.err.println(
            "train-dp: no live progress (cannot reach the driver at " + address + ": " + e + ")");
        try {
          s.close();
        } catch (IOException ignored) {
          // not connected
        }
        return NONE;
      }
    }

    /** Sends one line; stops sending after the first failure. */
    void send(String line) {
      if (writer != null) {
        writer.println(line);
        if (writer.checkError()) {
          writer = null;
        }
      }
    }

    @Override
    public void close() {
      if (socket != null) {
        try {
          socket.close();
        } catch (IOException e) {
          // nothing left to release
        }
      }
    }
  }
}
