#!/usr/bin/env bash
# Stops the local Cosmos DB emulator started by cosmos-start.sh (by its pid file).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
pidfile="$root/.hub/cosmos.pid"
pid="$(cat "$pidfile" 2>/dev/null || true)"
if [ -n "$pid" ] && [ -r "/proc/$pid/stat" ] && [ "$(cut -d' ' -f3 <"/proc/$pid/stat")" != "Z" ] \
  && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "tools/cosmos/server.js"; then
  kill "$pid"
  echo "Cosmos DB emulator stopped."
else
  echo "Cosmos DB emulator was not running."
fi
rm -f "$pidfile"
