#!/usr/bin/env bash
# One-machine demo: Temporal dev server, Mailpit, the reference CRM and
# Platform, the approvals service and the worker; then one edition from
# examples/, approved through the link in the proof email.
# Usage: scripts/demo.sh up|down|clean
# DEMO_APPROVE=manual waits for you to click the printed link instead.
# AI_DEMO=1 adds a bundled fake model (bin/aifake): its suggestions show in
# the proof, two are accepted and the new proof is approved; without it
# the demo stays offline and AI-free.
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
APPROVALS_ADDR=${APPROVALS_ADDR:-127.0.0.1:8083}
MAILPIT_SMTP=${MAILPIT_SMTP:-127.0.0.1:1025}
MAILPIT_HTTP=${MAILPIT_HTTP:-127.0.0.1:8025}
MAILPIT=http://$MAILPIT_HTTP
SOCIAL_ADDR=${SOCIAL_ADDR:-127.0.0.1:8084}
CRM_KEY=demo-crm-key
PLATFORM_KEY=demo-platform-key
REPORT_SECRET=demo-report-link-secret-0123456789abcdef
APPROVERS=ana@example.com,bo@example.com
# The demo's copy of examples/living-document.md, its image served locally.
SOURCE=markdown:$DATA/living-document.md
AI_DEMO=${AI_DEMO:-}
AIFAKE_ADDR=${AIFAKE_ADDR:-127.0.0.1:8090}

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

  step "Mailpit (SMTP $MAILPIT_SMTP, inbox $MAILPIT)"
  start mailpit "$BIN/mailpit" --smtp "$MAILPIT_SMTP" --listen "$MAILPIT_HTTP" --disable-version-check --database "$DATA/mailpit.db"
  wait_for "Mailpit" 30 http_ok "$MAILPIT/api/v1/info"

  step "Reference CRM on http://$CRM_ADDR and Platform on http://$PLATFORM_ADDR (SQLite)"
  if [ ! -s "$DATA/tracking-signing-keys" ]; then
    (umask 077; head -c 32 /dev/urandom | base64 | tr -d '\n' > "$DATA/tracking-signing-keys")
  fi
  TRACKING_SIGNING_KEYS=$(cat "$DATA/tracking-signing-keys") \
  CRM_API_KEYS=$CRM_KEY CRM_DB=$DATA/crm.db CRM_ADDR=$CRM_ADDR CRM_PUBLIC_URL=http://$CRM_ADDR \
    SMTP_HOST=${MAILPIT_SMTP%:*} SMTP_PORT=${MAILPIT_SMTP##*:} start crm "$BIN/crm" serve
  PLATFORM_API_KEYS=$PLATFORM_KEY PLATFORM_DB=$DATA/platform.db PLATFORM_ADDR=$PLATFORM_ADDR \
    PLATFORM_CRM_URL=http://$CRM_ADDR PLATFORM_CRM_API_KEY=$CRM_KEY REPORT_LINK_SECRET=$REPORT_SECRET \
    PLATFORM_PUBLIC_URL=http://$PLATFORM_ADDR start platform "$BIN/platform" serve
  wait_for "CRM" 30 http_up "http://$CRM_ADDR/"
  wait_for "Platform" 30 http_up "http://$PLATFORM_ADDR/"

  step "Approval signing key (.data/approval-signing-keys) and approvals service on http://$APPROVALS_ADDR"
  if [ ! -s "$DATA/approval-signing-keys" ]; then
    (umask 077; "$BIN/approvals" new-key "demo-$(date -u +%Y%m%d)" > "$DATA/approval-signing-keys")
    info "generated a new key"
  fi
  APPROVAL_SIGNING_KEYS=$(cat "$DATA/approval-signing-keys")
  export APPROVAL_SIGNING_KEYS
  # It reads the full-edition preview from the worker's artifact store.
  APPROVALS_ADDR=$APPROVALS_ADDR ARTIFACT_STORE_URL=$DATA/artifacts start approvals "$BIN/approvals" serve
  wait_for "Approvals service" 30 http_ok "http://$APPROVALS_ADDR/healthz"
  step "Social networks"
  # Real MASTODON_* / BLUESKY_* settings in the environment go to the
  # worker as they are; a network without them posts to the local fakes.
  local fakes=""
  if [ -z "${MASTODON_ACCESS_TOKEN:-}" ]; then
    export MASTODON_SERVER=http://$SOCIAL_ADDR MASTODON_ACCESS_TOKEN=demo-mastodon-token
    fakes="Mastodon"
  else
    info "Mastodon: ${MASTODON_SERVER:-?} (from the environment)"
  fi
  if [ -z "${BLUESKY_APP_PASSWORD:-}" ]; then
    export BLUESKY_SERVICE=http://$SOCIAL_ADDR BLUESKY_WEB_URL=http://$SOCIAL_ADDR \
      BLUESKY_HANDLE=halcytone.demo BLUESKY_APP_PASSWORD=demo-app-password
    fakes="${fakes:+$fakes and }Bluesky"
  else
    info "Bluesky: ${BLUESKY_HANDLE:-?} on ${BLUESKY_SERVICE:-https://bsky.social} (from the environment)"
  fi
  # The fakes also serve the document's lead image (examples/media), so
  # posts carry it without any lookup beyond this machine.
  start socialfake "$BIN/socialfake" -addr "$SOCIAL_ADDR" -media examples/media
  wait_for "socialfake" 30 http_ok "http://$SOCIAL_ADDR/posts"
  [ -n "$fakes" ] && info "$fakes: local fakes on http://$SOCIAL_ADDR"
  info "Images: http://$SOCIAL_ADDR/media/ (examples/media)"
  sed "s#https://images.halcytone.example/updates/#http://$SOCIAL_ADDR/media/#g" examples/living-document.md > "$DATA/living-document.md"

  # The default demo asks no model, whatever the caller's environment says.
  local ai_env=(env -u AI_MODEL -u OPENAI_BASE_URL -u OPENAI_API_KEY)
  if [ -n "$AI_DEMO" ]; then
    step "Fake model on http://$AIFAKE_ADDR/v1 (fixed suggestions)"
    AIFAKE_ADDR=$AIFAKE_ADDR start aifake "$BIN/aifake"
    wait_for "aifake" 30 http_up "http://$AIFAKE_ADDR/"
    ai_env=(env AI_MODEL=demo-model OPENAI_BASE_URL=http://$AIFAKE_ADDR/v1 OPENAI_API_KEY=demo-ai-key)
  fi

  step "Worker (artifact store in .data/artifacts)"
  CRM_URL=http://$CRM_ADDR CRM_API_KEY=$CRM_KEY PLATFORM_URL=http://$PLATFORM_ADDR PLATFORM_API_KEY=$PLATFORM_KEY \
    APPROVALS_PUBLIC_URL=http://$APPROVALS_ADDR ARTIFACT_STORE_URL=$DATA/artifacts REPORT_LINK_SECRET=$REPORT_SECRET start worker "${ai_env[@]}" "$BIN/worker"

  step "Sample contacts from examples/contacts.csv"
  CRM_DB=$DATA/crm.db "$BIN/crm" import --file examples/contacts.csv | sed 's/^/    /'

  local edition id
  edition=$(date -u +%G-W%V)
  id=newsletter-$edition
  step "Edition $edition from examples/living-document.md (as .data/living-document.md, its image served locally)"
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
    [ -n "$AI_DEMO" ] && accept_suggestions "$edition"
    approve_by_link
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
    count=$(curl -fsS "$MAILPIT/api/v1/messages?limit=1" | sed -n 's/.*"messages_count":\([0-9]*\).*/\1/p')
    [ "${count:-0}" -ge "$expected" ] && break
    sleep 0.5
  done
  slug=$(sed -n 's/.*"update_url": *"[^"]*\/updates\/\([^"]*\)".*/\1/p' "$DATA/result.json" | sed -n 1p)

  step "Done. Where to look:"
  info "Run in the Temporal Web UI:  http://localhost:$UI_PORT/namespaces/default/workflows/$id"
  info "Awaiting-approval runs:      http://localhost:$UI_PORT/namespaces/default/workflows?query=NewsletterStatus%3D%22awaiting_approval%22"
  info "Update page:                 http://$PLATFORM_ADDR/updates/$slug"
  info "All updates:                 http://$PLATFORM_ADDR/updates"
  info "Feed:                        http://$PLATFORM_ADDR/updates/feed.xml"
  info "CRM report (clicks by section): curl -H 'Authorization: Bearer $CRM_KEY' http://$CRM_ADDR/api/v1/newsletters/$id/report"
  info "Report (API key):            curl -H 'Authorization: Bearer $PLATFORM_KEY' http://$PLATFORM_ADDR/updates/$slug/report"
  info "Figures so far:              bin/starter report --edition $edition"
  CRM_URL=http://$CRM_ADDR CRM_API_KEY=$CRM_KEY PLATFORM_URL=http://$PLATFORM_ADDR PLATFORM_API_KEY=$PLATFORM_KEY \
    "$BIN/starter" report --edition "$edition" | sed 's/^/      /' || true
  info "Social posts:"
  "$BIN/starter" status --edition "$edition" | grep -E '^  (mastodon|bluesky|x|linkedin) ' | sed 's/^  /      /' || true
  running socialfake && info "Posts on the local fakes:      http://$SOCIAL_ADDR/posts"
  info "Mailpit received ${count:-0} messages (sample contacts: $contacts, plus proofs to approvers): $MAILPIT"
  info "Stop everything with 'make demo-down'; 'make demo-clean' also removes .data/."
}

# accept_suggestions shows the model's suggestions and accepts two on
# Ana's approve link's page, as her clicks on its Accept buttons do: each
# renders the edition again, and a new proof goes out for approval.
accept_suggestions() {
  local edition=$1 link page tok
  step "Suggestions next to the originals (also in the proof in Mailpit, and on each approve link's page)"
  "$BIN/starter" preview --edition "$edition" --out "$DATA/preview" >/dev/null
  sed 's/^/    /' "$DATA/preview/suggestions.txt"
  link=$(ana_link)
  step "Accepting subject:2 on Ana's approve link's page, then social.x on the page that follows"
  info "(each is a new version: approvals are void and a new proof goes out)"
  page=$(curl -fsS -X POST --data-urlencode "token=${link##*token=}" --data-urlencode "accept=subject:2" "${link%%\?*}") \
    || die "the approvals service refused the suggestion; see .data/logs/approvals.log"
  tok=$(grep -o -m1 'name="token" value="[^"]*"' <<<"$page" | cut -d'"' -f4 | sed -n 1p)
  [ -n "$tok" ] || die "the page after accepting shows no new version; see .data/logs/approvals.log"
  info "  accepted subject:2"
  page=$(curl -fsS -X POST --data-urlencode "token=$tok" --data-urlencode "accept=social.x" "${link%%\?*}") \
    || die "the approvals service refused the second suggestion; see .data/logs/approvals.log"
  [[ $page == *"Accepted social.x"* ]] || die "the page after accepting social.x does not say so; see .data/logs/approvals.log"
  info "  accepted social.x"
  "$BIN/starter" preview --edition "$edition" --summary | sed 's/^/    /'
  for _ in $(seq 1 60); do # until the newest proof reaches Mailpit
    curl -fsS "$MAILPIT/api/v1/search?query=to%3Aana%40example.com%20subject%3AProof&limit=1" \
      | grep -c '"messages_count":[3-9]' >/dev/null && break
    sleep 0.5
  done
}

# ana_link prints the approve link of Ana's newest proof in Mailpit.
ana_link() {
  local id="" link=""
  for _ in $(seq 1 60); do
    id=$(curl -fsS "$MAILPIT/api/v1/search?query=to%3Aana%40example.com%20subject%3AProof&limit=1" \
      | grep -o '"ID":"[^"]*"' | sed -n 1p | cut -d'"' -f4)
    [ -n "$id" ] && break
    sleep 0.5
  done
  [ -n "$id" ] || die "no proof for ana@example.com in Mailpit ($MAILPIT)"
  link=$(curl -fsS "$MAILPIT/api/v1/message/$id" | grep -o 'http://[^" \\]*/decide?token=[A-Za-z0-9._-]*' | sed -n 1p)
  [ -n "$link" ] || die "the proof to ana@example.com has no approve link; see $MAILPIT"
  echo "$link"
}

# approve_by_link finds Ana's proof in Mailpit, prints her approve
# link and posts its confirmation form, as her click on the button does.
approve_by_link() {
  local id="" link="" tok
  for _ in $(seq 1 60); do
    id=$(curl -fsS "$MAILPIT/api/v1/search?query=to%3Aana%40example.com%20subject%3AProof&limit=1" \
      | grep -o '"ID":"[^"]*"' | sed -n 1p | cut -d'"' -f4)
    [ -n "$id" ] && break
    sleep 0.5
  done
  [ -n "$id" ] || die "no proof for ana@example.com in Mailpit ($MAILPIT)"
  link=$(curl -fsS "$MAILPIT/api/v1/message/$id" | grep -o 'http://[^" \\]*/decide?token=[A-Za-z0-9._-]*' | sed -n 1p)
  [ -n "$link" ] || die "the proof to ana@example.com has no approve link; see $MAILPIT"
  step "Ana's proof is in Mailpit: $MAILPIT/view/$id"
  info "Her approve link (open it: the page shows the edition; nothing happens until the button is pressed):"
  info "  $link"
  if [ "${DEMO_APPROVE:-auto}" = manual ]; then
    info "Waiting for you to open the link and press the button ..."
    return
  fi
  step "Approving as Ana: posting the link's confirmation form"
  tok=${link##*token=}
  curl -fsS -X POST --data-urlencode "token=$tok" --data-urlencode "comment=approved in the demo" \
    "${link%%\?*}" | grep -o 'Thank you: [^<]*' | sed 's/^/    /' || die "the approvals service refused the approval; see .data/logs/approvals.log"
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
