#!/usr/bin/env bash
# Builds the folder the Azure Functions host expects, and zips it for zip deploy:
#   artifacts/functionapp/host.json
#   artifacts/functionapp/<FunctionName>/function.json   (one folder per function)
#   artifacts/functionapp/handler/Hub.Functions          (self-contained linux-x64 custom handler)
#   artifacts/functionapp.zip
# Run it under the host with:  cd artifacts/functionapp && func start
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$root/artifacts/functionapp}"
rm -rf "$out"
mkdir -p "$out"

dotnet publish "$root/src/Hub.Functions" -c Release -r linux-x64 --self-contained -p:DebugType=none \
  -o "$out/handler" --nologo -v quiet -clp:ErrorsOnly
cp "$root/host.json" "$out/host.json"
for dir in "$root"/src/Hub.Functions/Functions/*/; do
  name="$(basename "$dir")"
  if [ -f "$dir/function.json" ]; then
    mkdir -p "$out/$name"
    cp "$dir/function.json" "$out/$name/function.json"
  fi
done
chmod +x "$out/handler/Hub.Functions"

zipfile="$out.zip"
rm -f "$zipfile"
python3 - "$out" "$zipfile" <<'PY'
import os, sys, zipfile
src, dst = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as z:
    for base, _, files in os.walk(src):
        for f in files:
            path = os.path.join(base, f)
            info = zipfile.ZipInfo.from_file(path, os.path.relpath(path, src))
            info.compress_type = zipfile.ZIP_DEFLATED
            with open(path, "rb") as fh:
                z.writestr(info, fh.read())  # keeps the executable bit of the handler
PY
echo "Function app folder: $out"
echo "Zip for deployment:  $zipfile"
