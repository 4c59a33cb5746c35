#!/usr/bin/env bash
# Runs every test of the hub. Installs what the tests need first: the Cosmos DB emulator's npm packages and
# n8n 1.123.81 (cached outside the repo, so only the first run on a machine takes minutes), then starts one
# n8n on loopback for the tests; the tests start their own Cosmos emulator processes on free loopback ports. Ends with "N passed, N failed".
# Afterwards it fails the run if any process the tests started (marked HUB_TEST_RUN=<id>) is still alive.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

echo "== Installing test prerequisites"
npm ci --prefix tools/cosmos --no-audit --no-fund --loglevel=error >/dev/null || { echo "npm ci in tools/cosmos failed" >&2; exit 1; }

echo "== Installing n8n (once per machine, cached in ${N8N_CACHE_DIR:-$HOME/.cache/integrationhub/n8n})"
scripts/n8n-install.sh >/dev/null || { echo "n8n install failed" >&2; echo "0 passed, 1 failed"; exit 1; }
echo "== Starting n8n for the tests"
n8n_state="$(mktemp -d)/n8n"
trap 'scripts/n8n-stop.sh --state-dir "$n8n_state" >/dev/null 2>&1; rm -rf "$(dirname "$n8n_state")"' EXIT
n8n_env="$(scripts/n8n-start.sh --state-dir "$n8n_state")" || { echo "n8n did not start; see $n8n_state/n8n.log" >&2; echo "0 passed, 1 failed"; exit 1; }
eval "$n8n_env"   # exports N8N_TEST_BASE_URL / N8N_TEST_API_KEY; the n8n tests reuse this n8n

echo "== Building (warnings are errors)"
dotnet build IntegrationHub.sln -c Debug --nologo -v quiet -clp:ErrorsOnly || { echo "0 passed, 1 failed"; exit 1; }

echo "== Testing"
log="$(mktemp)"
# Every process the tests start inherits HUB_TEST_RUN (set for dotnet test only, not for this script), so
# whatever is left afterwards can be found by it. No MSBuild node reuse: those nodes would carry it too.
run_id="$(date +%s)-$$-${RANDOM}"
HUB_TEST_RUN="$run_id" MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_USE_MSBUILD_SERVER=0 \
  dotnet test IntegrationHub.sln --no-build -c Debug --nologo 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# Processes carrying this run's marker: pid and command line, one per line.
leftovers() {
  local environ pid
  for environ in /proc/[0-9]*/environ; do
    pid="${environ#/proc/}"; pid="${pid%/environ}"
    [ "$pid" = "$$" ] && continue
    if { tr '\0' '\n' <"$environ"; } 2>/dev/null | grep -qx "HUB_TEST_RUN=$run_id"; then
      echo "$pid $({ tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null | cut -c1-200)"
    fi
  done
}

# The emulators' watchdogs poll once a second: give them a moment, then anything still there was left behind.
for _ in 1 2 3 4 5 6; do
  [ -z "$(leftovers)" ] && break
  sleep 0.5
done
left="$(leftovers)"
if [ -n "$left" ]; then
  echo "== Processes the tests left behind (killed now):" >&2
  echo "$left" >&2
  echo "$left" | while read -r pid _; do kill -KILL "$pid" 2>/dev/null; done
  status=1
  leftover_failure=1
fi

# dotnet test prints one summary per test assembly: "Passed!  - Failed: 0, Passed: 17, Skipped: 0, Total: 17, ..."
read -r passed failed skipped < <(grep -E '(Passed|Failed)! +- Failed: ' "$log" | sed -E 's/.*Failed: +([0-9]+), Passed: +([0-9]+), Skipped: +([0-9]+).*/\2 \1 \3/' |
  awk '{p+=$1; f+=$2; s+=$3} END {print p+0, f+0, s+0}')
rm -f "$log"
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1 # the run itself failed (a crashed test host, a build error, processes left behind)
fi
[ "${leftover_failure:-0}" -eq 1 ] && echo "Failing the run: the tests left processes behind (listed above)." >&2
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
