package io.instructlake.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CorpusFileReaderTest {
  record Seen(String kind, long line, String what) {}

  private static List<Seen> read(byte[] data, String name, long maxBytes) throws Exception {
    List<Seen> seen = new ArrayList<>();
    CorpusFileReader r =
        new CorpusFileReader(
            new RecordParser("text", "label", "category"),
            DatasetMapping.defaults(),
            SourceFormat.AUTO,
            maxBytes);
    r.read(
        CorpusFileReader.decompress(new ByteArrayInputStream(data), name),
        name,
        new CorpusFileReader.Sink() {
          @Override
          public void record(ParsedRecord record, long line) {
            seen.add(new Seen("ok", line, record.response()));
          }

          @Override
          public void bad(IngestReason reason, String detail, long line, String raw) {
            seen.add(new Seen(reason.code(), line, raw));
          }

          @Override
          public void blank(long line) {
            seen.add(new Seen("blank", line, null));
          }
        });
    return seen;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void brokenArrayElementQuarantinesOnlyItself() throws Exception {
    String json =
        "\uFEFF[\n  {\"instruction\": \"a\", \"output\": \"A\"},\n"
            + "  {\"instruction\": \"b\", \"output\": },\n"
            + "  {\"instruction\": \"c {with} [brackets] and \\\"quotes\\\"\", \"output\": \"C\"},\n"
            + "  42,\n"
            + "  {\"instruction\": \"d\", \"output\": \"D\"}\n]\n";
    List<Seen> s = read(utf8(json), "x.json", 1 << 20);
    assertEquals(
        List.of(
            new Seen("ok", 2, "A"),
            new Seen("malformed_json", 3, "{\"instruction\": \"b\", \"output\": }"),
            new Seen("ok", 4, "C"),
            new Seen("wrong_type", 5, "42"),
            new Seen("ok", 6, "D")),
        s);
  }

  @Test
  void truncatedArrayKeepsEverythingBeforeTheCut() throws Exception {
    String json = "[{\"instruction\": \"a\", \"output\": \"A\"},\n{\"instruction\": \"b\", \"outp";
    List<Seen> s = read(utf8(json), "x.json", 1 << 20);
    assertEquals(2, s.size());
    assertEquals(new Seen("ok", 1, "A"), s.get(0));
    assertEquals("malformed_json", s.get(1).kind());
    assertEquals(2, s.get(1).line());
  }

  @Test
  void jsonlWithBomCrlfBlankInvalidUtf8AndOversizedLines() throws Exception {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.write(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
    b.write(utf8("{\"prompt\":\"p1\",\"response\":\"r1\"}\r\n"));
    b.write(utf8("\r\n"));
    b.write(utf8("{\"prompt\":\"caf"));
    b.write(0xE9);
    b.write(utf8("\",\"response\":\"r\"}\n"));
    b.write(utf8("{\"prompt\":\"" + "x".repeat(300) + "\",\"response\":\"r\"}\n"));
    b.write(utf8("{\"prompt\":\"p5\",\"response\":\"r5\"}")); // no final newline
    List<Seen> s = read(b.toByteArray(), "x.jsonl", 200);
    assertEquals(5, s.size());
    assertEquals(new Seen("ok", 1, "r1"), s.get(0));
    assertEquals("blank", s.get(1).kind());
    assertEquals("invalid_utf8", s.get(2).kind());
    assertEquals(3, s.get(2).line());
    assertEquals("too_large", s.get(3).kind());
    assertEquals(new Seen("ok", 5, "r5"), s.get(4));
  }

  @Test
  void gzipAndZstdAreDecompressedByName() throws Exception {
    byte[] plain =
        utf8("{\"prompt\":\"p\",\"response\":\"r\"}\n{\"prompt\":\"q\",\"response\":\"s\"}\n");
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (var o = new java.util.zip.GZIPOutputStream(gz)) {
      o.write(plain);
    }
    ByteArrayOutputStream zs = new ByteArrayOutputStream();
    try (var o = new com.github.luben.zstd.ZstdOutputStream(zs)) {
      o.write(plain);
    }
    assertEquals(2, read(gz.toByteArray(), "a.jsonl.gz", 1 << 20).size());
    assertEquals(2, read(zs.toByteArray(), "a.jsonl.zst", 1 << 20).size());
    assertTrue(
        read(zs.toByteArray(), "a.jsonl.zst", 1 << 20).stream()
            .allMatch(x -> x.kind().equals("ok")));
  }

  @Test
  void plainTextIsOneDocumentPerLine() throws Exception {
    List<Seen> s = read(utf8("first doc\n\nsecond doc\n"), "t.txt", 1 << 20);
    assertEquals(
        List.of(
            new Seen("ok", 1, "first doc"),
            new Seen("blank", 2, null),
            new Seen("ok", 3, "second doc")),
        s);
  }
}
