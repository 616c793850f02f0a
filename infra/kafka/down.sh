#!/usr/bin/env bash
# Stop the local Kafka broker started by up.sh. Idempotent.
#   down.sh          stop (SIGTERM, up to 30 s, then SIGKILL); data is kept
#   down.sh --purge  stop and delete data/ (topics, offsets, cluster id)
# KAFKA_DATA_DIR: the data dir of the broker to stop (default infra/kafka/data), as given to up.sh.
set -euo pipefail

DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DATA_DIR="${KAFKA_DATA_DIR:-$DIR/data}"
[[ "$DATA_DIR" == /* ]] || DATA_DIR="$PWD/$DATA_DIR"
PROPS="$DATA_DIR/server.properties"
PID_FILE="$DATA_DIR/kafka.pid"
STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"

PURGE=0
for arg in "$@"; do
  case "$arg" in
    --purge) PURGE=1 ;;
    -h | --help) sed -n '2,5p' "$0"; exit 0 ;;
    *) echo "[kafka-down] unknown argument: $arg" >&2; exit 2 ;;
  esac
done

log() { echo "[kafka-down] $*"; }

is_our_kafka() { # pid -> true if it is the Kafka JVM started by up.sh from this dir
  [[ -n "$1" ]] && kill -0 "$1" 2>/dev/null &&
    tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -q "kafka.Kafka $PROPS"
}

pid="$(cat "$PID_FILE" 2>/dev/null || true)"
if ! is_our_kafka "$pid"; then
  # Pid file missing/stale: look for a JVM running exactly our server.properties.
  pid=""
  for f in /proc/[0-9]*/cmdline; do
    p="${f#/proc/}"; p="${p%/cmdline}"
    if is_our_kafka "$p"; then pid="$p"; break; fi
  done
fi

if [[ -z "$pid" ]]; then
  log "Kafka is not running."
else
  log "Stopping Kafka (pid $pid) ..."
  kill -TERM "$pid" 2>/dev/null || true
  deadline=$((SECONDS + STOP_TIMEOUT))
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.25; done
  if kill -0 "$pid" 2>/dev/null; then
    log "Still running after ${STOP_TIMEOUT}s; sending SIGKILL."
    kill -KILL "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  fi
  log "Kafka stopped."
fi
rm -f "$PID_FILE"

if ((PURGE)); then
  rm -rf "$DATA_DIR"
  log "Deleted $DATA_DIR."
fi
