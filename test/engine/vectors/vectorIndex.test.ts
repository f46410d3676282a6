// The dense index's handling of vectors a model could not fill: a blank (all-zero) vector is kept
// (its passage is indexed, so sync does not re-embed it forever) but never returned as a match,
// in exact search and in the quantized scan alike; similarity() and typicalSimilarity() skip it.
// The scan variants hold a few thousand vectors: below that a search is exact anyway (the scan's
// first stage keeps at least 2,000 candidates, and a search that would keep half is exact).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { VectorIndex, type VectorHit } from '../../../src/engine/vectors/vectorIndex';

function unit(dims: number, seed: number): Float32Array {
  const v = new Float32Array(dims);
  let x = seed * 9301 + 49297;
  for (let i = 0; i < dims; i++) {
    x = (x * 9301 + 49297) % 233280;
    v[i] = x / 233280 - 0.5;
  }
  const n = Math.hypot(...v);
  return v.map((y) => y / n);
}

/** The same ids in the same order, and the same cosines up to summation order. */
function sameHits(got: VectorHit[], want: VectorHit[]): void {
  assert.deepEqual(got.map((h) => h.id), want.map((h) => h.id));
  got.forEach((h, i) => assert.ok(Math.abs(h.score - want[i].score) < 1e-9, `${h.score} vs ${want[i].score}`));
}

for (const exactThreshold of [100_000, 16]) {
  test(`blank vectors are stored but never matched (${exactThreshold === 16 ? 'quantized scan' : 'exact search'})`, () => {
    const dims = 24;
    const idx = new VectorIndex(dims, { exactThreshold });
    for (let i = 1; i <= 40; i++) idx.add(i, unit(dims, i));
    // Blank vectors among them, and later ones unrelated to the queries (every id 10,000+).
    for (let i = 100; i < 110; i++) idx.add(i, new Float32Array(dims));
    for (let i = 10_000; i < 15_000; i++) idx.add(i, unit(dims, i));
    assert.equal(idx.usesScan, exactThreshold === 16);
    assert.equal(idx.size, 5050);
    assert.ok(idx.has(100) && idx.isBlank(100) && !idx.isBlank(1));
    const all = idx.search(unit(dims, 3), 5050);
    assert.equal(all.length, 5040);
    assert.ok(all.every((h) => h.id < 100 || h.id >= 10_000));
    const hits = idx.search(unit(dims, 3), 10);
    sameHits(hits, idx.exactSearch(unit(dims, 3), 10, undefined, true));
    assert.ok(hits.every((h) => h.id < 100 || h.id >= 10_000), JSON.stringify(hits.map((h) => h.id)));
    assert.equal(hits[0].id, 3);
    assert.equal(idx.similarity(unit(dims, 3), 100), null);
    assert.ok(Math.abs(idx.similarity(unit(dims, 3), 3)! - 1) < 1e-5);
    // The typical cosine counts the vectors that share something with the query (cosine > 0), never the blank ones.
    const t = idx.typicalSimilarity(unit(dims, 3), (id) => id < 100, 10_000);
    const positive = Array.from({ length: 40 }, (_, i) => idx.similarity(unit(dims, 3), i + 1)!).filter((c) => c > 0).length;
    assert.ok(positive > 0 && positive < 40, `the premise: some random vectors point away (${positive} of 40 do not)`);
    assert.equal(t.n, positive);
    // Removing a blank vector keeps the count right: no blank is left.
    for (let i = 100; i < 110; i++) idx.remove(i);
    assert.equal(idx.search(unit(dims, 3), 5050).length, 5040);
    sameHits(idx.search(unit(dims, 7), 10), idx.exactSearch(unit(dims, 7), 10));
  });
}

