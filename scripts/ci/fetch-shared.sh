#!/usr/bin/env bash
# Puts shared/ (development models and evaluation data, never shipped) beside the checkout on a
# machine that lacks it, such as a GitHub-hosted runner: a .tar.gz of the shared/ folder from
# $SHARED_ARCHIVE_URL (the repository variable of the same name in the release workflow).
# Does nothing when ../shared is already there.
set -euo pipefail
cd "$(dirname "$0")/../.."
dest="$(cd .. && pwd)/shared"
if [ -d "$dest/models" ]; then
  echo "fetch-shared: $dest is present"
  exit 0
fi
if [ -z "${SHARED_ARCHIVE_URL:-}" ]; then
  echo "fetch-shared: ../shared is missing and SHARED_ARCHIVE_URL is not set: set it to a .tar.gz of shared/ (models/, data/) for the tests" >&2
  exit 1
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
curl --fail --silent --show-error --location --retry 3 --max-time 900 -o "$tmp/shared.tar.gz" "$SHARED_ARCHIVE_URL"
mkdir -p "$dest"
# The archive holds shared/… (or its contents directly).
tar xzf "$tmp/shared.tar.gz" -C "$tmp"
if [ -d "$tmp/shared/models" ]; then cp -R "$tmp/shared/." "$dest/"; else rm "$tmp/shared.tar.gz" && cp -R "$tmp/." "$dest/"; fi
[ -d "$dest/models" ] || { echo "fetch-shared: the archive from SHARED_ARCHIVE_URL has no models/ folder" >&2; exit 1; }
echo "fetch-shared: $dest ready"
