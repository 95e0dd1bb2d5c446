package io.instructlake;

/**
 * A failure the user can act on. The message always says what failed, why, and how to fix it, so
 * that the CLI can print it as one line and exit non-zero.
 */
public class PipelineException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * @param what what failed, e.g. "Cannot read corpus at /data/in"
   * @param why the cause in the user's terms
   * @param fix what to change, e.g. "set input.path"
   */
  public PipelineException(String what, String why, String fix) {
    super(what + ": " + why + " (" + fix + ")");
  }

  /** Wraps a library exception with the stage context; never loses the cause. */
  public PipelineException(String what, String why, String fix, Throwable cause) {
    super(what + ": " + why + " (" + fix + ")", cause);
  }

  /** For messages already composed as "what: why (fix)". */
  public PipelineException(String message, Throwable cause) {
    super(message, cause);
  }
}
