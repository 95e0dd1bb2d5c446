#!/usr/bin/env bash
# deploy/standalone-cluster.sh start|stop|status [--workers N] [--state-dir DIR] [--spark-home DIR]
#
# A local standalone Spark cluster for trying and testing spark-submit deployments on one machine:
# one Master and N (default 2) Worker JVMs as separate background processes, run from the project's
# own Spark jars (no Spark download). See deploy/CLUSTER.md.
#
#   start   builds the Spark home if needed, starts the master and workers, waits until every worker
#           is registered, and writes STATE_DIR/cluster.env (MASTER_URL, MASTER_WEBUI, SPARK_HOME,
#           PIDS...) for `source`-ing. Fails (and stops what it started) when the cluster is not up
#           within CLUSTER_TIMEOUT seconds (default 120).
#   stop    kills the JVMs it started (by their recorded pids) and removes the state dir, including
#           the workers' work dirs (every application copies the ~300 MB application jar there).
#   status  prints cluster.env and the master's worker/application/driver counts; exit 1 when down.
#
# Options / environment:
#   --workers N            CLUSTER_WORKERS   workers (default 2)
#   --state-dir DIR        CLUSTER_DIR       pids, ports, logs, work dirs (default work/cluster)
#   --spark-home DIR       CLUSTER_SPARK_HOME        an existing Spark 4.1 / Scala 2.13 home with jars/;
#                          default: work/spark-dist, a Spark home of symlinks to the Maven jars of the
#                          project's `provided` Spark and Hadoop dependencies (built once, offline)
#   CLUSTER_WORKER_CORES (default 2), CLUSTER_WORKER_MEMORY (default 3g): per worker; sized
#                          for a 2-core / 24 GiB machine (cores are slots, not pinned CPUs)
#   CLUSTER_DAEMON_MEMORY (default 256m): heap of the master and worker JVMs
#   JAVA_HOME              Java 17
#
# (Not INSTRUCTLAKE_*: the pipeline reads every INSTRUCTLAKE_<KEY> variable as a config key.)
#
# Credentials: the workers inherit this script's environment and pass it on to every executor and
# cluster-mode driver they launch. Export AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or use an
# instance profile / AWS_PROFILE) before `start`; never put keys in files or --conf values.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"

CMD="${1:-}"
[[ $# -gt 0 ]] && shift
WORKERS="${CLUSTER_WORKERS:-2}"
STATE="${CLUSTER_DIR:-$ROOT/work/cluster}"
SPARK_HOME_DIR="${CLUSTER_SPARK_HOME:-}"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --workers) WORKERS="$2"; shift 2 ;;
    --workers=*) WORKERS="${1#*=}"; shift ;;
    --state-dir) STATE="$2"; shift 2 ;;
    --state-dir=*) STATE="${1#*=}"; shift ;;
    --spark-home) SPARK_HOME_DIR="$2"; shift 2 ;;
    --spark-home=*) SPARK_HOME_DIR="${1#*=}"; shift ;;
    *) echo "standalone-cluster.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
[[ "$WORKERS" =~ ^[1-9][0-9]*$ ]] || { echo "standalone-cluster.sh: --workers must be >= 1" >&2; exit 2; }
ENV_FILE="$STATE/cluster.env"
CORES="${CLUSTER_WORKER_CORES:-2}"
MEMORY="${CLUSTER_WORKER_MEMORY:-3g}"
DAEMON_MEM="${CLUSTER_DAEMON_MEMORY:-256m}"
TIMEOUT="${CLUSTER_TIMEOUT:-120}"
JVM_FLAGS="-XX:+UseParallelGC --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED"

log() { echo "standalone-cluster.sh: $*" >&2; }

