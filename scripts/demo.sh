#!/usr/bin/env bash
# One-machine demo: Temporal dev server, Mailpit, the reference CRM and
# Platform, and the worker; then one edition from examples/, approved with
# the temporal CLI. Usage: scripts/demo.sh up|down|clean
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=$ROOT/bin
DATA=$ROOT/.data
PIDS=$DATA/pids
LOGS=$DATA/logs

TEMPORAL_PORT=${TEMPORAL_PORT:-7233}
UI_PORT=${UI_PORT:-8233}
CRM_ADDR=${CRM_ADDR:-127.0.0.1:8081}
PLATFORM_ADDR=${PLATFORM_ADDR:-127.0.0.1:8082}
CRM_KEY=demo-crm-key
PLATFORM_KEY=demo-platform-key
APPROVERS=ana@example.com,bo@example.com
SOURCE=markdown:examples/living-document.md

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
info() { printf '    %s\n' "$*"; }
die() { printf '\033[31merror:\033[0m %s\n' "$*" >&2; exit 1; }

running() { [ -f "$PIDS/$1.pid" ] && kill -0 "$(cat "$PIDS/$1.pid")" 2>/dev/null; }

# start NAME CMD... runs CMD in the background with its own log and PID file,
# unless a process from an earlier run is still alive.
start() {
  local name=$1; shift
  if running "$name"; then info "$name already running (pid $(cat "$PIDS/$name.pid"))"; return; fi
  setsid "$@" >"$LOGS/$name.log" 2>&1 < /dev/null &
  echo $! >"$PIDS/$name.pid"
  info "$name started (pid $!, log .data/logs/$name.log)"
}

