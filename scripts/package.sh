#!/usr/bin/env bash
# Builds the .vsix users install, for one platform:
#   scripts/package.sh <target> [out.vsix] [--no-build]
# target: linux-x64, linux-arm64, darwin-arm64, win32-x64 or win32-arm64 (scripts/targets.js says
# why there is no darwin-x64 or alpine package). Steps: type-check and bundle (npm run build;
# --no-build when that just ran), `vsce package --target` with .vscodeignore plus the target's ONNX
# Runtime files, a check that every native file in the package is the target's (by its header),
# then the size and what is inside; it fails at 45 MB or more. The only native module, ONNX
# Runtime, ships every platform's binaries in its npm package: any machine builds any target.
set -euo pipefail
cd "$(dirname "$0")/.."

target="${1:-}"
out=""
build=1
shift || true
for arg in "$@"; do
  case "$arg" in
    --no-build) build=0 ;;
    *) out="$arg" ;;
  esac
done
[ -n "$target" ] || { echo "usage: scripts/package.sh <target> [out.vsix] [--no-build]" >&2; exit 2; }
node scripts/targets.js supported "$target" || exit 2

version="$(node -p 'require("./package.json").version')"
out="${out:-semantic-notes-$target-$version.vsix}"
mkdir -p "$(dirname "$out")"
out="$(cd "$(dirname "$out")" && pwd)/$(basename "$out")"

if [ "$build" = 1 ]; then npm run --silent build; fi

# .vscodeignore plus this target's runtime, in a file outside the package folder.
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
node scripts/targets.js ignore "$target" "$tmp/ignore"

# `npx --no` uses the installed vsce and never fetches one; stdin is closed so a prompt fails
# instead of hanging. There is no repository URL in package.json, so README links stay relative.
npx --no -- vsce package --target "$target" --ignoreFile "$tmp/ignore" \
  --allow-missing-repository --skip-license --no-rewrite-relative-links -o "$out" </dev/null

node scripts/targets.js check "$out" "$target"
node scripts/vsix-contents.js "$out"
# The bar for the package (issue #10): under 45 MB with the embedded models.
node -e 'const n = require("node:fs").statSync(process.argv[1]).size; if (n >= 45e6) { console.error(`${process.argv[1]} is ${n} bytes: over the 45 MB limit`); process.exit(1); }' "$out"
