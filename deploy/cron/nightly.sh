#!/usr/bin/env bash
# deploy/cron/nightly.sh [CONF]: the nightly refresh as cron runs it (see instructlake.crontab).
#
# One run at a time (flock on a lock file), one dated log per run under a log directory (the newest
# NIGHTLY_LOG_KEEP kept), a one-line-per-event journal, and the pipeline's exit code passed through.
#
# Runs, by default:
#   deploy/spark-submit.sh $NIGHTLY_SUBMIT_ARGS -- nightly --conf CONF --summary LOG_DIR/summary-STAMP.json
# CONF defaults to conf/cluster.conf of this checkout.
#
# Environment (no INSTRUCTLAKE_ prefix on purpose: the pipeline reads every INSTRUCTLAKE_<KEY> variable
# as a configuration key and rejects unknown ones, and the driver inherits this environment):
#   NIGHTLY_LOG_DIR      log directory (default: <checkout>/logs/nightly)
#   NIGHTLY_LOG_KEEP     dated logs and summaries kept, newest first (default 14; a positive integer)
#   NIGHTLY_LOCK_FILE    lock file (default: NIGHTLY_LOG_DIR/nightly.lock)
#   NIGHTLY_SUBMIT_ARGS  spark-submit options, split on spaces (e.g. "--master spark://master:7077")
#   NIGHTLY_CMD          replaces the whole command (tests, dry runs); run with `bash -c`, and sees
#                        NIGHTLY_SUMMARY (the summary path) and NIGHTLY_CONF
#   SPARK_HOME           needed by deploy/spark-submit.sh
# Credentials are never read from a file here: S3A takes them from the default provider chain
# (instance profile, AWS_* variables of the cron user's environment, ~/.aws of that user).
#
# Exit codes: the command's (0 ok, 1 failed, 2 bad usage or configuration, 3 rolled back by a
# quality gate, anything else from spark-submit), or 75 (EX_TEMPFAIL) when another run holds the
# lock (nothing was run), or 64 (EX_USAGE) for a bad setting of this script.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
readonly EXIT_LOCKED=75 EXIT_USAGE=64

CONF="${1:-$ROOT/conf/cluster.conf}"
LOG_DIR="${NIGHTLY_LOG_DIR:-$ROOT/logs/nightly}"
KEEP="${NIGHTLY_LOG_KEEP:-14}"
if [[ ! "$KEEP" =~ ^[1-9][0-9]*$ ]]; then
  echo "nightly.sh: NIGHTLY_LOG_KEEP must be a positive integer, got '$KEEP'" >&2
  exit "$EXIT_USAGE"
fi
mkdir -p "$LOG_DIR"
LOCK="${NIGHTLY_LOCK_FILE:-$LOG_DIR/nightly.lock}"
JOURNAL="$LOG_DIR/nightly-journal.log"

ts() { date -u +%Y-%m-%dT%H:%M:%SZ; }
journal() { echo "$(ts) [$$] $*" | tee -a "$JOURNAL" >&2; }

# The lock is held by fd 9 for the life of this script and of the command it starts (which
# inherits fd 9): a spark-submit left running by a killed wrapper still blocks the next run.
exec 9>>"$LOCK"
if ! flock -n 9; then
  journal "skipped: another nightly run holds $LOCK (exit $EXIT_LOCKED)"
  exit "$EXIT_LOCKED"
fi

# Nanoseconds keep names unique and in time order when sorted by name.
STAMP="$(date -u +%Y%m%d-%H%M%S-%N)"
LOG="$LOG_DIR/nightly-$STAMP.log"
SUMMARY="$LOG_DIR/summary-$STAMP.json"
if [[ -n "${NIGHTLY_CMD:-}" ]]; then
  CMD=(bash -c "$NIGHTLY_CMD")
else
  read -r -a SUBMIT <<<"${NIGHTLY_SUBMIT_ARGS:-}"
  CMD=("$ROOT/deploy/spark-submit.sh" "${SUBMIT[@]}" -- nightly --conf "$CONF" --summary "$SUMMARY")
fi

journal "start: log $LOG"
{
  echo "$(ts) nightly start: ${CMD[*]}"
} >>"$LOG"
set +e
NIGHTLY_SUMMARY="$SUMMARY" NIGHTLY_CONF="$CONF" "${CMD[@]}" >>"$LOG" 2>&1 </dev/null
code=$?
set -e
case "$code" in
  0) what="ok" ;;
  1) what="failed" ;;
  2) what="bad usage or configuration" ;;
  3) what="rolled back by a quality gate" ;;
  *) what="failed (spark-submit or signal)" ;;
esac
echo "$(ts) nightly exit $code ($what)" >>"$LOG"
journal "end: exit $code ($what), log $LOG"

# Rotation: keep the newest KEEP dated logs and summaries (names sort in time order).
rotate() {
  local pattern="$1" files
  mapfile -t files < <(find "$LOG_DIR" -maxdepth 1 -type f -name "$pattern" -printf '%f\n' | sort -r)
  local f
  for f in "${files[@]:KEEP}"; do rm -f -- "$LOG_DIR/$f"; done
}
rotate 'nightly-[0-9]*.log'
rotate 'summary-[0-9]*.json'
exit "$code"
