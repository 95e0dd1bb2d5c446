package io.instructlake.stage;

import io.instructlake.PipelineException;

/**
 * Thrown by a job when the run must end as {@code rolled_back} rather than {@code failed}: the code
 * worked, but the data it would publish broke a declared check (a quality gate). The runner
 * restores every table the run wrote and exits with the rolled-back code; the message names the
 * failed checks and their values.
 */
public class RollBackException extends PipelineException {
  private static final long serialVersionUID = 1L;

  public RollBackException(String what, String why, String fix) {
    super(what, why, fix);
  }
}
