#!/usr/bin/env node
// The main job end to end: index a folder of notes and search it three ways.
//   npm run demo                      → the bundled examples/notes
//   npm run demo -- <folder> "<query>" → your own notes
// Models: $SEMANTIC_NOTES_MODELS, else ../shared/models beside the checkout when present (the
// offline development setup); with neither, the default model is downloaded from the hub.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const cli = path.join(root, 'out', 'src', 'cli', 'main.js');
const [folder = path.join(root, 'examples', 'notes'), ...queryWords] = process.argv.slice(2);
const queries = queryWords.length ? [queryWords.join(' ')] : ['how do I undo a commit', 'baking bread at home', '기차 여행'];
const store = path.join(root, '.store', 'demo');

const env = { ...process.env };
const shared = path.join(root, '..', 'shared', 'models');
if (!env.SEMANTIC_NOTES_MODELS && fs.existsSync(shared)) env.SEMANTIC_NOTES_MODELS = shared;
const modelArgs =
  env.SEMANTIC_NOTES_MODELS && fs.existsSync(path.join(env.SEMANTIC_NOTES_MODELS, 'semantic-notes', 'static-en'))
    ? ['--model', 'semantic-notes/static-en']
    : ['--allow-download'];

function run(args) {
  console.log(`\n$ semantic-notes ${args.map((a) => (/\s/.test(a) ? JSON.stringify(a) : a)).join(' ')}`);
  const r = spawnSync(process.execPath, [cli, ...args], { stdio: 'inherit', env });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

run(['index', folder, '--store', store, ...modelArgs]);
for (const q of queries) {
  for (const mode of ['hybrid', 'semantic', 'keyword']) run(['search', q, '--store', store, '--mode', mode, '-k', '3']);
}
