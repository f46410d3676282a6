#!/usr/bin/env node
// Runs every compiled `*.test.js` under out/test with Node's own test runner.
// Node 20's runner treats every .js file below a `test/` folder as a test file, which would also
// execute shared helpers and the extension-host suites (they need `vscode`), so the list is explicit.
// Usage: node scripts/run-tests.js [substring filter ...]
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..', 'out', 'test');
const filters = process.argv.slice(2);
const files = [];
(function walk(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full);
    else if (entry.name.endsWith('.test.js')) files.push(full);
  }
})(root);
// Filters use '/', on Windows too.
const selected = files.sort().filter((f) => filters.length === 0 || filters.some((s) => f.split(path.sep).join('/').includes(s)));
if (selected.length === 0) {
  console.error(`no test files under ${root}${filters.length ? ` matching ${filters.join(', ')}` : ''}`);
  process.exit(1);
}
const result = spawnSync(process.execPath, ['--test', '--test-concurrency=1', ...selected], { stdio: 'inherit' });
process.exit(result.status ?? 1);
