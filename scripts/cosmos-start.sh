#!/usr/bin/env bash
# Starts the local Cosmos DB emulator (tools/cosmos) on loopback in the background, if it is not running.
# Port: COSMOS_EMULATOR_PORT (default 8081). State: .hub/cosmos.pid, log: .hub/cosmos.log.
# Data: COSMOS_EMULATOR_DATA_DIR (default .hub/cosmos-data): every acknowledged write is journalled there
# and replayed at the next start, so a local user's tenants and integrations survive a restart or a kill -9.
# Delete the folder (with the emulator stopped) to start empty. Tests start their own in-memory emulators.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
port="${COSMOS_EMULATOR_PORT:-8081}"
state="$root/.hub"
data="${COSMOS_EMULATOR_DATA_DIR:-$state/cosmos-data}"
mkdir -p "$state" "$data"

if [ ! -d "$root/tools/cosmos/node_modules/@vercel/cosmosdb-server" ]; then
  echo "Installing the Cosmos DB emulator (npm ci in tools/cosmos)..."
  npm ci --prefix "$root/tools/cosmos" --no-audit --no-fund --loglevel=error >/dev/null
fi

# Running: the pid exists, is not a zombie (a killed emulator nobody reaped yet) and is our server.js.
running() {
  local pid="$1"
  [ -n "$pid" ] && [ -r "/proc/$pid/stat" ] || return 1
  [ "$(cut -d' ' -f3 <"/proc/$pid/stat" 2>/dev/null)" != "Z" ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "tools/cosmos/server.js"
}

if [ -f "$state/cosmos.pid" ] && running "$(cat "$state/cosmos.pid")"; then
  echo "Cosmos DB emulator already running (pid $(cat "$state/cosmos.pid")) on http://127.0.0.1:$port/"
  exit 0
fi

nohup node "$root/tools/cosmos/server.js" --port "$port" --pid-file "$state/cosmos.pid" --data-dir "$data" >"$state/cosmos.log" 2>&1 &
for _ in $(seq 1 300); do
  if curl -fsS "http://127.0.0.1:$port/" >/dev/null 2>&1; then
    echo "Cosmos DB emulator listening on http://127.0.0.1:$port/ (pid $(cat "$state/cosmos.pid"), data in $data)"
    exit 0
  fi
  sleep 0.2
done
echo "The Cosmos DB emulator did not start; see $state/cosmos.log" >&2
exit 1
