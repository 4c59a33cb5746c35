#!/usr/bin/env bash
# Stops the local Cosmos DB emulator started by cosmos-start.sh (by its pid file).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
pidfile="$root/.hub/cosmos.pid"
if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
  kill "$(cat "$pidfile")"
  echo "Cosmos DB emulator stopped."
else
  echo "Cosmos DB emulator was not running."
fi
rm -f "$pidfile"
