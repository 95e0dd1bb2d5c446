package io.instructlake.ingest;

/** Reason codes for records ingest sends to quarantine. Stable: they are data in the lake. */
public enum IngestReason {
  /** The text is not valid JSON (syntax error, truncated element). */
  MALFORMED_JSON,
  /** The bytes are not valid UTF-8. */
  INVALID_UTF8,
  /** The record exceeds {@code ingest.max-record-bytes}. */
  TOO_LARGE,
  /** A JSON value where an object was expected, or a field of the wrong type. */
  WRONG_TYPE,
  /** A required field (instruction, output, conversations, prompt, response) is absent. */
  MISSING_FIELD,
  /** A required field is present but empty or blank. */
  EMPTY_FIELD,
  /** A conversation turn has a role the pipeline does not know. */
  UNKNOWN_ROLE,
  /** Conversation turns do not alternate user/observation with assistant/function_call. */
  NON_ALTERNATING_TURNS,
  /** The record's shape matches no supported format. */
  UNKNOWN_FORMAT,
  /** The file could not be read at all (I/O error, corrupt compression). */
  UNREADABLE_FILE;

  /** The code stored in the {@code reason} column, e.g. {@code malformed_json}. */
  public String code() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
