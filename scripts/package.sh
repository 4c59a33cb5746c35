#!/usr/bin/env bash
# Builds the folder the Azure Functions host expects, and zips it for zip deploy:
#   <out>/host.json
#   <out>/<FunctionName>/function.json   (one folder per function)
#   <out>/handler/Hub.Functions          (self-contained linux-x64 custom handler, host.json's defaultExecutablePath)
#   <out>.zip                            (the same files at the zip's root, executable bit kept)
# Usage: ./scripts/package.sh [out]      (default out: artifacts/functionapp)
# Deploy:      az functionapp deployment source config-zip -g <rg> -n <app> --src artifacts/functionapp.zip
# Run locally: cp local.settings.sample.json artifacts/functionapp/local.settings.json && cd artifacts/functionapp && func start
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$root/artifacts/functionapp}"
mkdir -p "$(dirname "$out")"
out="$(cd "$(dirname "$out")" && pwd)/$(basename "$out")"

# The folder is deleted and rebuilt: refuse anything that is not a dedicated output folder.
case "$out" in
  "/"|"$root"|"$root/src"|"$HOME") echo "package.sh: refusing to use '$out' as the output folder" >&2; exit 2 ;;
esac
if ! command -v python3 >/dev/null 2>&1 && ! command -v zip >/dev/null 2>&1; then
  echo "package.sh: python3 or zip is needed to build the zip" >&2; exit 2
fi

rm -rf "$out"
mkdir -p "$out"

dotnet publish "$root/src/Hub.Functions" -c Release -r linux-x64 --self-contained true -p:DebugType=none \
  -o "$out/handler" --nologo -v quiet -clp:ErrorsOnly
cp "$root/host.json" "$out/host.json"
for dir in "$root"/src/Hub.Functions/Functions/*/; do
  name="$(basename "$dir")"
  if [ -f "$dir/function.json" ]; then
    mkdir -p "$out/$name"
    cp "$dir/function.json" "$out/$name/function.json"
  fi
done

# host.json's defaultExecutablePath must exist and be executable, or the host cannot start the handler.
executable="$(sed -n 's/.*"defaultExecutablePath"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' "$root/host.json")"
chmod +x "$out/$executable"
[ -x "$out/$executable" ] || { echo "package.sh: $executable is missing from the package" >&2; exit 1; }

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
            info = zipfile.ZipInfo.from_file(path, os.path.relpath(path, src))  # keeps the Unix mode (executable bit)
            info.compress_type = zipfile.ZIP_DEFLATED
            with open(path, "rb") as fh:
                z.writestr(info, fh.read())
PY
else
  (cd "$out" && zip -q -r -X "$zipfile" .)
fi
echo "Function app folder: $out"
echo "Zip for deployment:  $zipfile"
