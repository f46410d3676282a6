#!/usr/bin/env bash
# Builds and runs every test that needs no editor host: all of out/test except test/host (those
# drive code-server + Chromium, set up on Linux x64 only by scripts/setup-host.sh). The release
# workflow runs this on each target's machine; .ci/run runs it as part of `npm test`.
# Needs ../shared (development models and data) beside the checkout, as every test run does.
set -euo pipefail
cd "$(dirname "$0")/../.."
npm run build
filters=()
for dir in out/test/*/; do
  name="$(basename "$dir")"
  case "$name" in host | helpers | fixtures) ;; *) filters+=("test/$name/") ;; esac
done
echo "== headless tests: ${filters[*]}"
node scripts/run-tests.js "${filters[@]}"
