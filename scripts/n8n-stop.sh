#!/usr/bin/env bash
# Stops the n8n that scripts/n8n-start.sh started (its process group, by the pid in the state folder).
#   scripts/n8n-stop.sh [--state-dir DIR]     (default: N8N_STATE_DIR, else <repo>/.hub/n8n)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
state="${N8N_STATE_DIR:-$root/.hub/n8n}"
[ "${1:-}" = "--state-dir" ] && state="$2"
pidfile="$state/n8n.pid"
if [ ! -f "$pidfile" ]; then
  echo "no n8n started from $state" >&2
  exit 0
fi
pid="$(cat "$pidfile")"
if kill -0 "$pid" 2>/dev/null; then
  # n8n starts its task runner as a child: end the whole group it leads (setsid in n8n-start.sh).
  kill -TERM -- -"$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL -- -"$pid" 2>/dev/null || true
  echo "n8n (pid $pid) stopped" >&2
fi
rm -f "$pidfile"