# A Spark home whose jars/ are links to the Maven jars of Spark + Hadoop exactly as the project's
# `provided` dependencies resolve them (a throw-away POM whose parent is the project POM, so the
# versions are the project's). Not included: hadoop-aws and the AWS SDK; the application jar
# (jobs/target/*-spark.jar) carries them, as `--packages hadoop-aws` would on a stock Spark.
build_spark_home() {
  local dist="$ROOT/work/spark-dist"
  if [[ -f "$dist/.complete" && "$dist/.complete" -nt "$ROOT/pom.xml" ]]; then
    SPARK_HOME_DIR="$dist"
    return
  fi
  log "building the Spark home $dist from the project's Spark/Hadoop jars (offline Maven)..."
  rm -rf "$dist" && mkdir -p "$dist/jars"
  cat > "$dist/pom.xml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <parent>
    <groupId>io.instructlake</groupId>
    <artifactId>instructlake-parent</artifactId>
    <version>0.1.0-SNAPSHOT</version>
    <relativePath>../../pom.xml</relativePath>
  </parent>
  <artifactId>instructlake-spark-dist</artifactId>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.spark</groupId><artifactId>spark-sql_${scala.binary.version}</artifactId></dependency>
    <dependency><groupId>org.apache.spark</groupId><artifactId>spark-mllib_${scala.binary.version}</artifactId></dependency>
    <dependency><groupId>org.apache.hadoop</groupId><artifactId>hadoop-client-api</artifactId></dependency>
    <dependency><groupId>org.apache.hadoop</groupId><artifactId>hadoop-client-runtime</artifactId></dependency>
  </dependencies>
</project>
EOF
  (cd "$dist" && mvn -q -B ${CLUSTER_MVN_FLAGS:--o} -Dspotless.check.skip=true \
      dependency:build-classpath -Dmdep.outputFile="$dist/classpath.txt") >&2
  local jars
  IFS=":" read -r -a jars < "$dist/classpath.txt" || true
  for j in "${jars[@]}"; do [[ -f "$j" ]] && ln -sf "$j" "$dist/jars/"; done
  touch "$dist/.complete"
  SPARK_HOME_DIR="$dist"
}

free_port() {
  local p
  for _ in $(seq 1 200); do
    p=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
  done
  log "no free port found"; exit 1
}

master_json() { curl -fsS --max-time 5 "http://127.0.0.1:$MASTER_WEBUI_PORT/json/" 2>/dev/null; }

alive_workers() {
  master_json | tr -d ' \n' | grep -o '"aliveworkers":[0-9]*' | cut -d: -f2 || true
}

