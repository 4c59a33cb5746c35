#!/usr/bin/env bash
# Installs the pinned n8n (tools/n8n/package.json + package-lock.json) into a cache OUTSIDE the repo, once per
# machine: ${N8N_CACHE_DIR:-$HOME/.cache/integrationhub/n8n}. A cached install is reused as long as its
# package.json and lock match the repo's, so repeated runs take a second. A fresh install takes 5-15 minutes
# (sqlite3 and isolated-vm compile from source). Prints the install directory on the last line of stdout.
# Concurrent callers wait for each other (flock), so the test command and a developer can both call it.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
src="$root/tools/n8n"
cache="${N8N_CACHE_DIR:-$HOME/.cache/integrationhub/n8n}"
mkdir -p "$cache"

exec 9>"$cache/.install.lock"
flock 9

same() { [ -f "$2" ] && cmp -s "$1" "$2"; }
installed() {
  [ -x "$cache/node_modules/.bin/n8n" ] && [ -f "$cache/.installed" ] &&
    same "$src/package.json" "$cache/package.json" &&
    { [ ! -f "$src/package-lock.json" ] || same "$src/package-lock.json" "$cache/.installed-lock.json"; }
}

if installed; then
  echo "n8n already installed in $cache" >&2
  echo "$cache"
  exit 0
fi

echo "Installing n8n into $cache (5-15 minutes on a fresh machine)..." >&2
start=$(date +%s)
rm -f "$cache/.installed" "$cache/.installed-lock.json"
cp "$src/package.json" "$cache/package.json"
if [ -f "$src/package-lock.json" ]; then
  # npm install, not npm ci: the lock was resolved on Linux x64 and npm leaves other platforms' optional packages
  # (msgpackr-extract-darwin-*, ...) out of it, which npm ci rejects as "not in sync". npm install still installs
  # exactly the locked versions.
  cp "$src/package-lock.json" "$cache/package-lock.json"
else
  # No lock committed: resolve one; commit the generated $cache/package-lock.json as tools/n8n/package-lock.json.
  rm -f "$cache/package-lock.json"
fi
(cd "$cache" && npm install --foreground-scripts --no-audit --no-fund --loglevel=error) >&2
"$cache/node_modules/.bin/n8n" --version >&2
[ -f "$src/package-lock.json" ] && cp "$src/package-lock.json" "$cache/.installed-lock.json"
touch "$cache/.installed"
echo "n8n installed in $cache in $(( $(date +%s) - start )) s" >&2
echo "$cache"
