// Which files are notes, asked path by path (the watchers) or folder by folder (the walk): both
// must give the same answer on real trees, and a burst of paths in folders that hold no notes
// must cost no file access.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { walkNotes } from '../../../src/engine/notes/noteReader';
import type { WalkOptions } from '../../../src/engine/notes/walker';
import { NOTE_GLOB, NoteFilter, keyOfName } from '../../../src/engine/notes/noteFiles';
import { tmpDir } from '../../helpers/env';

function tree(files: Record<string, string>): string {
  const root = tmpDir('sn-notefiles-');
  for (const [p, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, p)), { recursive: true });
    fs.writeFileSync(path.join(root, p), content);
  }
  return root;
}

function allFiles(root: string, rel = ''): string[] {
  return fs.readdirSync(path.join(root, rel), { withFileTypes: true }).flatMap((e) => {
    const r = rel ? `${rel}/${e.name}` : e.name;
    return e.isDirectory() ? allFiles(root, r) : [r];
  });
}

const TREE = {
  'a.md': 'a', 'b.txt': 'b', 'c.js': 'x',
  '.gitignore': 'build/\n*.tmp.md\nlogs\n',
  'build/f.md': 'f', 'g.tmp.md': 'g', 'logs/today.md': 'l', 'deep/logs/old.md': 'l',
  // Patterns of a nested .gitignore, folder patterns among them, and a negation.
  'sub/.gitignore': '*.md\n!keep.md\nprivate/\n', 'sub/drop.md': 'x', 'sub/keep.md': 'k', 'sub/private/keep.md': 'p',
  'sub/inner/keep.md': 'k', 'sub/inner/other.md': 'o',
  // Excluded folders (by the exclude setting, as a folder name and as a glob).
  'archive/old.md': 'o', 'notes/archive/older.md': 'o', 'notes/drafts/d.md': 'd', 'notes/n.md': 'n',
  'node_modules/pkg/readme.md': 'x', 'notes/node_modules/p/readme.md': 'x', '.git/info.md': 'x',
};
const RULES: WalkOptions = { exclude: ['**/archive', 'notes/drafts/**'] };

test('the path filter accepts exactly the files the walk finds', async () => {
  const root = tree(TREE);
  const walked = new Set((await walkNotes(root, RULES)).files.map((f) => f.path));
  assert.deepEqual([...walked].sort(), ['a.md', 'b.txt', 'notes/n.md', 'sub/inner/keep.md', 'sub/keep.md']);
  const filter = new NoteFilter(root, RULES);
  const disagree = allFiles(root).filter((p) => filter.accepts(p) !== walked.has(p));
  assert.deepEqual(disagree, [], 'files the watcher would index and the next sync drop (or the reverse)');
  // Without .gitignore the same holds.
  const noGit = { ...RULES, respectGitignore: false };
  const walkedNoGit = new Set((await walkNotes(root, noGit)).files.map((f) => f.path));
  assert.ok(walkedNoGit.has('build/f.md') && walkedNoGit.has('sub/drop.md'));
  const filterNoGit = new NoteFilter(root, noGit);
  assert.deepEqual(allFiles(root).filter((p) => filterNoGit.accepts(p) !== walkedNoGit.has(p)), []);
  // Paths out of the folder are never notes.
  assert.equal(filter.accepts('../a.md'), false);
  assert.equal(filter.accepts(path.join(root, 'a.md')), false);
});

test('walksDir: folders the walk skips, so watcher events under them are dropped', () => {
  const root = tree(TREE);
  const filter = new NoteFilter(root, RULES);
  for (const dir of ['', 'notes', 'sub', 'sub/inner', 'deep', 'new-folder']) assert.equal(filter.walksDir(dir), true, dir);
  for (const dir of ['node_modules', 'node_modules/pkg/lib', '.git/objects', 'build', 'build/x', 'logs', 'deep/logs', 'sub/private', 'archive', 'notes/archive/a', 'notes/drafts', 'notes/node_modules/p']) {
    assert.equal(filter.walksDir(dir), false, dir);
  }
});

test('a burst of thousands of paths in folders without notes reads no file', () => {
  const root = tree(TREE);
  const filter = new NoteFilter(root, RULES, { gitignoreCacheMs: 2000 });
  const paths: string[] = [];
  for (let i = 0; i < 3000; i++) paths.push(`node_modules/pkg${i % 300}/lib/f${i}.js`, `node_modules/pkg${i % 300}/README.md`);
  const reads = countFsCalls(() => {
    for (const p of paths) {
      assert.equal(filter.walksDir(path.posix.dirname(p)), false);
      assert.equal(filter.accepts(p), false);
    }
  });
  assert.equal(reads, 0, 'node_modules is decided by name alone');
  // In a gitignored build folder: the root .gitignore is read once while the cache holds.
  const built = countFsCalls(() => {
    for (let i = 0; i < 3000; i++) assert.equal(filter.walksDir(`build/out/chunk${i}`), false);
  });
  assert.ok(built <= 1, `${built} reads`);
});

test('note extensions are defined once: the watcher glob covers each', () => {
  assert.equal(NOTE_GLOB, '**/*.{md,markdown,mdx,txt}');
});

test('keyOfName: NFC unless the NFC form is taken by another name in the folder', () => {
  const nfc = '한글.md';
  const nfd = nfc.normalize('NFD');
  assert.equal(keyOfName(nfd, [nfd, 'x.md']), nfc);
  assert.equal(keyOfName(nfd, [nfd, nfc]), nfd);
  assert.equal(keyOfName(nfc, [nfd, nfc]), nfc);
});

function countFsCalls(fn: () => void): number {
  // Counts calls into Node's fs (not our code) made by the filter while fn runs.
  const names = ['readFileSync', 'statSync', 'lstatSync', 'existsSync', 'readdirSync'] as const;
  // The module object itself: our code reads its properties at each call.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const nodeFs = require('node:fs') as Record<string, unknown>;
  const saved = names.map((n) => nodeFs[n]);
  let calls = 0;
  names.forEach((n, i) => {
    nodeFs[n] = (...args: unknown[]) => {
      calls++;
      return (saved[i] as (...a: unknown[]) => unknown)(...args);
    };
  });
  try {
    fn();
  } finally {
    names.forEach((n, i) => (nodeFs[n] = saved[i]));
  }
  return calls;
}
