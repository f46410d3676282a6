#!/usr/bin/env bash
# Installs what the extension-host tests need on a Debian machine with no internet beyond the
# npm registry and apt: Chromium, ripgrep, and code-server 4.100.3 (VS Code 1.100.3) in .tools/.
# Idempotent: a second run only checks.
set -euo pipefail
cd "$(dirname "$0")/.."
CODE_SERVER_VERSION=4.100.3
PREFIX=.tools/code-server

need=()
for pkg in chromium ripgrep libkrb5-dev; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "setup-host: apt-get install ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

if [ -x "$PREFIX/node_modules/.bin/code-server" ] && "$PREFIX/node_modules/.bin/code-server" --version 2>/dev/null | grep -q "^$CODE_SERVER_VERSION"; then
  echo "setup-host: code-server $CODE_SERVER_VERSION present"
  exit 0
fi

# @vscode/ripgrep downloads rg from GitHub at install; pre-fill its cache with Debian's rg.
tmp="${TMPDIR:-/tmp}"
cache="$tmp/vscode-ripgrep-cache-1.15.11"
mkdir -p "$cache"
if [ ! -f "$cache/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" ]; then
  work=$(mktemp -d)
  cp "$(command -v rg)" "$work/rg"
  tar czf "$cache/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" -C "$work" rg
  rm -rf "$work"
fi

echo "setup-host: npm install code-server@$CODE_SERVER_VERSION into $PREFIX"
mkdir -p "$PREFIX"
# npm 11 runs dependency install scripts only when allowed; code-server's postinstall fetches its
# own dependencies (from the npm registry) and needs them.
cat > "$PREFIX/package.json" <<JSON
{ "name": "code-server-host", "private": true,
  "allowScripts": { "code-server": true, "@vscode/ripgrep": true, "argon2": true, "@parcel/watcher": true, "node-pty": true, "kerberos": true, "@vscode/spdlog": true, "native-watchdog": true, "@vscode/windows-registry": true, "@vscode/deviceid": true, "@vscode/sqlite3": true, "@vscode/policy-watcher": true } }
JSON
(
  cd "$PREFIX"
  npm_config_unsafe_perm=true npm_config_yes=true npm install --no-audit --no-fund "code-server@$CODE_SERVER_VERSION" >npm-install.log 2>&1 || {
    echo "setup-host: npm install failed; last lines of $PREFIX/npm-install.log:" >&2
    tail -30 npm-install.log >&2
    exit 1
  }
)
"$PREFIX/node_modules/.bin/code-server" --version | head -1