kill_pids() {
  local f pid
  for f in "$STATE"/pids/*; do
    [[ -f "$f" ]] || continue
    pid="$(cat "$f")"
    if kill -0 "$pid" 2>/dev/null; then kill "$pid" 2>/dev/null || true; fi
  done
  # Give them 15 s to exit, then force.
  for _ in $(seq 1 30); do
    local alive=0
    for f in "$STATE"/pids/*; do
      [[ -f "$f" ]] && kill -0 "$(cat "$f")" 2>/dev/null && alive=1
    done
    [[ $alive == 0 ]] && return
    sleep 0.5
  done
  for f in "$STATE"/pids/*; do
    [[ -f "$f" ]] && kill -9 "$(cat "$f")" 2>/dev/null || true
  done
}

start() {
  if [[ -f "$ENV_FILE" ]]; then
    # shellcheck disable=SC1090
    source "$ENV_FILE"
    if [[ -n "$(alive_workers)" ]]; then log "already running: $MASTER_URL (stop it first)"; exit 1; fi
    log "stale state in $STATE: cleaning it"
    kill_pids
    rm -rf "$STATE"
  fi
  case "$("$JAVA" -version 2>&1 | head -1)" in
    *'"17'*) ;;
    *) log "needs Java 17 (Hadoop 3.4 fails on newer Java); set JAVA_HOME"; exit 2 ;;
  esac
  if [[ -z "$SPARK_HOME_DIR" ]]; then build_spark_home; fi
  [[ -d "$SPARK_HOME_DIR/jars" ]] || { log "no jars/ under $SPARK_HOME_DIR"; exit 2; }
  SPARK_HOME_DIR="$(cd "$SPARK_HOME_DIR" && pwd)"
  mkdir -p "$STATE/pids" "$STATE/logs"
  STATE="$(cd "$STATE" && pwd)"
  ENV_FILE="$STATE/cluster.env"
  MASTER_PORT="$(free_port)"
  MASTER_WEBUI_PORT="$(free_port)"
  MASTER_URL="spark://127.0.0.1:$MASTER_PORT"
  export SPARK_HOME="$SPARK_HOME_DIR" SPARK_SCALA_VERSION=2.13 SPARK_LOCAL_IP=127.0.0.1
  export SPARK_LOG_DIR="$STATE/logs"
  local log_conf="-Dlog4j2.configurationFile=$ROOT/conf/log4j2.properties"
  # shellcheck disable=SC2086
  nohup "$JAVA" -Xmx"$DAEMON_MEM" $JVM_FLAGS "$log_conf" -cp "$SPARK_HOME/jars/*" \
    -Dspark.master.rest.enabled=false \
    org.apache.spark.deploy.master.Master --host 127.0.0.1 --port "$MASTER_PORT" \
    --webui-port "$MASTER_WEBUI_PORT" > "$STATE/logs/master.log" 2>&1 < /dev/null &
  echo $! > "$STATE/pids/master"
  local i
  for ((i = 1; i <= WORKERS; i++)); do
    local wport wdir
    wport="$(free_port)"
    wdir="$STATE/work/worker-$i"
    mkdir -p "$wdir"
    # Cleanup of finished applications' dirs while the cluster runs (stop removes them all).
    # shellcheck disable=SC2086
    nohup "$JAVA" -Xmx"$DAEMON_MEM" $JVM_FLAGS "$log_conf" \
      -Dspark.worker.cleanup.enabled=true -Dspark.worker.cleanup.interval=600 \
      -Dspark.worker.cleanup.appDataTtl=3600 \
      -cp "$SPARK_HOME/jars/*" org.apache.spark.deploy.worker.Worker \
      --host 127.0.0.1 --port 0 --webui-port "$wport" --cores "$CORES" --memory "$MEMORY" \
      --work-dir "$wdir" "$MASTER_URL" > "$STATE/logs/worker-$i.log" 2>&1 < /dev/null &
    echo $! > "$STATE/pids/worker-$i"
  done
  cat > "$ENV_FILE" <<EOF
MASTER_URL=$MASTER_URL
MASTER_PORT=$MASTER_PORT
MASTER_WEBUI_PORT=$MASTER_WEBUI_PORT
MASTER_WEBUI=http://127.0.0.1:$MASTER_WEBUI_PORT
SPARK_HOME=$SPARK_HOME_DIR
SPARK_SCALA_VERSION=2.13
WORKERS=$WORKERS
WORK_DIR=$STATE/work
LOG_DIR=$STATE/logs
EOF
  local deadline=$((SECONDS + TIMEOUT)) n=""
  while ((SECONDS < deadline)); do
    n="$(alive_workers)"
    [[ -n "$n" && "$n" -ge "$WORKERS" ]] && break
    for f in "$STATE"/pids/*; do
      if ! kill -0 "$(cat "$f")" 2>/dev/null; then
        log "$(basename "$f") exited during start; its log:"; tail -20 "$STATE/logs/$(basename "$f").log" >&2
        stop_cluster; exit 1
      fi
    done
    sleep 1
  done
  if [[ -z "$n" || "$n" -lt "$WORKERS" ]]; then
    log "only ${n:-0} of $WORKERS workers registered within ${TIMEOUT}s; logs in $STATE/logs:"
    tail -n 5 "$STATE"/logs/*.log >&2 || true
    stop_cluster; exit 1
  fi
  log "up: $MASTER_URL (web UI http://127.0.0.1:$MASTER_WEBUI_PORT), $WORKERS workers x $CORES cores x $MEMORY"
  echo "$ENV_FILE"
}

stop_cluster() {
  if [[ ! -d "$STATE" ]]; then log "not running (no $STATE)"; return 0; fi
  kill_pids
  rm -rf "$STATE"
  log "stopped; removed $STATE"
}

status() {
  [[ -f "$ENV_FILE" ]] || { log "not running (no $ENV_FILE)"; exit 1; }
  # shellcheck disable=SC1090
  source "$ENV_FILE"
  cat "$ENV_FILE"
  local j
  j="$(master_json | tr -d ' \n')" || true
  [[ -n "$j" ]] || { log "master not answering on $MASTER_WEBUI_PORT"; exit 1; }
  echo "$j" | grep -o '"aliveworkers":[0-9]*\|"status":"[A-Z]*"' | tr '\n' ' '
  echo
}

case "$CMD" in
  start) start ;;
  stop) stop_cluster ;;
  status) status ;;
  *) echo "usage: deploy/standalone-cluster.sh start|stop|status [--workers N] [--state-dir DIR] [--spark-home DIR]" >&2; exit 2 ;;
esac
