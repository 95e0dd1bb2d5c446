package io.instructlake.jobs;

import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/** Adapts picocli's PrintWriter to an OutputStream so jobs print where the CLI was told to. */
final class WriterStream extends OutputStream {
  private final PrintWriter writer;
  private final java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();

  WriterStream(PrintWriter writer) {
    this.writer = writer;
  }

  @Override
  public void write(int b) {
    buf.write(b);
    if (b == '\n') {
      flush();
    }
  }

  @Override
  public void flush() {
    writer.write(buf.toString(StandardCharsets.UTF_8));
    writer.flush();
    buf.reset();
  }
}
