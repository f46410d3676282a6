// The HNSW graph built on a worker thread (graphBuild.ts, graphWorker.ts), as the notes index
// does: search answers exactly while the graph is built, changes made meanwhile reach the graph,
// the graph taken up answers as well as one built inline, a failed build leaves exact search with
// the reason said, and a notes index saves the graph once it is in use and opens with it.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { NotesIndex } from '../../../src/engine/index/notesIndex';
import { VectorIndex } from '../../../src/engine/vectors/vectorIndex';
import { dataDir, repoRoot, tmpDir } from '../../helpers/env';
import { encoder } from '../../helpers/models';

const jsonl = (file: string) => fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as { text: string });
const strayFiles = () => fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith(`semantic-notes-graph-${process.pid}-`));

/** Distinct SciFact sentences and claims, embedded with the English test model. */
async function realVectors(n: number): Promise<{ passages: Float32Array[]; queries: Float32Array[]; dims: number }> {
  const enc = await encoder('semantic-notes/static-en-v2');
  const seen = new Set<string>();
  const texts: string[] = [];
  for (const d of jsonl(path.join(dataDir(), 'scifact', 'corpus.jsonl'))) {
    for (const s of d.text.split(/(?<=[.!?])\s+/)) {
      if (s.length >= 30 && !seen.has(s) && texts.length < n) {
        seen.add(s);
        texts.push(s);
      }
    }
  }
  const claims = jsonl(path.join(dataDir(), 'scifact', 'queries.jsonl')).map((q) => q.text).slice(0, 150);
  const passages = (await enc.embed(texts, { role: 'passage' })).filter((v) => v.some((x) => x !== 0));
  return { passages, queries: await enc.embed(claims, { role: 'query' }), dims: enc.dims };
}

function recallAt10(idx: VectorIndex, queries: Float32Array[]): number {
  let hits = 0;
  for (const q of queries) {
    const truth = new Set(idx.exactSearch(q, 10, undefined, true).map((h) => h.id));
    hits += idx.search(q, 10).filter((h) => truth.has(h.id)).length;
  }
  return hits / (10 * queries.length);
}

test('a graph built on a worker: exact answers meanwhile, changes made during the build kept, recall as inline', { timeout: 300_000 }, async () => {
  const { passages, queries, dims } = await realVectors(5_000);
  const first = passages.slice(0, 4_000);
  const later = passages.slice(4_000, 4_400);
  const events: string[] = [];
  const bg = new VectorIndex(dims, { exactThreshold: 2_000, graphBuild: 'background', onGraph: (e) => events.push(e.ready ? 'ready' : `failed: ${e.error.message}`) });
  first.forEach((v, i) => bg.add(i + 1, v));
  // add() returned at once: the graph is being built elsewhere, and search is exact meanwhile.
  assert.ok(bg.buildingGraph && !bg.usesGraph);
  for (const q of queries.slice(0, 20)) assert.deepEqual(bg.search(q, 10), bg.exactSearch(q, 10, undefined, true));
  // Changes while it builds: new passages, removed ones, and one id given a new vector.
  later.forEach((v, i) => bg.add(10_001 + i, v));
  for (let id = 1; id <= 300; id++) bg.remove(id);
  bg.add(500, later[0]);
  await bg.whenGraphSettled();
  assert.deepEqual(events, ['ready']);
  assert.ok(bg.usesGraph && !bg.buildingGraph);
  assert.equal(bg.size, 4_000 - 300 + 400);

  const removed = new Set(Array.from({ length: 300 }, (_, i) => i + 1));
  for (const q of queries) assert.ok(!bg.search(q, 10).some((h) => removed.has(h.id)), 'a removed passage is never returned');
  for (let i = 1; i < later.length; i += 37) assert.equal(bg.search(later[i], 1)[0].id, 10_001 + i, 'a passage added during the build finds itself');
  assert.ok(bg.search(later[0], 2).some((h) => h.id === 500), 'the id given a new vector is found by it');

  // The same vectors with the graph built inline on this thread: recall the same within noise.
  const inline = new VectorIndex(dims, { exactThreshold: 2_000 });
  for (const id of bg.ids()) inline.add(id, bg.get(id)!);
  assert.ok(inline.usesGraph);
  const rBg = recallAt10(bg, queries);
  const rInline = recallAt10(inline, queries);
  console.log(`graph built on a worker: recall@10 ${rBg.toFixed(4)}, built inline ${rInline.toFixed(4)} (${queries.length} queries, ${bg.size} passages)`);
  assert.ok(rBg >= 0.98 && rBg >= rInline - 0.01, `recall@10 ${rBg} against ${rInline} inline`);
  assert.deepEqual(strayFiles(), [], 'the graph file handed over is removed');
});

