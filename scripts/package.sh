#!/usr/bin/env bash
# Builds the deployable of the Function App (a .NET isolated worker, dotnet-isolated on .NET 10) and zips
# it for zip deploy. The package is exactly `dotnet publish src/Hub.Functions -c Release` output: host.json,
# functions.metadata, worker.config.json, Hub.Functions.dll and its dependencies, .azurefunctions/ (the
# host's extension loader): no folder layout of our own, no function.json.
#   <out>/            the publish output (plus wwwroot/ when the dashboard was built, see below)
#   <out>.zip         the same files at the zip's root
# Usage: ./scripts/package.sh [out]      (default out: artifacts/functionapp)
# Deploy:      az functionapp deployment source config-zip -g <rg> -n <app> --src artifacts/functionapp.zip
# Run locally: cp local.settings.sample.json artifacts/functionapp/local.settings.json && \
#              ../shared/functions-host/func start --script-root artifacts/functionapp
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$root/artifacts/functionapp}"
mkdir -p "$(dirname "$out")"
out="$(cd "$(dirname "$out")" && pwd)/$(basename "$out")"

# The folder is deleted and rebuilt: refuse anything that is not a dedicated output folder.
case "$out" in
  "/"|"$root"|"$root/src"|"$root/web"|"$HOME") echo "package.sh: refusing to use '$out' as the output folder" >&2; exit 2 ;;
esac
if ! command -v python3 >/dev/null 2>&1 && ! command -v zip >/dev/null 2>&1; then
  echo "package.sh: python3 or zip is needed to build the zip" >&2; exit 2
fi

rm -rf "$out"
mkdir -p "$out"

# 1. The worker, as the Functions tooling publishes it (framework-dependent: the dotnet-isolated 10.0
#    stack of the platform brings the runtime).
dotnet publish "$root/src/Hub.Functions" -c Release -o "$out" --nologo -v quiet -clp:ErrorsOnly

# 2. DASHBOARD (web/dist -> wwwroot/): the dashboard's built files are served from the package's wwwroot/
#    (Http/Dashboard/DashboardFunction). Hub.Functions.csproj already publishes web/dist there; this step
#    makes sure of it (same files, copied again) and is skipped when the dashboard has not been built
#    (npm ci && npm run build in web/ writes web/dist).
if [ -d "$root/web/dist" ]; then
  mkdir -p "$out/wwwroot"
  cp -R "$root/web/dist/." "$out/wwwroot/"
  echo "package.sh: copied web/dist into wwwroot/"
fi

# 3. What the host needs to index the app must be there; what it would misread must not.
for required in host.json functions.metadata worker.config.json Hub.Functions.dll .azurefunctions; do
  [ -e "$out/$required" ] || { echo "package.sh: $required is missing from the publish output" >&2; exit 1; }
done
if [ -f "$out/local.settings.json" ]; then
  echo "package.sh: local.settings.json must never be deployed" >&2; exit 1
fi

# 4. The zip: the folder's content at the zip's root (hidden .azurefunctions/ included, Unix modes kept).
zipfile="$out.zip"
rm -f "$zipfile"
if command -v python3 >/dev/null 2>&1; then
  python3 - "$out" "$zipfile" <<'PY'
import os, sys, zipfile
src, dst = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as z:
    for base, dirs, files in os.walk(src):
        dirs.sort()
        for f in sorted(files):
            path = os.path.join(base, f)
            info = zipfile.ZipInfo.from_file(path, os.path.relpath(path, src))  # keeps the Unix mode
            info.compress_type = zipfile.ZIP_DEFLATED
            with open(path, "rb") as fh:
                z.writestr(info, fh.read())
PY
else
  (cd "$out" && zip -q -r -X "$zipfile" .)
fi
echo "Publish output:      $out"
echo "Zip for deployment:  $zipfile"
