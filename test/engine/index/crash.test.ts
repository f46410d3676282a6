// kill -9 at 24+ points of real indexing runs — during a full index and during incremental
// updates (edits, renames, deletes, new notes), at progress points, at timed points, and halfway
// through a write of every store file (failpoints: SEMANTIC_NOTES_FAILPOINT tears the write and
// SIGKILLs the process). After every kill the store opens consistent (each note's passages whole,
// one vector and one keyword entry per passage); after the runs finish, the index equals a clean
// rebuild of the folder as it is on disk: no lost, duplicated or stale passages or vectors.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NotesIndex } from '../../../src/engine/index/notesIndex';
import type { Encoder } from '../../../src/engine/embedding/encoder';
import { dataDir, modelsDir, tmpDir } from '../../helpers/env';
import { encoder } from '../../helpers/models';

const child = path.join(__dirname, '..', '..', 'fixtures', 'indexChild.js');
/** Extra progress-point kills on top of the fixed plan (SEMANTIC_NOTES_KILL_POINTS=N). */
const EXTRA = Number(process.env.SEMANTIC_NOTES_KILL_POINTS ?? 0);
/** Low enough that the quantized scan is built (from the stored vectors at each open). */
const EXACT_THRESHOLD = 200;

interface Kill {
  /** kill once the child printed this many progress lines (one per 20 files)… */
  lines?: number;
  /** …or this many ms after the model loaded… */
  ms?: number;
  /** …or let it tear the n-th write of this store file and die ("meta.json:1"). */
  failpoint?: string;
}

function corpus(): string {
  const dir = tmpDir('sn-crash-');
  execFileSync('tar', ['xzf', path.join(dataDir(), 'notes-corpus.tar.gz'), '-C', dir, 'notes-corpus/rust-book-en', 'notes-corpus/react-docs-ko', 'notes-corpus/tech-interview-ko']);
  return path.join(dir, 'notes-corpus');
}

function runChild(root: string, store: string, kill: Kill | null): Promise<'killed' | 'finished'> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, SEMANTIC_NOTES_MODELS: modelsDir() };
    delete env.SEMANTIC_NOTES_FAILPOINT;
    if (kill?.failpoint) env.SEMANTIC_NOTES_FAILPOINT = kill.failpoint;
    const p = spawn(process.execPath, [child, root, store, '--exact-threshold', String(EXACT_THRESHOLD)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let timer: NodeJS.Timeout | null = null;
    p.stdout.on('data', (d) => {
      out += d;
      if (kill?.lines !== undefined && (out.match(/^progress /gm) ?? []).length >= kill.lines) p.kill('SIGKILL');
      if (kill?.ms !== undefined && !timer && out.includes('loaded\n')) timer = setTimeout(() => p.kill('SIGKILL'), kill.ms);
    });
    p.stderr.on('data', (d) => (err += d));
    p.on('exit', (code, signal) => {
      if (timer) clearTimeout(timer);
      if (signal === 'SIGKILL') {
        // A failpoint run must have died at its failpoint, not anywhere else.
        if (kill?.failpoint && !err.includes(`failpoint ${kill.failpoint}: SIGKILL`)) reject(new Error(`killed, but not by ${kill.failpoint}: ${err}`));
        else resolve('killed');
      } else if (code === 0 && out.includes('done')) resolve('finished');
      else reject(new Error(`child exited ${code}: ${err}`));
    });
  });
}

const sha = (s: string) => crypto.createHash('sha1').update(s).digest('hex').slice(0, 12);

/**
 * Every passage (where, heading, text) with its vector. A note may hold the same sentence twice
 * inside one block (same lines, same text), so equal keys are numbered: compared with a clean
 * rebuild this is a multiset, and an extra copy left by a crash still shows.
 */
function snapshot(idx: NotesIndex): Map<string, Float32Array | null> {
  const out = new Map<string, Float32Array | null>();
  for (const c of idx.passages.chunks.values()) {
    const base = `${c.path}:${c.startLine}-${c.endLine}:${c.heading}:${sha(c.text)}`;
    let n = 0;
    while (out.has(`${base}#${n}`)) n++;
    out.set(`${base}#${n}`, idx.passages.vectors?.get(c.id) ?? null);
  }
  return out;
}

function assertSame(actual: Map<string, Float32Array | null>, expected: Map<string, Float32Array | null>, what: string): void {
  assert.deepEqual([...actual.keys()].sort(), [...expected.keys()].sort(), `${what}: passages`);
  for (const [key, v] of expected) {
    const a = actual.get(key);
    assert.ok(v && a, `${what}: ${key} has a vector`);
    let diff = 0;
    for (let i = 0; i < v.length; i++) diff = Math.max(diff, Math.abs(v[i] - a[i]));
    assert.ok(diff < 1e-5, `${what}: ${key} has a stale vector (max diff ${diff})`);
  }
}

/** What a restart finds: whatever was kept is whole. */
function assertConsistent(root: string, store: string, enc: Encoder, what: string): number {
  const idx = NotesIndex.open({ root, storeDir: store, encoder: enc, readOnly: true });
  const { indexed } = idx.coverage();
  let sum = 0;
  for (const f of indexed) {
    assert.equal(idx.passages.chunksOf(f.path).length, f.chunks, `${what}: ${f.path} has all its passages`);
    sum += f.chunks;
  }
  assert.equal(idx.passages.size, sum, `${what}: no passage without its note`);
  assert.equal(idx.passages.vectors!.size, idx.passages.size, `${what}: one vector per passage`);
  assert.equal(idx.passages.bm25.size, idx.passages.size, `${what}: one keyword entry per passage`);
  return indexed.length;
}

