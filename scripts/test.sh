#!/usr/bin/env bash
# Runs every test of the hub. Installs what the tests need first (the Cosmos DB emulator's npm packages);
# the tests start their own emulator processes on free loopback ports. Ends with "N passed, N failed".
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

echo "== Installing test prerequisites"
npm ci --prefix tools/cosmos --no-audit --no-fund --loglevel=error >/dev/null || { echo "npm ci in tools/cosmos failed" >&2; exit 1; }

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
