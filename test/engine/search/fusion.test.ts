// Reciprocal Rank Fusion against hand-computed values, ties and edge cases.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { convexFusion, reciprocalRankFusion } from '../../../src/engine/search/fusion';

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-15, `${a} vs ${b}`);

test('RRF follows Σ weight / (k + rank), rank from 1', () => {
  const fused = reciprocalRankFusion([{ items: ['a', 'b', 'c'] }, { items: ['c', 'a'], weight: 2 }], (x) => x, 60);
  const by = Object.fromEntries(fused.map((f) => [f.item, f]));
  close(by.a.score, 1 / 61 + 2 / 62); // 0.048651...
  close(by.b.score, 1 / 62);
  close(by.c.score, 1 / 63 + 2 / 61);
  assert.deepEqual(fused.map((f) => f.item), ['c', 'a', 'b']);
  assert.deepEqual(by.c.ranks, [3, 1]);
  assert.deepEqual(by.b.ranks, [2, null]);
  // With k = 0 the top ranks dominate: c = 1/3 + 2/1, a = 1/1 + 2/2, b = 1/2.
  const k0 = reciprocalRankFusion([{ items: ['a', 'b', 'c'] }, { items: ['c', 'a'], weight: 2 }], (x) => x, 0);
  close(k0[0].score, 1 / 3 + 2);
  close(k0[1].score, 1 + 1);
  assert.deepEqual(k0.map((f) => f.item), ['c', 'a', 'b']);
  // Default k is 60.
  assert.deepEqual(reciprocalRankFusion([{ items: ['x'] }], (x) => x)[0].score, 1 / 61);
});

test('objects fused by key; the first occurrence is the item returned', () => {
  const bm25 = [{ id: 7, s: 12.5 }, { id: 3, s: 9 }];
  const dense = [{ id: 3, s: 0.91 }, { id: 8, s: 0.88 }];
  const fused = reciprocalRankFusion([{ items: bm25 }, { items: dense }], (r) => r.id);
  assert.deepEqual(fused.map((f) => f.item.id), [3, 7, 8]);
  assert.equal(fused[0].item, bm25[1]);
  close(fused[0].score, 1 / 62 + 1 / 61);
});

test('ties: better best rank first, then first appearance; deterministic', () => {
  // x is 1st in list A, y is 1st in list B: equal scores and equal best rank → list order.
  const a = reciprocalRankFusion([{ items: ['x', 'p'] }, { items: ['y', 'q'] }], (s) => s);
  assert.deepEqual(a.map((f) => f.item), ['x', 'y', 'p', 'q']);
  // Equal scores from different rank patterns: z (rank 2 in both lists, k=0: 1/2 + 1/2 = 1) vs
  // w (rank 1 in one list, absent in the other: 1/1 = 1) → w has the better best rank.
  const b = reciprocalRankFusion([{ items: ['w', 'z'] }, { items: ['v', 'z'] }], (s) => s, 0);
  assert.equal(b.find((f) => f.item === 'z')!.score, 1);
  assert.equal(b.find((f) => f.item === 'w')!.score, 1);
  assert.deepEqual(b.map((f) => f.item), ['w', 'v', 'z']);
  // Same input, same output, every time.
  const lists = [{ items: ['a', 'b', 'c', 'd'] }, { items: ['d', 'c', 'b', 'a'] }];
  const first = JSON.stringify(reciprocalRankFusion(lists, (s) => s));
  for (let i = 0; i < 5; i++) assert.equal(JSON.stringify(reciprocalRankFusion(lists, (s) => s)), first);
  assert.deepEqual(JSON.parse(first).map((f: { item: string }) => f.item), ['a', 'd', 'b', 'c']);
});

test('duplicates within a list count once; empty lists, zero weights and bad parameters', () => {
  const d = reciprocalRankFusion([{ items: ['a', 'b', 'a'] }], (s) => s);
  assert.deepEqual(d.map((f) => [f.item, f.score, f.ranks[0]]), [['a', 1 / 61, 1], ['b', 1 / 62, 2]]);
  assert.deepEqual(reciprocalRankFusion([], (s: string) => s), []);
  assert.deepEqual(reciprocalRankFusion([{ items: [] as string[] }, { items: [] }], (s) => s), []);
  const z = reciprocalRankFusion([{ items: ['a'], weight: 0 }, { items: ['b'] }], (s) => s);
  assert.deepEqual(z.map((f) => [f.item, f.score]), [['b', 1 / 61], ['a', 0]]);
  assert.throws(() => reciprocalRankFusion([{ items: ['a'] }], (s) => s, -1), RangeError);
  assert.throws(() => reciprocalRankFusion([{ items: ['a'] }], (s) => s, Number.NaN), RangeError);
  assert.throws(() => reciprocalRankFusion([{ items: ['a'], weight: -1 }], (s) => s), RangeError);
});

test('convex fusion: TM2C2 by hand, weight 0 is the keyword order, missing scores count as the minimum', () => {
  const c = [
    { item: 'a', keyword: 10, semantic: 0.2 },
    { item: 'b', keyword: 5, semantic: 0.8 },
    { item: 'c', keyword: null, semantic: 0.6 },
  ];
  // keyword / 10; (semantic + 1) / (0.8 + 1): a → 0.5·1 + 0.5·(1.2/1.8), b → 0.5·0.5 + 0.5·1, c → 0.5·(1.6/1.8)
  const f = convexFusion(c, { semanticWeight: 0.5 });
  assert.deepEqual(f.map((x) => x.item), ['a', 'b', 'c']);
  assert.ok(Math.abs(f[0].score - (0.5 + 0.5 * (1.2 / 1.8))) < 1e-12);
  assert.ok(Math.abs(f[1].score - 0.75) < 1e-12);
  assert.ok(Math.abs(f[2].score - 0.5 * (1.6 / 1.8)) < 1e-12);
  assert.deepEqual(convexFusion(c, { semanticWeight: 0 }).map((x) => x.item), ['a', 'b', 'c']);
  assert.deepEqual(convexFusion(c, { semanticWeight: 1 }).map((x) => x.item), ['b', 'c', 'a']);
  // A theoretical minimum of 0 (a model whose unrelated texts sit at 0) spreads cosines wider.
  const z = convexFusion(c, { semanticWeight: 0.5, semanticFloor: 0 });
  assert.ok(Math.abs(z[0].score - (0.5 * 0.5 + 0.5)) < 1e-12, JSON.stringify(z));
  assert.throws(() => convexFusion(c, { semanticWeight: 1.5 }), RangeError);
  assert.deepEqual(convexFusion([], { semanticWeight: 0.3 }), []);
});
