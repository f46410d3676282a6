#!/usr/bin/env bash
# Installs what the extension-host tests (test/host/*.test.ts) need on a Debian machine whose only
# network is the npm registry and apt:
#   - apt: chromium (driven by playwright-core), fonts-liberation (a Recommends of chromium, named
#     so that screenshots render the same with --no-install-recommends), fonts-noto-cjk (Hangul in
#     the Korean notes' screenshots would otherwise be empty boxes), ripgrep (VS Code's search
#     binary) and libkrb5-dev (code-server's kerberos module builds against it); skipped when
#     already installed;
#   - code-server 4.100.3 (= VS Code 1.100.3; newer ones need Node 24) with npm into its own prefix
#     .tools/code-server/ (gitignored), not the project's node_modules.
# Idempotent: when everything is present a run only checks (about a second). Fails loudly.
# Usage: bash scripts/setup-host.sh        (as root, or with sudo available for apt)
set -euo pipefail
cd "$(dirname "$0")/.."
CODE_SERVER_VERSION=4.100.3
RIPGREP_CACHE_NAME=vscode-ripgrep-cache-1.15.11
RIPGREP_TARBALL=ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz
PREFIX=.tools/code-server
BIN="$PREFIX/node_modules/.bin/code-server"
RG_IN_CODE_SERVER="$PREFIX/node_modules/code-server/lib/vscode/node_modules/@vscode/ripgrep/bin/rg"

say() { echo "setup-host: $*"; }
die() { echo "setup-host: ERROR: $*" >&2; exit 1; }
trap 'echo "setup-host: ERROR: failed at line $LINENO: $BASH_COMMAND" >&2' ERR

command -v node >/dev/null || die "node is not on PATH (code-server $CODE_SERVER_VERSION needs Node 20)"
command -v npm >/dev/null || die "npm is not on PATH"
node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" = 20 ] || say "warning: code-server $CODE_SERVER_VERSION is built for Node 20; this is Node $(node -v)"
[ "$(uname -m)" = x86_64 ] || die "only x86_64 Linux is set up here (got $(uname -m))"

# 1. Debian packages.
need=()
APT_PACKAGES=(chromium fonts-liberation fonts-noto-cjk ripgrep libkrb5-dev)
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || die "need root (or sudo) to apt-get install ${need[*]}"
    SUDO=sudo
  fi
  say "apt-get install ${need[*]}"
  $SUDO apt-get update -qq || die "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null \
    || die "apt-get install ${need[*]} failed"
else
  say "apt packages present (${APT_PACKAGES[*]})"
fi
[ -x /usr/bin/chromium ] || die "/usr/bin/chromium is missing after installing the chromium package"
command -v rg >/dev/null || die "rg is missing after installing the ripgrep package"

# 2. code-server, unless the right version is already there.
if [ -x "$BIN" ] && [ -x "$RG_IN_CODE_SERVER" ] && "$BIN" --version 2>/dev/null | grep -q "^$CODE_SERVER_VERSION "; then
  say "code-server $CODE_SERVER_VERSION present in $PREFIX"
  exit 0
fi

# @vscode/ripgrep (a code-server dependency) downloads rg from GitHub at install time, which is
# unreachable: pre-fill its download cache with Debian's rg so it finds the archive locally.
cache="${TMPDIR:-/tmp}/$RIPGREP_CACHE_NAME"
mkdir -p "$cache"
if [ ! -s "$cache/$RIPGREP_TARBALL" ]; then
  work=$(mktemp -d)
  cp "$(command -v rg)" "$work/rg"
  tar czf "$cache/$RIPGREP_TARBALL" -C "$work" rg
  rm -rf "$work"
  say "ripgrep cache pre-filled from $(command -v rg)"
fi

say "npm install code-server@$CODE_SERVER_VERSION into $PREFIX (about a minute)"
mkdir -p "$PREFIX"
# npm 11 blocks dependency install scripts unless approved. code-server's postinstall installs
# VS Code's own dependencies (from the npm registry) and native modules build or fetch binaries:
# approve exactly those in the prefix's package.json (`npm install-scripts ls` there lists none left).
cat > "$PREFIX/package.json" <<'JSON'
{
  "name": "semantic-notes-code-server",
  "private": true,
  "description": "code-server for the extension-host tests; installed by scripts/setup-host.sh",
  "allowScripts": {
    "code-server": true, "@vscode/ripgrep": true, "argon2": true, "@parcel/watcher": true,
    "node-pty": true, "kerberos": true, "@vscode/spdlog": true, "native-watchdog": true,
    "@vscode/windows-registry": true, "@vscode/deviceid": true, "@vscode/sqlite3": true,
    "@vscode/policy-watcher": true
  }
}
JSON
(
  cd "$PREFIX"
  # Bounded: a registry that stops answering must fail the run, not hang CI.
  # npm_config_unsafe_perm: npm 11 warns it is unknown, but code-server's postinstall.sh refuses to
  # run as root without it ("Please pass --unsafe-perm").
  npm_config_unsafe_perm=true npm_config_yes=true timeout 600 npm install --no-audit --no-fund --no-update-notifier \
    "code-server@$CODE_SERVER_VERSION" >npm-install.log 2>&1
) || {
  echo "setup-host: ERROR: npm install code-server@$CODE_SERVER_VERSION failed or took over 10 min; last lines of $PREFIX/npm-install.log:" >&2
  tail -40 "$PREFIX/npm-install.log" >&2
  exit 1
}
[ -x "$RG_IN_CODE_SERVER" ] || die "code-server installed without its ripgrep binary ($RG_IN_CODE_SERVER); see $PREFIX/npm-install.log"
# On a machine where code-server never ran, its first output line is "Wrote default config file
# to ~/.config/code-server/config.yaml", not the version: look for the version line itself.
output=$("$BIN" --version 2>&1) || die "code-server does not start: $output"
version=$(printf '%s\n' "$output" | grep -m1 "^$CODE_SERVER_VERSION ") || die "unexpected code-server version: $output"
say "installed code-server $version"
