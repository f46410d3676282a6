// The HNSW graph with the product's default parameters against exact cosine search on real
// embeddings: 12,000 distinct English and Korean passages (the graph is forced from 10,000 on: the
// product searches this many of the default model's 448-dimension vectors exactly, up to
// exactThresholdFor(448) = 28,571, and the test stays fast) and queries that are not in the index (SciFact claims, KorQuAD
// questions). A correctness check of recall only; speed is bench/scale.ts's business. Also: a
// saved graph loads back with the same answers, and one built with another M is rebuilt with the
// reason said.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RoutedEncoder } from '../../../src/engine/embedding/routedEncoder';
import { CATALOG, DEFAULT_MODELS, routesOf } from '../../../src/engine/models/catalog';
import { VectorIndex, efForSize, exactThresholdFor, graphFileParams } from '../../../src/engine/vectors/vectorIndex';
import { dataDir, tmpDir } from '../../helpers/env';
import { encoder } from '../../helpers/models';

const jsonl = (file: string) => fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as { text: string });

function recallAt10(idx: VectorIndex, queries: Float32Array[]): number {
  let hits = 0;
  for (const q of queries) {
    const truth = new Set(idx.exactSearch(q, 10).map((h) => h.id));
    hits += idx.search(q, 10).filter((h) => truth.has(h.id)).length;
  }
  return hits / (10 * queries.length);
}

test('HNSW recall@10 against exact search on real embeddings, before and after a save', { timeout: 600_000 }, async () => {
  // The product's default model, a routed pair (static-ko for Hangul, static-en-v2 for the rest).
  const id = DEFAULT_MODELS.embedding;
  const routes = routesOf(id)!;
  const { kind: _k, routes: _r, ...own } = CATALOG[id];
  const enc = new RoutedEncoder({ id, hangul: await encoder(routes.hangul), other: await encoder(routes.other), profile: own });
  // English and Korean passages (as in a mixed notes folder), so every query has its own language's
  // passages to find: KorQuAD paragraphs and their sentences, KorSTS sentences, SciFact sentences.
  const seen = new Set<string>();
  const texts: string[] = [];
  const take = (s: string) => {
    if (s.length < 20 || seen.has(s) || texts.length >= 12_500) return;
    texts.push(s);
    seen.add(s);
  };
  const split = (t: string) => t.split(/(?<=[.!?])\s+/);
  for (const d of jsonl(path.join(dataDir(), 'korquad-a', 'corpus.jsonl'))) [d.text, ...split(d.text)].forEach(take);
  for (const l of fs.readFileSync(path.join(dataDir(), 'korsts', 'dev.jsonl'), 'utf8').split('\n').filter((x) => x.trim())) {
    const p = JSON.parse(l) as { sentence1: string; sentence2: string };
    take(p.sentence1);
    take(p.sentence2);
  }
  for (const d of jsonl(path.join(dataDir(), 'scifact', 'corpus.jsonl'))) split(d.text).forEach(take);
  const claims = jsonl(path.join(dataDir(), 'scifact', 'queries.jsonl')).map((q) => q.text);
  const questions = jsonl(path.join(dataDir(), 'korquad-a', 'queries.jsonl')).filter((_, i) => i % 10 === 0).map((q) => q.text);
  const queries = await enc.embed([...claims, ...questions].filter((q) => !seen.has(q)), { role: 'query' });
  const vectors = await enc.embed(texts, { role: 'passage' });

  const GRAPH = { exactThreshold: 10_000 };
  const idx = new VectorIndex(enc.dims, GRAPH);
  const byVector = new Set<string>();
  for (const v of vectors) {
    const key = Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
    // Exact ties (same vector) would make "the" top 10 ambiguous.
    if (idx.size >= 12_000 || !v.some((x) => x !== 0) || byVector.has(key)) continue;
    idx.add(idx.size + 1, v);
    byVector.add(key);
  }
  assert.equal(idx.size, 12_000);
  assert.ok(idx.usesGraph, 'above the exact-search threshold the graph answers');
  // With the product's own threshold these 12,000 are searched exactly: no graph at all.
  const plain = new VectorIndex(enc.dims);
  for (const i of idx.ids()) plain.add(i, idx.get(i)!);
  assert.ok(!plain.usesGraph && plain.opts.exactThreshold === exactThresholdFor(enc.dims) && exactThresholdFor(enc.dims) > 12_000);
  assert.equal(idx.efSearch, efForSize(12_000));
  const recall = recallAt10(idx, queries);
  assert.ok(recall >= 0.99, `recall@10 ${recall.toFixed(4)} over ${queries.length} queries`);

  // Saved and loaded (as a store does at open): the same graph, the same answers.
  const file = path.join(tmpDir('sn-graph-'), 'graph.bin');
  assert.ok(idx.writeGraph(file));
  assert.equal(graphFileParams(file).m, idx.opts.m);
  assert.equal(graphFileParams(file).efConstruction, idx.opts.efConstruction);
  const again = new VectorIndex(enc.dims, GRAPH);
  again.deferGraph(true);
  for (const id of idx.ids()) again.add(id, idx.get(id)!);
  assert.equal(again.deferGraph(false, file), null);
  for (const q of queries.slice(0, 50)) assert.deepEqual(again.search(q, 10).map((h) => h.id), idx.search(q, 10).map((h) => h.id));
});

test('a saved graph built with another M is rebuilt, and the warning says why', () => {
  const dims = 16;
  const vec = (i: number) => Float32Array.from({ length: dims }, (_, j) => Math.sin(i * 7.1 + j * 1.3) + (j === i % dims ? 1 : 0));
  const old = new VectorIndex(dims, { exactThreshold: 8, m: 12, efConstruction: 50 });
  for (let i = 1; i <= 40; i++) old.add(i, vec(i));
  const file = path.join(tmpDir('sn-graph-'), 'graph.bin');
  assert.ok(old.writeGraph(file));
  assert.deepEqual(graphFileParams(file), { m: 12, efConstruction: 50 });
  const now = new VectorIndex(dims, { exactThreshold: 8 });
  now.deferGraph(true);
  for (let i = 1; i <= 40; i++) now.add(i, vec(i));
  const warning = now.deferGraph(false, file);
  assert.match(warning ?? '', new RegExp(`built with M=12, this version uses M=${now.opts.m}; rebuilding it`));
  assert.ok(now.usesGraph);
  assert.equal(now.search(vec(5), 1)[0].id, 5);
  // A damaged header is a graph that cannot be read: rebuilt, with that reason.
  fs.writeFileSync(file, Buffer.alloc(40));
  const third = new VectorIndex(dims, { exactThreshold: 8 });
  third.deferGraph(true);
  for (let i = 1; i <= 40; i++) third.add(i, vec(i));
  assert.match(third.deferGraph(false, file) ?? '', /could not be read \(graph file header is truncated\); rebuilding it/);
  assert.equal(third.search(vec(7), 1)[0].id, 7);
});
