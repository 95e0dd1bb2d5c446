package io.instructlake.ingest;

import java.util.List;

/**
 * The result of parsing one raw unit (a JSONL line, a JSON array element, a text line): either the
 * records it holds (usually one; a self-instruct seed task holds one per instance) or why it is
 * bad.
 */
public record ParseOutcome(List<ParsedRecord> records, IngestReason reason, String detail) {

  public static ParseOutcome ok(ParsedRecord r) {
    return new ParseOutcome(List.of(r), null, null);
  }

  public static ParseOutcome ok(List<ParsedRecord> rs) {
    return new ParseOutcome(List.copyOf(rs), null, null);
  }

  public static ParseOutcome bad(IngestReason reason, String detail) {
    return new ParseOutcome(List.of(), reason, detail);
  }

  public boolean isOk() {
    return reason == null;
  }
}
