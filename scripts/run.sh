#!/usr/bin/env bash
# Sets up and runs the hub standalone on http://localhost:7071 with the local Cosmos DB emulator.
# Configuration comes from local.settings.json (created from local.settings.sample.json on first run);
# environment variables (e.g. Cosmos__Endpoint) override it.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

command -v dotnet >/dev/null || { echo "The .NET 10 SDK is required (dotnet not found)." >&2; exit 1; }
command -v node >/dev/null || { echo "Node.js 20+ is required for the local Cosmos DB emulator (node not found)." >&2; exit 1; }

[ -f local.settings.json ] || { cp local.settings.sample.json local.settings.json; echo "Created local.settings.json from local.settings.sample.json."; }
"$root/scripts/cosmos-start.sh"

echo "Building the hub..."
dotnet build src/Hub.Functions -c Release --nologo -v quiet -clp:ErrorsOnly
url="${Hosting__Urls:-http://localhost:7071}"
echo "IntegrationHub starting on $url  (health: $url/api/health, metrics: $url/api/metrics). Ctrl+C stops it."
export Hosting__LocalSettingsPath="$root/local.settings.json"
# A local run is a Development run: the local secret store may generate its key (and says so).
export ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-Development}"
exec dotnet "src/Hub.Functions/bin/Release/net10.0/Hub.Functions.dll"
