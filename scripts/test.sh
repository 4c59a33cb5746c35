#!/usr/bin/env bash
# Runs every test of the hub. Installs what the tests need first: the Cosmos DB emulator's npm packages and
# n8n 1.123.81 (cached outside the repo, so only the first run on a machine takes minutes), then starts one
# n8n on loopback for the tests; the tests start their own Cosmos emulator processes on free loopback ports. Ends with "N passed, N failed".
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

echo "== Installing test prerequisites"
npm ci --prefix tools/cosmos --no-audit --no-fund --loglevel=error >/dev/null || { echo "npm ci in tools/cosmos failed" >&2; exit 1; }
# Azurite: the Functions host's storage in the packaging test that starts the published app on the real host.
npm ci --prefix tools/azurite --no-audit --no-fund --loglevel=error >/dev/null || { echo "npm ci in tools/azurite failed" >&2; exit 1; }

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
dotnet test IntegrationHub.sln --no-build -c Debug --nologo 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# dotnet test prints one summary per test assembly: "Passed!  - Failed: 0, Passed: 17, Skipped: 0, Total: 17, ..."
read -r passed failed skipped < <(grep -E '(Passed|Failed)! +- Failed: ' "$log" | sed -E 's/.*Failed: +([0-9]+), Passed: +([0-9]+), Skipped: +([0-9]+).*/\2 \1 \3/' |
  awk '{p+=$1; f+=$2; s+=$3} END {print p+0, f+0, s+0}')
rm -f "$log"
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1 # the run itself failed (a crashed test host, a build error)
fi
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