wait_for() { # wait_for WHAT SECONDS CMD...
  local what=$1 secs=$2; shift 2
  for _ in $(seq 1 $((secs * 4))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.25; done
  die "$what did not come up within ${secs}s; see .data/logs/"
}

http_ok() { curl -fsS -o /dev/null "$1"; }
http_up() { curl -sS -o /dev/null "$1"; }

up() {
  command -v curl >/dev/null || die "curl is required"
  mkdir -p "$PIDS" "$LOGS"
  step "Temporal dev server (SQLite in .data/temporal.db, Web UI on :$UI_PORT)"
  start temporal "$BIN/temporal" server start-dev --ip 127.0.0.1 --port "$TEMPORAL_PORT" --ui-port "$UI_PORT" \
    --db-filename "$DATA/temporal.db" --log-level error \
    --search-attribute NewsletterStatus=Keyword --search-attribute NewsletterEdition=Keyword
  export TEMPORAL_ADDRESS=127.0.0.1:$TEMPORAL_PORT
  wait_for "Temporal" 60 "$BIN/temporal" operator cluster health --address "$TEMPORAL_ADDRESS"

  step "Mailpit (SMTP :1025, API :8025)"
  start mailpit "$BIN/mailpit" --smtp 127.0.0.1:1025 --listen 127.0.0.1:8025 --disable-version-check --database "$DATA/mailpit.db"
  wait_for "Mailpit" 30 http_ok http://127.0.0.1:8025/api/v1/info

  step "Reference CRM on http://$CRM_ADDR and Platform on http://$PLATFORM_ADDR (SQLite)"
  CRM_API_KEYS=$CRM_KEY CRM_DB=$DATA/crm.db CRM_ADDR=$CRM_ADDR CRM_PUBLIC_URL=http://$CRM_ADDR \
    SMTP_HOST=127.0.0.1 SMTP_PORT=1025 start crm "$BIN/crm" serve
  PLATFORM_API_KEYS=$PLATFORM_KEY PLATFORM_DB=$DATA/platform.db PLATFORM_ADDR=$PLATFORM_ADDR \
    PLATFORM_PUBLIC_URL=http://$PLATFORM_ADDR start platform "$BIN/platform" serve
  wait_for "CRM" 30 http_up "http://$CRM_ADDR/"
  wait_for "Platform" 30 http_up "http://$PLATFORM_ADDR/"

  step "Worker"
  CRM_URL=http://$CRM_ADDR CRM_API_KEY=$CRM_KEY PLATFORM_URL=http://$PLATFORM_ADDR PLATFORM_API_KEY=$PLATFORM_KEY \
    start worker "$BIN/worker"

  step "Sample contacts from examples/contacts.csv"
  CRM_DB=$DATA/crm.db "$BIN/crm" import --file examples/contacts.csv | sed 's/^/    /'

  local edition id
  edition=$(date -u +%G-W%V)
  id=newsletter-$edition
  step "Edition $edition from examples/living-document.md"
  if "$BIN/temporal" workflow describe --workflow-id "$id" >/dev/null 2>&1; then
    info "$id already exists; showing it rather than sending again"
  else
    "$BIN/starter" start --edition "$edition" --source "$SOURCE" --approvers "$APPROVERS" --timeout 1h | sed 's/^/    /'
  fi

  local stage=""
  for _ in $(seq 1 120); do
    stage=$("$BIN/starter" status --edition "$edition" --json 2>/dev/null | sed -n 's/^  "stage": "\(.*\)",$/\1/p')
    case $stage in awaiting_approval|done|failed) break ;; esac
    sleep 0.5
  done
  if [ "$stage" = awaiting_approval ]; then
    step "Preview"
    "$BIN/starter" preview --edition "$edition" --summary | sed 's/^/    /'
    step "Approving with: temporal workflow signal --workflow-id $id --name approve --input '{\"by\":\"ana@example.com\"}'"
    "$BIN/temporal" workflow signal --workflow-id "$id" --name approve --input '{"by":"ana@example.com","comment":"demo"}' | sed 's/^/    /'
  elif [ "$stage" = failed ]; then
    "$BIN/starter" status --edition "$edition" || true
    die "the run failed; see .data/logs/worker.log"
  fi

  step "Waiting for the result"
  "$BIN/temporal" workflow result --workflow-id "$id" --output json > "$DATA/result.json" || die "no result; see .data/logs/worker.log"
  "$BIN/starter" status --edition "$edition" | sed 's/^/    /'

  local contacts expected count slug
  contacts=$(($(grep -c . examples/contacts.csv) - 1))
  expected=$contacts
  for _ in $(seq 1 60); do
    count=$(curl -fsS "http://127.0.0.1:8025/api/v1/messages?limit=1" | sed -n 's/.*"messages_count":\([0-9]*\).*/\1/p')
    [ "${count:-0}" -ge "$expected" ] && break
    sleep 0.5
  done
  slug=$(sed -n 's/.*"update_url": *"[^"]*\/updates\/\([^"]*\)".*/\1/p' "$DATA/result.json" | head -1)

  step "Done. Where to look:"
  info "Run in the Temporal Web UI:  http://localhost:$UI_PORT/namespaces/default/workflows/$id"
  info "Awaiting-approval runs:      http://localhost:$UI_PORT/namespaces/default/workflows?query=NewsletterStatus%3D%22awaiting_approval%22"
  info "Update page:                 http://$PLATFORM_ADDR/updates/$slug"
  info "All updates:                 http://$PLATFORM_ADDR/updates"
  info "Feed:                        http://$PLATFORM_ADDR/updates/feed.xml"
  info "Mailpit received ${count:-0} messages (sample contacts: $contacts, plus proofs to approvers): http://127.0.0.1:8025/api/v1/messages"
  info "Stop everything with 'make demo-down'; 'make demo-clean' also removes .data/."
}

down() {
  [ -d "$PIDS" ] || { echo "nothing to stop"; return; }
  for f in "$PIDS"/*.pid; do
    [ -e "$f" ] || continue
    local name pid
    name=$(basename "$f" .pid); pid=$(cat "$f")
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
      kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
      echo "stopped $name (pid $pid)"
    fi
    rm -f "$f"
  done
}

case ${1:-up} in
  up) up ;;
  down) down ;;
  clean) down; rm -rf "$DATA"; echo "removed .data/" ;;
  *) die "usage: $0 up|down|clean" ;;
esac
