// kill -9 at many points of a real indexing run (mid-embedding, mid-log-append, mid-snapshot):
// after each, reopening and syncing must give exactly the index a clean run gives — no lost,
// duplicated or stale passages.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NotesIndex } from '../../../src/engine/index/notesIndex';
import { dataDir, modelsDir, tmpDir } from '../../helpers/env';
import { encoder } from '../../helpers/models';

const child = path.join(__dirname, '..', '..', 'fixtures', 'indexChild.js');
const KILL_POINTS = Number(process.env.SEMANTIC_NOTES_KILL_POINTS ?? 8);

function corpus(): string {
  const dir = tmpDir('sn-crash-');
  execFileSync('tar', ['xzf', path.join(dataDir(), 'notes-corpus.tar.gz'), '-C', dir, 'notes-corpus/rust-book-en', 'notes-corpus/react-docs-ko', 'notes-corpus/tech-interview-ko']);
  return path.join(dir, 'notes-corpus');
}

/**
 * Runs the child and SIGKILLs it: after `ms` milliseconds, or once it has reported `lines`
 * progress lines (every 20 files), which lands mid-indexing however loaded the machine is.
 */
function runAndKill(root: string, store: string, at: { ms?: number; lines?: number }): Promise<'killed' | 'finished'> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [child, root, store], { env: { ...process.env, SEMANTIC_NOTES_MODELS: modelsDir() }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let seen = 0;
    p.stdout.on('data', (d) => {
      out += d;
      seen = (out.match(/^progress /gm) ?? []).length;
      if (at.lines !== undefined && seen >= at.lines) p.kill('SIGKILL');
    });
    p.stderr.on('data', (d) => (err += d));
    const timer = at.ms !== undefined ? setTimeout(() => p.kill('SIGKILL'), at.ms) : null;
    p.on('exit', (code, signal) => {
      if (timer) clearTimeout(timer);
      if (signal === 'SIGKILL') resolve('killed');
      else if (code === 0 && out.includes('done')) resolve('finished');
      else reject(new Error(`child exited ${code}: ${err}`));
    });
  });
}

function fingerprint(idx: NotesIndex): string[] {
  return [...idx.passages.chunks.values()]
    .map((c) => `${c.path}:${c.startLine}-${c.endLine}:${c.heading}:${c.text.length}:${idx.passages.vectors?.has(c.id) ? 'v' : '-'}`)
    .sort();
}

test(`the index survives SIGKILL at ${KILL_POINTS} points and equals a clean rebuild`, { timeout: 600_000 }, async () => {
  const root = corpus();
  const enc = await encoder();
  // Reference: one clean run in this process.
  const clean = NotesIndex.open({ root, storeDir: tmpDir('sn-clean-'), encoder: enc });
  await clean.sync();
  const expected = fingerprint(clean);
  await clean.close();
  assert.ok(expected.length > 500, `corpus has ${expected.length} passages`);

  const store = tmpDir('sn-killed-');
  let killed = 0;
  // Kill points: a few during start-up (model loading, walking, the first log appends), the rest
  // after the child has indexed 20–60 more files; every run resumes from what the last one left.
  for (let i = 0; i < KILL_POINTS; i++) {
    const at = i % 4 === 0 ? { ms: 150 + 100 * i } : { lines: 1 + (i % 3) };
    if ((await runAndKill(root, store, at)) === 'killed') killed++;
  }
  assert.equal(killed, KILL_POINTS, `only ${killed} of ${KILL_POINTS} runs were killed before finishing`);
  const warnings: string[] = [];
  const after = NotesIndex.open({ root, storeDir: store, encoder: enc, log: (_l, m) => warnings.push(m) });
  const r = await after.sync();
  assert.ok(r.embedded < expected.length, 'work done before the kills was kept');
  assert.deepEqual(fingerprint(after), expected);
  // No duplicate passages and every passage has exactly one vector.
  assert.equal(after.passages.vectors!.size, after.passages.size);
  assert.equal(after.passages.bm25.size, after.passages.size);
  await after.close();
  // And a further open of the compacted store is clean.
  const last = NotesIndex.open({ root, storeDir: store, encoder: enc });
  assert.equal((await last.sync()).embedded, 0);
  assert.deepEqual(fingerprint(last), expected);
  await last.close();
  fs.rmSync(path.dirname(root), { recursive: true, force: true });
});
