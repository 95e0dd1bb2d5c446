package io.instructlake.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.luben.zstd.ZstdInputStream;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/**
 * Streams one raw corpus file into parsed records and bad units, never failing on bad content. Pure
 * Java over an {@link InputStream}, so it runs unchanged on executors against any Hadoop file
 * system.
 *
 * <ul>
 *   <li>Compression by suffix: {@code .gz} (gzip), {@code .zst}/{@code .zstd} (zstd).
 *   <li>{@code .txt}: one document per line. {@code .json}/{@code .jsonl}: a JSON array (first
 *       non-blank byte {@code [}) is split into elements by a byte-level scanner, so one broken
 *       element quarantines only itself; otherwise one JSON object per line.
 *   <li>Per unit: size limit, strict UTF-8, JSON syntax, then {@link RecordParser}. A BOM is
 *       skipped, CRLF is accepted, blank lines are counted and skipped.
 *   <li>{@code source_line} is the 1-based line where the unit starts.
 * </ul>
 *
 * <p>The element scanner is ours: Jackson's streaming parser cannot resynchronise after a syntax
 * error, which would lose every good element after a bad one. Scanning bytes is safe because JSON's
 * structural characters are ASCII and never occur inside multi-byte UTF-8 sequences.
 */
public final class CorpusFileReader {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Receives what the reader finds. */
  public interface Sink {
    void record(ParsedRecord record, long line);

    void bad(IngestReason reason, String detail, long line, String raw);

    void blank(long line);
  }

  private final RecordParser parser;
  private final DatasetMapping mapping;
  private final SourceFormat format;
  private final long maxRecordBytes;

  public CorpusFileReader(
      RecordParser parser, DatasetMapping mapping, SourceFormat format, long maxRecordBytes) {
    this.parser = parser;
    this.mapping = mapping;
    this.format = format;
    this.maxRecordBytes = maxRecordBytes;
  }

  /** True for names ingest reads: .json, .jsonl, .txt, .parquet, optionally .gz/.zst/.zstd. */
  public static boolean isCorpusFile(String name) {
    String n = stripCompression(name.toLowerCase(Locale.ROOT));
    return n.endsWith(".json")
        || n.endsWith(".jsonl")
        || n.endsWith(".txt")
        || n.endsWith(".parquet");
  }

  public static boolean isParquet(String name) {
    return name.toLowerCase(Locale.ROOT).endsWith(".parquet");
  }

  static String stripCompression(String lower) {
    for (String s : new String[] {".gz", ".zst", ".zstd"}) {
      if (lower.endsWith(s)) {
        return lower.substring(0, lower.length() - s.length());
      }
    }
    return lower;
  }