test('exact search gives the cosine ranking of a plain loop, for any width (the dot product runs four lanes and a remainder), with removed slots and a filter', () => {
  for (const dims of [3, 4, 7, 256, 450]) {
    const idx = new VectorIndex(dims, { exactThreshold: Number.MAX_SAFE_INTEGER });
    const stored = new Map<number, Float32Array>();
    for (let i = 1; i <= 300; i++) {
      const v = unit(dims, i).map((y, j) => y * (1 + (i % 5)) + (j === 0 ? 0.01 * i : 0)); // lengths differ: the cosine divides them out
      idx.add(i, v);
      stored.set(i, v);
    }
    for (let i = 1; i <= 300; i += 7) {
      idx.remove(i);
      stored.delete(i);
    }
    const q = unit(dims, 1000);
    const even = (id: number) => id % 2 === 0;
    const cos = (a: Float32Array, b: Float32Array) => {
      let dot = 0;
      for (let j = 0; j < dims; j++) dot += a[j] * b[j];
      return dot / (Math.hypot(...a) * Math.hypot(...b));
    };
    const want = [...stored].filter(([id]) => even(id)).map(([id, v]) => ({ id, score: cos(v, q) })).sort((a, b) => b.score - a.score || a.id - b.id).slice(0, 20);
    const got = idx.search(q, 20, even);
    assert.deepEqual(got.map((h) => h.id), want.map((h) => h.id), `dims ${dims}`);
    got.forEach((h, i) => assert.ok(Math.abs(h.score - want[i].score) < 1e-5, `dims ${dims}: ${h.score} vs ${want[i].score}`));
  }
});

for (const exactThreshold of [100_000, 16]) {
  test(`adopt() loads packed vectors in one block: the same answers as adding them one by one, and later changes work (${exactThreshold === 16 ? 'quantized scan' : 'exact search'})`, () => {
    const dims = 24;
    const ids = Int32Array.from({ length: 5000 }, (_, i) => (i * 7919) % 100_003 + 1);
    const packed = new Float32Array(ids.length * dims);
    ids.forEach((id, i) => packed.set(id % 13 === 0 ? new Float32Array(dims) : unit(dims, id), i * dims));
    const one = new VectorIndex(dims, { exactThreshold });
    ids.forEach((id, i) => one.add(id, packed.subarray(i * dims, (i + 1) * dims)));
    const bulk = new VectorIndex(dims, { exactThreshold });
    bulk.adopt(ids, packed);
    packed.fill(0); // the index holds its own copy
    assert.equal(bulk.size, one.size);
    assert.equal(bulk.usesScan, exactThreshold === 16);
    // Every match (k = all): blank vectors are left out of both.
    for (const seed of [3, 77, 512]) assert.deepEqual(bulk.search(unit(dims, seed), ids.length), one.search(unit(dims, seed), ids.length));
    // The ten best, through the scan when there is one (each index calibrated it on its own).
    for (const seed of [3, 77, 512]) {
      const exact = bulk.exactSearch(unit(dims, seed), 10, undefined, true);
      sameHits(bulk.search(unit(dims, seed), 10), exact);
      sameHits(one.search(unit(dims, seed), 10), exact);
    }
    assert.deepEqual(bulk.exportVectors(), one.exportVectors());
    for (const id of ids) assert.equal(bulk.isBlank(id), one.isBlank(id));
    // Past the adopted size: the storage grows (copying the adopted array), removals free slots.
    for (let i = 200_000; i < 200_100; i++) {
      one.add(i, unit(dims, i));
      bulk.add(i, unit(dims, i));
    }
    for (const id of ids.slice(0, 20)) {
      one.remove(id);
      bulk.remove(id);
    }
    assert.equal(bulk.size, one.size);
    for (const seed of [200_050, 9]) {
      sameHits(bulk.search(unit(dims, seed), 15), bulk.exactSearch(unit(dims, seed), 15, undefined, true));
      sameHits(one.search(unit(dims, seed), 15), bulk.exactSearch(unit(dims, seed), 15, undefined, true));
    }
    assert.equal(bulk.search(unit(dims, 200_050), 1)[0].id, 200_050);
    assert.deepEqual(bulk.exportVectors(), one.exportVectors());
    // Only into an empty index, and never a repeated id (a damaged file): the index stays empty.
    assert.throws(() => bulk.adopt(ids, packed), /empty/);
    const bad = new VectorIndex(dims, { exactThreshold });
    assert.throws(() => bad.adopt(Int32Array.from([5, 6, 5]), new Float32Array(3 * dims)), /repeated/);
    assert.equal(bad.size, 0);
    bad.add(5, unit(dims, 5));
    assert.deepEqual(bad.search(unit(dims, 5), 1).map((h) => h.id), [5]);
  });
}
