// The quantized scan with the product's settings against exact cosine search on real embeddings:
// 12,000 distinct English and Korean passages (the scan is forced from 10,000 on: the product
// searches this many of the default model's 448-dimension vectors exactly, up to
// exactThresholdFor(448) = 28,571, and the test stays fast) and queries that are not in the index
// (SciFact claims, KorQuAD questions). A correctness check of recall only; speed is
// bench/scale.ts's business. Also: restored in one block (a restart), with a selective filter,
// after removals and replacements; and the compiled kernels match their source.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { RoutedEncoder } from '../../../src/engine/embedding/routedEncoder';
import { CATALOG, DEFAULT_MODELS, routesOf } from '../../../src/engine/models/catalog';
import { VectorIndex, exactThresholdFor } from '../../../src/engine/vectors/vectorIndex';
import { dataDir } from '../../helpers/env';
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

test('quantized scan: recall@10 against exact search on real embeddings, after a restart, with filters and changes', { timeout: 600_000 }, async () => {
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

  const SCAN = { exactThreshold: 10_000 };
  const idx = new VectorIndex(enc.dims, SCAN);
  const byVector = new Set<string>();
  for (const v of vectors) {
    const key = Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
    // Exact ties (same vector) would make "the" top 10 ambiguous.
    if (idx.size >= 12_000 || !v.some((x) => x !== 0) || byVector.has(key)) continue;
    idx.add(idx.size + 1, v);
    byVector.add(key);
  }
  assert.equal(idx.size, 12_000);
  assert.ok(idx.usesScan, 'above the exact-search threshold the scan answers');
  // With the product's own threshold these 12,000 are searched exactly.
  const plain = new VectorIndex(enc.dims);
  for (const i of idx.ids()) plain.add(i, idx.get(i)!);
  assert.ok(!plain.usesScan && plain.opts.exactThreshold === exactThresholdFor(enc.dims) && exactThresholdFor(enc.dims) > 12_000);
  const recall = recallAt10(idx, queries);
  assert.ok(recall >= 0.99, `recall@10 ${recall.toFixed(4)} over ${queries.length} queries`);

  // Restored in one block, as a store does at open: calibrated once on all 12,000 (the index
  // above calibrated as it grew), the same recall.
  const { ids, data } = idx.exportVectors();
  const again = new VectorIndex(enc.dims, SCAN);
  again.adopt(ids, data);
  assert.ok(again.usesScan);
  const recallAgain = recallAt10(again, queries);
  assert.ok(recallAgain >= 0.99, `after a restart: recall@10 ${recallAgain.toFixed(4)}`);

  // A filter that lets one passage in 200 through: of the first stage's 2,000 candidates about 10
  // pass, fewer than the 40 the second stage wants, so the search falls back to exact and still
  // fills the list with the right ones.
  const rare = (id: number) => id % 200 === 0;
  for (const q of queries.slice(0, 20)) assert.deepEqual(idx.search(q, 10, rare), idx.exactSearch(q, 10, rare, true), 'the exact path itself');
  // A mild filter (nine in ten) goes through the scan: its answers pass it.
  const mild = (id: number) => id % 10 !== 0;
  let mildHits = 0;
  for (const q of queries.slice(0, 100)) {
    const got = idx.search(q, 10, mild);
    assert.ok(got.every((h) => mild(h.id)));
    const truth = new Set(idx.exactSearch(q, 10, mild).map((h) => h.id));
    mildHits += got.filter((h) => truth.has(h.id)).length;
  }
  assert.ok(mildHits >= 0.98 * 1000, `filtered recall ${mildHits / 1000}`);

  // Removed passages are never returned; a replaced vector is found as it is now.
  const q0 = queries[0];
  const top = idx.search(q0, 10);
  for (const h of top.slice(0, 5)) idx.remove(h.id);
  const after = idx.search(q0, 10);
  assert.ok(after.every((h) => idx.has(h.id) && !top.slice(0, 5).some((t) => t.id === h.id)));
  assert.deepEqual(after.slice(0, 5).map((h) => h.id), top.slice(5, 10).map((h) => h.id));
  idx.add(top[9].id, q0);
  assert.equal(idx.search(q0, 1)[0].id, top[9].id);
  assert.ok(Math.abs(idx.search(q0, 1)[0].score - 1) < 1e-5);
});

test('the compiled scan kernels match their WebAssembly source', () => {
  // Exits 1 when src/engine/vectors/scanKernels.ts is not what scanKernels.wat compiles to.
  execFileSync(process.execPath, [path.join(__dirname, '..', '..', '..', '..', 'scripts', 'build-scan-kernels.js'), '--check'], { stdio: 'pipe' });
});