  /** Wraps {@code raw} in the decompressor its name asks for. */
  public static InputStream decompress(InputStream raw, String name) throws IOException {
    String lower = name.toLowerCase(Locale.ROOT);
    InputStream in = new BufferedInputStream(raw, 1 << 16);
    if (lower.endsWith(".gz")) {
      return new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16);
    }
    if (lower.endsWith(".zst") || lower.endsWith(".zstd")) {
      return new BufferedInputStream(new ZstdInputStream(in), 1 << 16);
    }
    return in;
  }

  /** Reads the whole (already decompressed) stream of the file {@code name}. */
  public void read(InputStream in, String name, Sink sink) throws IOException {
    String base = stripCompression(name.toLowerCase(Locale.ROOT));
    boolean text =
        format == SourceFormat.TEXT
            ? !base.endsWith(".json") && !base.endsWith(".jsonl")
            : base.endsWith(".txt");
    if (text) {
      readLines(in, sink, true);
      return;
    }
    in.mark(8);
    int b;
    do {
      b = in.read();
    } while (b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == 0xEF || b == 0xBB
        || b == 0xBF);
    in.reset();
    if (b == '[') {
      readArray(in.readAllBytes(), sink);
    } else {
      readLines(in, sink, false);
    }
  }

  private void readLines(InputStream in, Sink sink, boolean plainText) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream(4096);
    long lineNo = 0;
    boolean first = true;
    boolean eof = false;
    while (!eof) {
      line.reset();
      int b;
      boolean oversize = false;
      long size = 0;
      while ((b = in.read()) != -1 && b != '\n') {
        size++;
        if (size <= maxRecordBytes + 4) {
          line.write(b);
        } else {
          oversize = true;
        }
      }
      eof = b == -1;
      if (eof && size == 0) {
        break;
      }
      lineNo++;
      byte[] bytes = line.toByteArray();
      int start = 0;
      if (first
          && bytes.length >= 3
          && (bytes[0] & 0xFF) == 0xEF
          && (bytes[1] & 0xFF) == 0xBB
          && (bytes[2] & 0xFF) == 0xBF) {
        start = 3;
      }
      first = false;
      int end = bytes.length;
      if (end > start && bytes[end - 1] == '\r') {
        end--;
      }
      if (oversize || end - start > maxRecordBytes) {
        sink.bad(
            IngestReason.TOO_LARGE,
            "line of " + size + " bytes exceeds ingest.max-record-bytes=" + maxRecordBytes,
            lineNo,
            lossy(bytes, start, end));
        continue;
      }
      unit(bytes, start, end, lineNo, sink, plainText);
    }
  }

  private void unit(byte[] bytes, int start, int end, long lineNo, Sink sink, boolean plainText) {
    if (isBlank(bytes, start, end)) {
      sink.blank(lineNo);
      return;
    }
    String s;
    try {
      s = strict(bytes, start, end);
    } catch (CharacterCodingException e) {
      sink.bad(
          IngestReason.INVALID_UTF8, "bytes are not valid UTF-8", lineNo, lossy(bytes, start, end));
      return;
    }
    ParseOutcome out;
    if (plainText) {
      out = parser.parseTextLine(s);
    } else {
      JsonNode node;
      try {
        node = JSON.readTree(s);
      } catch (JsonProcessingException e) {
        sink.bad(IngestReason.MALFORMED_JSON, firstLine(e.getOriginalMessage()), lineNo, s);
        return;
      }
      out = parser.parse(node, mapping, format == SourceFormat.TEXT ? SourceFormat.AUTO : format);
    }
    if (out.isOk()) {
      for (ParsedRecord r : out.records()) {
        sink.record(r, lineNo);
      }
    } else {
      sink.bad(out.reason(), out.detail(), lineNo, s);
    }
  }

  /** Splits a JSON array into top-level elements and parses each on its own. */
  void readArray(byte[] data, Sink sink) {
    int n = data.length;
    int i = 0;
    long line = 1;
    // Skip BOM and whitespace up to '['.
    while (i < n && data[i] != '[') {
      if (data[i] == '\n') {
        line++;
      }
      i++;
    }
    i++;
    while (true) {
      // Skip separators.
      while (i < n && (data[i] == ',' || isWs(data[i]))) {
        if (data[i] == '\n') {
          line++;
        }
        i++;
      }
      if (i >= n || data[i] == ']') {
        return;
      }
      int start = i;
      long startLine = line;
      int depth = 0;
      boolean inString = false;
      boolean done = false;
      while (i < n) {
        byte c = data[i];
        if (c == '\n') {
          line++;
        }
        if (inString) {
          if (c == '\\') {
            i++;
            if (i < n && data[i] == '\n') {
              line++;
            }
          } else if (c == '"') {
            inString = false;
          }
        } else if (c == '"') {
          inString = true;
        } else if (c == '{' || c == '[') {
          depth++;
        } else if (c == '}' || c == ']') {
          if (depth == 0) {
            break; // the closing ']' of the outer array after a scalar element
          }
          depth--;
          if (depth == 0) {
            i++;
            done = true;
            break;
          }
        } else if (c == ',' && depth == 0) {
          break;
        }
        i++;
      }
      int end = i;
      if (!done && depth > 0) {
        sink.bad(
            IngestReason.MALFORMED_JSON,
            "element is truncated (the file ends inside it)",
            startLine,
            lossy(data, start, end));
        return;
      }
      if (end - start > maxRecordBytes) {
        sink.bad(
            IngestReason.TOO_LARGE,
            "element of "
                + (end - start)
                + " bytes exceeds ingest.max-record-bytes="
                + maxRecordBytes,
            startLine,
            lossy(data, start, Math.min(end, start + (int) Math.min(maxRecordBytes, 1 << 20))));
        continue;
      }
      unit(data, start, end, startLine, sink, false);
    }
  }

  private static boolean isWs(byte b) {
    return b == ' ' || b == '\t' || b == '\n' || b == '\r';
  }

  private static boolean isBlank(byte[] b, int start, int end) {
    for (int i = start; i < end; i++) {
      if (!isWs(b[i])) {
        return false;
      }
    }
    return true;
  }

  private static String strict(byte[] b, int start, int end) throws CharacterCodingException {
    CharsetDecoder d =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    CharBuffer cb = d.decode(ByteBuffer.wrap(b, start, end - start));
    return cb.toString();
  }

  private static String lossy(byte[] b, int start, int end) {
    return new String(b, start, end - start, StandardCharsets.UTF_8);
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "syntax error";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
