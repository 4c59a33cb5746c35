#!/usr/bin/env bash
# Sets up and runs IntegrationHub on the Azure Functions host at http://localhost:7071 (dashboard at /, API
# under /api) with local emulators: Azurite (the host's storage: timers) and the Cosmos DB emulator (the
# hub's data, kept in .hub/cosmos-data across restarts). Configuration: local.settings.json, created from
# local.settings.sample.json on first run; environment variables override it. Ctrl+C stops everything
# this script started. The host is Core Tools' `func` when it is on PATH, else the kit in
# ../shared/functions-host (the same command line).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
state="$root/.hub"
mkdir -p "$state"
port="${HUB_PORT:-7071}"

command -v dotnet >/dev/null || { echo "The .NET 10 SDK is required (dotnet not found)." >&2; exit 1; }
command -v node >/dev/null || { echo "Node.js 20+ is required for Azurite and the Cosmos DB emulator (node not found)." >&2; exit 1; }

if command -v func >/dev/null && func --version >/dev/null 2>&1; then
  func=(func)
elif [ -x "$root/../shared/functions-host/func" ]; then
  func=("$root/../shared/functions-host/func")
else
  echo "No Functions host: install Azure Functions Core Tools (func), or put the kit at ../shared/functions-host." >&2
  exit 1
fi

[ -f local.settings.json ] || { cp local.settings.sample.json local.settings.json; echo "Created local.settings.json from local.settings.sample.json."; }
# Durations were renamed (issue 14): a copy made from an older sample would stop the hub at start-up, one
# refusal per setting; say it once here, with the way out.
retired=$(grep -oE '"[A-Za-z]+__[A-Za-z]+(Milliseconds|Seconds|Minutes)"' local.settings.json | tr -d '"' | tr '\n' ' ' || true)
if [ -n "$retired" ]; then
  echo "local.settings.json still names durations with their unit: $retired" >&2
  echo "Durations are hh:mm:ss settings without the unit now (Runs__StallAfterSeconds=600 is Runs__StallAfter=00:10:00; README, Configuration > Durations)." >&2
  echo "Rename them, or delete local.settings.json to start again from local.settings.sample.json." >&2
  exit 1
fi

echo "== Installing the local emulators (npm ci, once)"
[ -d tools/azurite/node_modules/azurite ] || npm ci --prefix tools/azurite --no-audit --no-fund --loglevel=error >/dev/null
[ -d tools/cosmos/node_modules/@vercel/cosmosdb-server ] || npm ci --prefix tools/cosmos --no-audit --no-fund --loglevel=error >/dev/null

if [ -f web/package.json ]; then
  echo "== Building the dashboard (web/)"
  [ -d web/node_modules ] || npm ci --prefix web --no-audit --no-fund --loglevel=error >/dev/null
  npm run --prefix web --silent build >/dev/null
fi

echo "== Building the Function App"
dotnet build src/Hub.Functions -c Release --nologo -v quiet -clp:ErrorsOnly
app="$root/src/Hub.Functions/bin/Release/net10.0"
cp local.settings.json "$app/local.settings.json"

pids=()
stop() {
  trap - INT TERM EXIT
  echo; echo "Stopping..."
  # The host first (it stops its worker and releases its storage leases), then the emulators.
  for ((i=${#pids[@]}-1; i>=0; i--)); do
    pid=${pids[i]}
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  done
}
trap stop INT TERM EXIT

echo "== Starting Azurite (blob 10000, queue 10001, table 10002; data in $state/azurite)"
setsid tools/azurite/node_modules/.bin/azurite --location "$state/azurite" --blobHost 127.0.0.1 --queueHost 127.0.0.1 --tableHost 127.0.0.1 \
  --skipApiVersionCheck --disableTelemetry --loose >"$state/azurite.log" 2>&1 &
pids+=($!)

echo "== Starting the Cosmos DB emulator"
scripts/cosmos-start.sh   # data in COSMOS_EMULATOR_DATA_DIR, default .hub/cosmos-data
cosmos_pid="$(cat "$state/cosmos.pid")"
pids+=("$cosmos_pid")

echo "== Starting the Functions host on http://localhost:$port"
export FUNCTIONS_SECRETS_DIR="${FUNCTIONS_SECRETS_DIR:-$state/func-secrets}"
setsid "${func[@]}" start --script-root "$app" --port "$port" >"$state/func.log" 2>&1 &
host=$!
pids+=("$host")
for _ in $(seq 1 240); do
  kill -0 "$host" 2>/dev/null || { echo "The Functions host stopped; see $state/func.log:" >&2; tail -30 "$state/func.log" >&2; exit 1; }
  curl -fsS "http://127.0.0.1:$port/api/health" >/dev/null 2>&1 && break
  sleep 0.5
done

cat <<TXT

IntegrationHub is running.
  Dashboard:   http://localhost:$port/
  API:         http://localhost:$port/api/v1   (OpenAPI: /api/openapi.json, health: /api/health, metrics: /api/metrics)
  Admin key:   Auth__AdminKey in local.settings.json
  Logs:        $state/func.log (host and worker), $state/azurite.log, $state/cosmos.log
Ctrl+C stops the host, Azurite and the Cosmos DB emulator.
TXT
wait "$host"