async function cleanRebuild(root: string, enc: Encoder): Promise<Map<string, Float32Array | null>> {
  const idx = NotesIndex.open({ root, storeDir: tmpDir('sn-clean-'), encoder: enc });
  await idx.sync();
  const s = snapshot(idx);
  await idx.close();
  fs.rmSync(path.dirname(idx.storePath), { recursive: true, force: true });
  return s;
}

/** Real edits of every kind an incremental run meets; `seed` picks different notes each time. */
function mutate(root: string, seed: number): void {
  const files = (fs.readdirSync(root, { recursive: true }) as string[]).filter((f) => f.endsWith('.md')).sort();
  const pick = (i: number) => files[(seed * 7919 + i * 104729) % files.length];
  const used = new Set<string>();
  const take = (i: number) => {
    let f = pick(i);
    for (let j = 0; used.has(f); j++) f = pick(i + 1000 + j);
    used.add(f);
    return path.join(root, f);
  };
  for (let i = 0; i < 30; i++) fs.appendFileSync(take(i), `\n\n## Added in round ${seed}\n\nA new paragraph about borrowing, ownership and lifetimes, round ${seed} item ${i}.\n`);
  for (let i = 30; i < 45; i++) {
    const f = take(i);
    fs.writeFileSync(f, fs.readFileSync(f, 'utf8').split('\n').reverse().join('\n'));
  }
  for (let i = 45; i < 60; i++) {
    const f = take(i);
    fs.renameSync(f, f.replace(/\.md$/, `-moved${seed}.md`));
  }
  for (let i = 60; i < 75; i++) fs.rmSync(take(i));
  fs.mkdirSync(path.join(root, `new-${seed}`), { recursive: true });
  for (let i = 0; i < 15; i++) fs.writeFileSync(path.join(root, `new-${seed}`, `note-${i}.md`), `# New note ${i}\n\nWritten in round ${seed}: 새로운 메모 ${i}번, about async Rust and React hooks.\n`);
}

// Store files torn halfway, at a snapshot (compaction): each is written once per snapshot.
const SNAPSHOT_FILES = ['meta.json:1', 'vectors.bin:1', 'bm25.bin:1', 'manifest.json:1'];

test('the index survives SIGKILL at 24+ points of full and incremental indexing and equals a clean rebuild', { timeout: 900_000 }, async () => {
  const root = corpus();
  const enc = await encoder();
  const store = tmpDir('sn-killed-');
  const survived: Record<string, number> = {};
  const run = async (label: string, kill: Kill) => {
    assert.equal(await runChild(root, store, kill), 'killed', `${label}: the run finished before its kill point`);
    survived[label] = (survived[label] ?? 0) + 1;
    assertConsistent(root, store, enc, label);
  };

  // 1. A full index from nothing: killed while opening, at timed and progress points, mid-append
  //    of the log, then halfway through each snapshot file.
  await run('index.json', { failpoint: 'index.json:1' });
  await run('timed', { ms: 50 });
  await run('timed', { ms: 150 });
  await run('progress', { lines: 1 });
  await run('wal', { failpoint: 'wal:7' });
  await run('progress', { lines: 2 });
  // The log takes one write per embedding batch (~256 passages), ~45 for the whole corpus; fewer
  // are left after the kills above.
  await run('wal', { failpoint: 'wal:15' });
  await run('timed', { ms: 400 });
  for (let i = 0; i < EXTRA; i++) await run('progress', { lines: 1 + (i % 3) });
  for (const fp of SNAPSHOT_FILES) await run(fp.split(':')[0], { failpoint: fp });
  assert.equal(await runChild(root, store, null), 'finished');
  const full = await (async () => {
    const idx = NotesIndex.open({ root, storeDir: store, encoder: enc });
    const r = await idx.sync();
    assert.equal(r.embedded, 0, 'the finished run left nothing to embed');
    const s = snapshot(idx);
    await idx.close();
    return s;
  })();
  assertSame(full, await cleanRebuild(root, enc), 'after the full index');
  assert.ok(full.size > 500, `corpus has ${full.size} passages`);

  // 2. Incremental updates: the folder changes (edits, rewrites, renames, deletes, new notes),
  //    and changes again between kills.
  mutate(root, 1);
  await run('progress', { lines: 1 });
  await run('wal', { failpoint: 'wal:3' }); // among the deletions, logged first
  await run('progress', { lines: 2 });
  mutate(root, 2);
  await run('wal', { failpoint: 'wal:25' });
  for (const fp of SNAPSHOT_FILES) await run(fp.split(':')[0], { failpoint: fp });
  mutate(root, 3);
  await run('wal', { failpoint: 'wal:1' });
  // index.json is rewritten only when it changes (the first open above), so these opens are killed by time.
  await run('timed', { ms: 100 });
  await run('timed', { ms: 50 });
  await run('progress', { lines: 1 });
  assert.equal(await runChild(root, store, null), 'finished');

  const kills = Object.values(survived).reduce((a, b) => a + b, 0);
  console.log(`[crash] ${kills} kill points survived: ${Object.entries(survived).map(([k, n]) => `${k}=${n}`).join(' ')}`);
  assert.ok(kills >= 24, `${kills} kill points`);

  const after = NotesIndex.open({ root, storeDir: store, encoder: enc });
  const r = await after.sync();
  assert.equal(r.embedded, 0, 'nothing left to embed after the finishing run');
  const final = snapshot(after);
  await after.close();
  assertSame(final, await cleanRebuild(root, enc), 'after the incremental updates');
  fs.rmSync(path.dirname(root), { recursive: true, force: true });
});
