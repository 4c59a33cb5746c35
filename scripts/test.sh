#!/usr/bin/env bash
# Runs every test of the hub. Installs what the tests need first: Azurite's and the Cosmos DB emulator's npm
# packages, the Functions host (built once per machine from the functions-host kit in ../shared, cached), and
# n8n 1.123.81 (cached outside the repo, so only the first run on a machine takes minutes); then starts one n8n
# on loopback for the tests. The tests start their own Azurite, Cosmos emulator and Functions hosts on free
# loopback ports. Every process a test starts carries HUB_TEST_RUN=<this run's id>; after the tests, any such
# process still alive is killed and counted as a failure. Prints the suite's time; ends with "N passed, N failed".
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
started=$SECONDS

# The functions-host kit: $FUNCTIONS_HOST_KIT, else shared/functions-host beside the repository (CI clones with
# ../shared beside it) or beside an ancestor folder (a git worktree may sit deeper). The tests find it the same way.
kit="${FUNCTIONS_HOST_KIT:-}"
if [ -z "$kit" ]; then
  dir="$(dirname "$root")"
  while [ "$dir" != "/" ] && [ ! -x "$dir/shared/functions-host/func" ]; do dir="$(dirname "$dir")"; done
  [ -x "$dir/shared/functions-host/func" ] && kit="$dir/shared/functions-host"
fi
[ -n "$kit" ] && [ -x "$kit/func" ] || { echo "The functions-host kit was not found at ../shared/functions-host; set FUNCTIONS_HOST_KIT." >&2; echo "0 passed, 1 failed"; exit 1; }
export FUNCTIONS_HOST_KIT="$(cd "$kit" && pwd)"

echo "== Installing test prerequisites (Azurite, the Cosmos DB emulator)"
npm ci --prefix tools/azurite --no-audit --no-fund --loglevel=error >/dev/null || { echo "npm ci in tools/azurite failed" >&2; echo "0 passed, 1 failed"; exit 1; }
npm ci --prefix tools/cosmos --no-audit --no-fund --loglevel=error >/dev/null || { echo "npm ci in tools/cosmos failed" >&2; echo "0 passed, 1 failed"; exit 1; }

echo "== Building the Functions host from $FUNCTIONS_HOST_KIT (once per machine; about a minute the first time)"
"$FUNCTIONS_HOST_KIT/build.sh" >/dev/null || { echo "the functions-host build failed" >&2; echo "0 passed, 1 failed"; exit 1; }

echo "== Installing n8n (once per machine, cached in ${N8N_CACHE_DIR:-$HOME/.cache/integrationhub/n8n})"
scripts/n8n-install.sh >/dev/null || { echo "n8n install failed" >&2; echo "0 passed, 1 failed"; exit 1; }
echo "== Starting n8n for the tests"
n8n_state="$(mktemp -d)/n8n"
trap 'scripts/n8n-stop.sh --state-dir "$n8n_state" >/dev/null 2>&1; rm -rf "$(dirname "$n8n_state")"' EXIT
n8n_env="$(scripts/n8n-start.sh --state-dir "$n8n_state")" || { echo "n8n did not start; see $n8n_state/n8n.log" >&2; echo "0 passed, 1 failed"; exit 1; }
eval "$n8n_env"   # exports N8N_TEST_BASE_URL / N8N_TEST_API_KEY; the n8n tests reuse this n8n

echo "== Building (warnings are errors; src/Hub.Functions/bin/Debug/net10.0 is what the tests' Functions hosts serve)"
dotnet build IntegrationHub.sln -c Debug --nologo -v quiet -clp:ErrorsOnly || { echo "0 passed, 1 failed"; exit 1; }

echo "== Testing"
run_id="hub-test-$(date +%s)-$$"
log="$(mktemp)"
tests_started=$SECONDS
# Only the test command carries the run id (not this script, not n8n); no MSBuild node outlives it.
HUB_TEST_RUN="$run_id" MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_DO_NOT_USE_MSBUILD_SERVER=1 \
  dotnet test IntegrationHub.sln --no-build -c Debug --nologo 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
tests_time=$((SECONDS - tests_started))

# dotnet test prints one summary per test assembly: "Passed!  - Failed: 0, Passed: 17, Skipped: 0, Total: 17, ..."
read -r passed failed skipped < <(grep -E '(Passed|Failed)! +- Failed: ' "$log" | sed -E 's/.*Failed: +([0-9]+), Passed: +([0-9]+), Skipped: +([0-9]+).*/\2 \1 \3/' |
  awk '{p+=$1; f+=$2; s+=$3} END {print p+0, f+0, s+0}')
rm -f "$log"
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1 # the run itself failed (a crashed test host, a build error)
fi

# Nothing a test started may outlive the tests: find this run's processes by their environment.
leftovers() {
  local environ pid
  for environ in /proc/[0-9]*/environ; do
    pid=${environ#/proc/}; pid=${pid%/environ}
    [ "$pid" = "$$" ] && continue
    if { tr '\0' '\n' < "$environ"; } 2>/dev/null | grep -qxF "HUB_TEST_RUN=$run_id"; then echo "$pid"; fi
  done
}
left="$(leftovers)"
# A supervisor's last sleep may still be ending: give stragglers up to 3 s before counting them.
for _ in 1 2 3 4 5 6; do [ -z "$left" ] && break; sleep 0.5; left="$(leftovers)"; done
if [ -n "$left" ]; then
  echo "== Processes left behind by the tests (HUB_TEST_RUN=$run_id), killed:" >&2
  for pid in $left; do
    echo "   $pid $({ tr '\0' ' ' < "/proc/$pid/cmdline"; } 2>/dev/null | cut -c1-160)" >&2
    kill -KILL "$pid" 2>/dev/null
  done
  failed=$((failed + 1))
fi

echo "== Tests took ${tests_time} s; the whole suite (installs and build included) $((SECONDS - started)) s"
echo "${skipped} skipped"
echo "${passed} passed, ${failed} failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
