package io.instructlake.corpus;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the generator wrote and injected, so tests and benchmarks can check the pipeline against
 * known counts. Written as {@code _manifest.json} next to the corpus (ingest skips names starting
 * with {@code _}).
 */
public final class Manifest {
  /** Units written: records plus malformed units (blank lines excluded). */
  public long units;

  /** Units that parse into records (what bronze must hold). */
  public long validRecords;

  /** Blank lines written into text files (not records). */
  public long blankLines;

  /** Exact copies of an earlier record (same content, same record id). */
  public long exactDuplicates;

  /** Near copies of an earlier record (one word or number changed in a long response). */
  public long nearDuplicates;

  public long shortResponses;
  public long noisy;
  public long templateSlots;
  public long chinese;

  /** Valid records per file kind (e.g. alpaca-json, sharegpt-jsonl.zst, parquet). */
  public Map<String, Long> byFileKind = new TreeMap<>();

  /** Malformed units per ingest reason code. */
  public Map<String, Long> malformed = new TreeMap<>();

  /** PII values injected per type (email, phone, id_card, bank_card, ip). */
  public Map<String, Long> pii = new TreeMap<>();

  /** Valid records per category. */
  public Map<String, Long> categories = new TreeMap<>();

  /** Valid records per label (classification examples). */
  public Map<String, Long> labels = new TreeMap<>();

  public long seed;
  public long requestedRecords;

  public long malformedTotal() {
    return malformed.values().stream().mapToLong(Long::longValue).sum();
  }

  void inc(Map<String, Long> m, String k) {
    m.merge(k, 1L, Long::sum);
  }

  public void write(Path file) throws IOException {
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), this);
  }

  public static Manifest read(Path file) throws IOException {
    return new ObjectMapper().readValue(file.toFile(), Manifest.class);
  }
}
