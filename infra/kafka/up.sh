#!/usr/bin/env bash
# Start a local single-node Apache Kafka broker (KRaft combined mode) built from
# Maven Central jars. Idempotent; may be called from any working directory.
#
# Environment:
#   KAFKA_EXTERNAL=1 + KAFKA_BROKERS=host:port  -> use an external broker, do nothing
#   KAFKA_HOST            listener host              (default 127.0.0.1)
#   KAFKA_PORT            client (PLAINTEXT) port    (default 9092)
#   KAFKA_CONTROLLER_PORT KRaft controller port      (default 9093)
#   KAFKA_HEAP_OPTS       JVM heap flags             (default -Xms256m -Xmx512m)
#   KAFKA_JVM_OPTS        extra JVM flags            (default: none)
#   KAFKA_START_TIMEOUT   seconds to wait for ready  (default 90)
#   KAFKA_DATA_DIR        data dir (properties, pid, storage; default infra/kafka/data), so that a
#                         second broker (e.g. a fault test's) runs beside the default one; its logs
#                         then go to $KAFKA_DATA_DIR/logs instead of infra/kafka/logs
set -euo pipefail

DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LIB_DIR="$DIR/lib"
DATA_DIR="${KAFKA_DATA_DIR:-$DIR/data}"
[[ "$DATA_DIR" == /* ]] || DATA_DIR="$PWD/$DATA_DIR"
if [[ -n "${KAFKA_DATA_DIR:-}" ]]; then LOG_DIR="$DATA_DIR/logs"; else LOG_DIR="$DIR/logs"; fi
LOG_DIRS="$DATA_DIR/kraft-combined-logs"
PROPS="$DATA_DIR/server.properties"
PID_FILE="$DATA_DIR/kafka.pid"
SERVER_LOG="$LOG_DIR/server.log"
STDOUT_LOG="$LOG_DIR/kafka.out"
OFFSET_FILE="$DATA_DIR/server.log.offset"

KAFKA_HOST="${KAFKA_HOST:-127.0.0.1}"
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}"
KAFKA_JVM_OPTS="${KAFKA_JVM_OPTS:-}"
KAFKA_START_TIMEOUT="${KAFKA_START_TIMEOUT:-90}"

log() { echo "[kafka-up] $*"; }

if [[ "${KAFKA_EXTERNAL:-}" == "1" && -n "${KAFKA_BROKERS:-}" ]]; then
  log "KAFKA_EXTERNAL=1, using external broker(s) $KAFKA_BROKERS; not starting a local one."
  exit 0
fi

port_open() { # host port
  timeout 1 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null
}

pid_alive() { # pid -> true if it is our running Kafka JVM
  local pid="$1"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null &&
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "kafka.Kafka $PROPS"
}

mkdir -p "$DATA_DIR" "$LOG_DIR"

# Serialise concurrent invocations (e.g. parallel Nx targets).
if command -v flock >/dev/null 2>&1; then
  exec 9>"$DATA_DIR/.up.lock"
  flock 9
fi

# 1. Jars from Maven Central (once; again whenever pom.xml changes).
if [[ ! -f "$LIB_DIR/.complete" || "$DIR/pom.xml" -nt "$LIB_DIR/.complete" ]] ||
  ! compgen -G "$LIB_DIR/kafka_2.13-*.jar" >/dev/null; then
  command -v mvn >/dev/null || { echo "[kafka-up] ERROR: mvn not found" >&2; exit 1; }
  log "Downloading Kafka jars from Maven Central into $LIB_DIR ..."
  t0=$SECONDS
  rm -rf "$LIB_DIR"
  # (strip the stray ANSI reset codes Debian's Maven prints even with -q -B)
  mvn -q -B -Dstyle.color=never -f "$DIR/pom.xml" dependency:copy-dependencies 2>&1 |
    sed -e 's/\x1b\[[0-9;]*m//g' -e '/^[[:space:]]*$/d'
  touch "$LIB_DIR/.complete"
  log "Jars downloaded in $((SECONDS - t0)) s ($(ls "$LIB_DIR"/*.jar | wc -l) jars)."
fi

# 2. Already running?
existing_pid="$(cat "$PID_FILE" 2>/dev/null || true)"
if port_open "$KAFKA_HOST" "$KAFKA_PORT"; then
  if pid_alive "$existing_pid"; then
    log "Kafka already running (pid $existing_pid) on $KAFKA_HOST:$KAFKA_PORT."
  else
    log "Something is already listening on $KAFKA_HOST:$KAFKA_PORT; assuming it is a Kafka broker."
  fi
  exit 0
fi

start_ts=$EPOCHREALTIME
if pid_alive "$existing_pid"; then
  # Started by an earlier invocation but not listening yet: just wait for it.
  log "Kafka (pid $existing_pid) is starting; waiting for it."
  pid="$existing_pid"
else
  rm -f "$PID_FILE"
  command -v java >/dev/null || { echo "[kafka-up] ERROR: java not found" >&2; exit 1; }

  # 3. Render server.properties.
  sed -e "s|@KAFKA_HOST@|$KAFKA_HOST|g" \
    -e "s|@KAFKA_PORT@|$KAFKA_PORT|g" \
    -e "s|@KAFKA_CONTROLLER_PORT@|$KAFKA_CONTROLLER_PORT|g" \
    -e "s|@LOG_DIRS@|$LOG_DIRS|g" \
    "$DIR/server.properties.template" >"$PROPS"

  TOOLS_JAVA=(java -Xmx256m -XX:+UseSerialGC -cp "$LIB_DIR/*"
    "-Dlog4j.configuration=file:$DIR/tools-log4j.properties")

  # 4. Format storage once.
  if [[ ! -f "$LOG_DIRS/meta.properties" ]]; then
    cluster_id="$(cat "$DATA_DIR/cluster.id" 2>/dev/null || true)"
    if [[ -z "$cluster_id" ]]; then
      cluster_id="$("${TOOLS_JAVA[@]}" kafka.tools.StorageTool random-uuid | tail -n1)"
      echo "$cluster_id" >"$DATA_DIR/cluster.id"
    fi
    log "Formatting $LOG_DIRS (cluster id $cluster_id)"
    "${TOOLS_JAVA[@]}" kafka.tools.StorageTool format -t "$cluster_id" -c "$PROPS" --ignore-formatted >/dev/null
  fi

  # 5. Start the broker in the background, detached from this shell's session.
  touch "$SERVER_LOG"
  stat -c %s "$SERVER_LOG" >"$OFFSET_FILE" # only look at log lines written from now on
  log "Starting Kafka on $KAFKA_HOST:$KAFKA_PORT (controller :$KAFKA_CONTROLLER_PORT), log: $SERVER_LOG"
  # shellcheck disable=SC2086
  nohup setsid java $KAFKA_HEAP_OPTS \
    -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError -XX:MaxDirectMemorySize=256m \
    -Djava.awt.headless=true -Djava.net.preferIPv4Stack=true \
    "-Dkafka.logs.dir=$LOG_DIR" "-Dlog4j.configuration=file:$DIR/log4j.properties" \
    $KAFKA_JVM_OPTS \
    -cp "$LIB_DIR/*" kafka.Kafka "$PROPS" \
    >"$STDOUT_LOG" 2>&1 </dev/null 9>&- &
  pid=$!
  echo "$pid" >"$PID_FILE"
fi

# 6. Wait until the port accepts connections and the server reports it started.
offset="$(cat "$OFFSET_FILE" 2>/dev/null || echo 0)"
deadline=$((SECONDS + KAFKA_START_TIMEOUT))
fail() {
  echo "[kafka-up] ERROR: $*" >&2
  echo "----- tail $SERVER_LOG -----" >&2
  tail -n 40 "$SERVER_LOG" >&2 || true
  echo "----- tail $STDOUT_LOG -----" >&2
  tail -n 20 "$STDOUT_LOG" >&2 || true
  exit 1
}
while :; do
  if ! kill -0 "$pid" 2>/dev/null; then
    rm -f "$PID_FILE"
    fail "Kafka process $pid exited during startup."
  fi
  if port_open "$KAFKA_HOST" "$KAFKA_PORT" &&
    tail -c +"$((offset + 1))" "$SERVER_LOG" | grep -q "Kafka Server started"; then
    break
  fi
  if ((SECONDS >= deadline)); then
    fail "Kafka not ready after ${KAFKA_START_TIMEOUT}s (pid $pid still running; stop it with down.sh)."
  fi
  sleep 0.25
done
elapsed=$(awk -v a="$start_ts" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
log "Kafka ready on $KAFKA_HOST:$KAFKA_PORT (pid $pid) after ${elapsed}s."