test('a graph worker that cannot write its graph leaves exact search, and says why', { timeout: 120_000 }, async () => {
  const { passages, queries, dims } = await realVectors(1_200);
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = path.join(tmpDir('sn-gone-'), 'no', 'such', 'folder');
  const events: string[] = [];
  try {
    const idx = new VectorIndex(dims, { exactThreshold: 500, graphBuild: 'background', onGraph: (e) => events.push(e.ready ? 'ready' : e.error.message) });
    passages.forEach((v, i) => idx.add(i + 1, v));
    await idx.whenGraphSettled();
    assert.equal(events.length, 1);
    assert.notEqual(events[0], 'ready');
    assert.ok(!idx.usesGraph && !idx.buildingGraph);
    // Search keeps answering, exactly, and later adds do not start another doomed build.
    for (const q of queries.slice(0, 10)) assert.deepEqual(idx.search(q, 5), idx.exactSearch(q, 5, undefined, true));
    idx.add(99_999, passages[0]);
    assert.ok(!idx.buildingGraph);
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  }
});

test('an index dropped mid-build stops its worker between two points: the process survives 30 drops', { timeout: 120_000 }, async () => {
  // Terminating the worker inside hnswlib-node's addPoint aborts the whole process (its element
  // reads fail under termination, and node-addon-api makes that fatal); a CI run died so.
  const { passages, dims } = await realVectors(1_500);
  for (let round = 0; round < 30; round++) {
    const idx = new VectorIndex(dims, { exactThreshold: 100, graphBuild: 'background' });
    passages.forEach((v, i) => idx.add(i + 1, v));
    assert.ok(idx.buildingGraph);
    await new Promise((r) => setTimeout(r, (round * 7) % 45));
    await idx.dispose();
    assert.ok(!idx.buildingGraph && !idx.usesGraph);
  }
  assert.deepEqual(strayFiles(), []);
});

test('a notes index builds its graph in the background, saves it once in use, and opens with it', { timeout: 120_000 }, async () => {
  const enc = await encoder();
  const store = tmpDir('sn-bg-store-');
  const root = path.join(repoRoot, 'examples', 'notes');
  const vectors = { exactThreshold: 4 };
  const a = NotesIndex.open({ root, storeDir: store, encoder: enc, vectors });
  await a.sync();
  // Searchable at once, by meaning too, whether or not the graph is ready yet.
  assert.equal((await a.search('how do I undo a commit', { k: 1, mode: 'semantic' }))[0]?.path, 'dev/git.md');
  await a.graphSettled();
  assert.ok(a.passages.vectors!.usesGraph);
  const manifest = JSON.parse(fs.readFileSync(path.join(a.storePath, 'manifest.json'), 'utf8'));
  assert.ok(manifest.parts.graph, 'the graph is saved with the snapshot once it is in use');
  const before = await a.search('how do I undo a commit', { k: 5 });
  await a.close();

  const logs: string[] = [];
  const b = NotesIndex.open({ root, storeDir: store, encoder: enc, vectors, log: (_l, m) => logs.push(m) });
  assert.deepEqual(logs, []);
  assert.ok(b.passages.vectors!.usesGraph && !b.buildingGraph, 'the saved graph is used at open: nothing to build');
  assert.deepEqual(await b.search('how do I undo a commit', { k: 5 }), before);
  await b.close();

  // Closed while a build runs: the worker is stopped and leaves no file behind.
  const c = NotesIndex.open({ root, storeDir: tmpDir('sn-bg-store2-'), encoder: enc, vectors });
  await c.sync();
  await c.close();
  assert.ok(!c.buildingGraph);
  assert.deepEqual(strayFiles(), []);
});
