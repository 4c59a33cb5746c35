#!/usr/bin/env bash
# Starts the cached n8n (scripts/n8n-install.sh) on 127.0.0.1, fresh: its own user folder and SQLite database
# under the state directory, owner account and public-API key bootstrapped without the UI.
#
#   scripts/n8n-start.sh [--port N] [--state-dir DIR] [--install]
#
# Port: --port, else N8N_PORT, else a free one. State: --state-dir, else N8N_STATE_DIR, else <repo>/.hub/n8n
# (wiped on every start: the instance is disposable). Without --install it fails with a clear message when n8n is
# not installed yet (scripts/test.sh installs it first).
# Writes DIR/n8n.env (N8N_TEST_BASE_URL, N8N_TEST_API_KEY: what the tests read) and DIR/n8n.pid, logs to DIR/n8n.log,
# and prints the two variables as export lines on stdout. Stop it with scripts/n8n-stop.sh [--state-dir DIR].
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
port="${N8N_PORT:-}"
state="${N8N_STATE_DIR:-$root/.hub/n8n}"
install=false
while [ $# -gt 0 ]; do
  case "$1" in
    --port) port="$2"; shift 2 ;;
    --state-dir) state="$2"; shift 2 ;;
    --install) install=true; shift ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

cache="${N8N_CACHE_DIR:-$HOME/.cache/integrationhub/n8n}"
if $install; then
  cache="$("$root/scripts/n8n-install.sh" | tail -n 1)"
elif [ ! -f "$cache/.installed" ] || [ ! -x "$cache/node_modules/.bin/n8n" ]; then
  echo "n8n is not installed in $cache: run scripts/n8n-install.sh first (scripts/test.sh does; it takes 5-15 minutes once per machine)." >&2
  exit 3
fi

free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
[ -n "$port" ] || port="$(free_port)"
broker_port="$(free_port)"

if [ -f "$state/n8n.pid" ] && kill -0 "$(cat "$state/n8n.pid")" 2>/dev/null; then
  echo "n8n is already running from $state (pid $(cat "$state/n8n.pid")); stop it with scripts/n8n-stop.sh --state-dir $state" >&2
  exit 1
fi
# The state folder is wiped on every start; refuse to wipe a folder this script did not create.
if [ -d "$state" ] && [ -n "$(ls -A "$state")" ] && [ ! -f "$state/.n8n-state" ]; then
  echo "$state is not empty and was not created by scripts/n8n-start.sh: choose another --state-dir" >&2
  exit 2
fi
rm -rf "$state"
mkdir -p "$state/user"
touch "$state/.n8n-state"
base="http://127.0.0.1:$port"
started=$(date +%s%N)

# Loopback only, no telemetry or outbound calls, SQLite in the state folder; the task-runner broker on a free
# port so several instances (parallel test runs) do not collide on 5679.
setsid env \
  N8N_LISTEN_ADDRESS=127.0.0.1 N8N_HOST=127.0.0.1 N8N_PORT="$port" N8N_PROTOCOL=http \
  N8N_USER_FOLDER="$state/user" DB_TYPE=sqlite \
  N8N_DIAGNOSTICS_ENABLED=false N8N_VERSION_NOTIFICATIONS_ENABLED=false N8N_TEMPLATES_ENABLED=false \
  N8N_PERSONALIZATION_ENABLED=false N8N_SECURE_COOKIE=false N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS=true \
  N8N_RUNNERS_BROKER_LISTEN_ADDRESS=127.0.0.1 N8N_RUNNERS_BROKER_PORT="$broker_port" \
  N8N_EXPRESSION_ENGINE=legacy N8N_LOG_LEVEL=warn WEBHOOK_URL="$base/" \
  nohup "$cache/node_modules/.bin/n8n" start >"$state/n8n.log" 2>&1 &
pid=$!
echo "$pid" >"$state/n8n.pid"
# Until the bootstrap below succeeds, a failure must not leave a half-set-up n8n running.
trap 'echo "n8n start failed; see $state/n8n.log" >&2; kill -- -"$pid" 2>/dev/null || true; rm -f "$state/n8n.pid"' ERR

ready=false
for _ in $(seq 1 600); do
  # /healthz/readiness answers once the database is migrated, before the REST API is mounted, and meanwhile
  # every path answers "n8n is starting up. Please wait": wait for the settings JSON the editor loads first.
  settings="$(curl -fsS "$base/rest/settings" 2>/dev/null || true)"
  case "$settings" in *'"data"'*) ready=true; break ;; esac
  if ! kill -0 "$pid" 2>/dev/null; then break; fi
  sleep 0.2
done
if ! $ready; then
  echo "n8n did not become ready on $base; last lines of $state/n8n.log:" >&2
  tail -n 30 "$state/n8n.log" >&2 || true
  kill -- -"$pid" 2>/dev/null || true
  exit 1
fi
ready_ms=$(( ($(date +%s%N) - started) / 1000000 ))

# Owner + API key, through the editor's REST API. The auth cookie is bound to the browser-id header it was issued
# with, so every call sends the same one.
jar="$state/cookies.txt"
browser="integrationhub-$(date +%s%N)"
password="Hub-$(date +%s%N | sha256sum | cut -c1-16)x9"
json() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const v=process.argv[1].split(".").reduce((o,k)=>o?.[k],JSON.parse(s));if(v===undefined){console.error("missing "+process.argv[1]+" in: "+s.slice(0,300));process.exit(1)}console.log(typeof v==="string"?v:JSON.stringify(v))})' "$1"; }
rest() { curl -fsS -b "$jar" -c "$jar" -H "browser-id: $browser" -H 'content-type: application/json' "$@"; }

rest -X POST "$base/rest/owner/setup" \
  -d "{\"email\":\"owner@integrationhub.test\",\"firstName\":\"Integration\",\"lastName\":\"Hub\",\"password\":\"$password\"}" >/dev/null
scopes="$(rest "$base/rest/api-keys/scopes" | json data)"
api_key="$(rest -X POST "$base/rest/api-keys" -d "{\"label\":\"integrationhub-tests\",\"expiresAt\":null,\"scopes\":$scopes}" | json data.rawApiKey)"
rm -f "$jar"
trap - ERR
total_ms=$(( ($(date +%s%N) - started) / 1000000 ))

umask 077
printf 'N8N_TEST_BASE_URL=%s\nN8N_TEST_API_KEY=%s\n' "$base" "$api_key" >"$state/n8n.env"
echo "n8n ready on $base (pid $pid) in ${ready_ms} ms, owner and API key in ${total_ms} ms; settings in $state/n8n.env" >&2
echo "export N8N_TEST_BASE_URL=$base"
echo "export N8N_TEST_API_KEY=$api_key"
