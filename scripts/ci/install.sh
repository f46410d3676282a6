#!/usr/bin/env bash
# Installs the project's dependencies from the lockfile, offline-safe, as CI and the release
# workflow do. Node: 20.15+ or 22.2+ (package.json engines). npm 11 reads package.json's
# allowScripts (onnxruntime-node's postinstall denied, hnswlib-node's node-gyp build allowed);
# npm 10 runs every install script, so ONNXRUNTIME_NODE_INSTALL=skip stops onnxruntime-node from
# downloading CUDA libraries (its CPU runtime ships inside its npm package).
set -euo pipefail
cd "$(dirname "$0")/../.."
export ONNXRUNTIME_NODE_INSTALL=skip
node -e 'const v = process.versions.node.split(".").map(Number); const ok = (v[0] === 20 && v[1] >= 15) || (v[0] === 22 && v[1] >= 2) || v[0] > 22; if (!ok) { console.error(`install: Semantic Notes needs Node.js 20.15+ or 22.2+; this is Node.js ${process.versions.node}.`); process.exit(1); }'
echo "== node $(node --version), npm $(npm --version), $(node -p 'process.platform + "-" + process.arch')"
npm ci --no-audit --no-fund
