#!/usr/bin/env node
// The main job end to end: index a folder of notes and search it three ways.
//   npm run demo                      → the bundled examples/notes, queries in English and Korean
//   npm run demo -- <folder> "<query>" → your own notes
// Model: the product default (semantic-notes/bilingual-static), which ships in models/ with the
// code: a fresh clone runs offline, with no models folder and no download. A models folder in
// $SEMANTIC_NOTES_MODELS is searched first, as the product does.
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.join(__dirname, '..');
const cli = path.join(root, 'out', 'src', 'cli', 'main.js');
const [folder = path.join(root, 'examples', 'notes'), ...queryWords] = process.argv.slice(2);
const queries = queryWords.length ? [queryWords.join(' ')] : ['how do I undo a commit', 'baking bread at home', '기차 여행', '매운 찌개 만드는 방법'];
const store = path.join(root, '.store', 'demo');

function run(args) {
  console.log(`\n$ semantic-notes ${args.map((a) => (/\s/.test(a) ? JSON.stringify(a) : a)).join(' ')}`);
  const r = spawnSync(process.execPath, [cli, ...args], { stdio: 'inherit', env: process.env });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

run(['index', folder, '--store', store]);
for (const q of queries) {
  for (const mode of ['hybrid', 'semantic', 'keyword']) run(['search', q, '--store', store, '--mode', mode, '-k', '3']);
}
