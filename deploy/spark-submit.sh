#!/usr/bin/env bash
# Submit a pipeline command to a Spark cluster with the shaded jar (Spark, Hadoop, Scala provided).
#   deploy/spark-submit.sh --master spark://host:7077 [spark-submit options] -- <command> [pipeline options]
# Example:
#   deploy/spark-submit.sh --master yarn --deploy-mode cluster -- ingest --conf cluster.conf
# Needs SPARK_HOME (Spark 4.1, Scala 2.13) and the jar built by `mvn -B -DskipTests package`.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# LAKE_JAR, not INSTRUCTLAKE_JAR: every INSTRUCTLAKE_* variable is read as a config key.
JAR="${LAKE_JAR:-$ROOT/jobs/target/instructlake-jobs-0.1.0-SNAPSHOT-spark.jar}"
[[ -f "$JAR" ]] || { echo "missing $JAR: run 'mvn -B -DskipTests package' first" >&2; exit 2; }
SUBMIT_ARGS=()
while [[ $# -gt 0 && "$1" != "--" ]]; do SUBMIT_ARGS+=("$1"); shift; done
[[ "${1:-}" == "--" ]] && shift
exec "${SPARK_HOME:?set SPARK_HOME}/bin/spark-submit" \
  --class io.instructlake.jobs.Main \
  --conf spark.executor.extraJavaOptions=-Dai.djl.offline=true \
  --files "$ROOT/conf/log4j2.properties" \
  --driver-java-options "-Dlog4j2.configurationFile=log4j2.properties -Dai.djl.offline=true" \
  "${SUBMIT_ARGS[@]}" "$JAR" "$@"
