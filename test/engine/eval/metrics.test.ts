import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { mrrAtK, ndcgAtK, pearson, recallAtK, spearman } from '../../../src/engine/eval/metrics';

test('nDCG, recall and MRR match hand-computed values', () => {
  const qrels = new Map([['d1', 1], ['d4', 1]]);
  const ranked = ['d3', 'd1', 'd2', 'd4'];
  const dcg = 1 / Math.log2(3) + 1 / Math.log2(5);
  const idcg = 1 + 1 / Math.log2(3);
  assert.ok(Math.abs(ndcgAtK(ranked, qrels, 10) - dcg / idcg) < 1e-12);
  assert.equal(ndcgAtK(ranked, qrels, 1), 0);
  assert.equal(recallAtK(ranked, qrels, 2), 0.5);
  assert.equal(recallAtK(ranked, qrels, 100), 1);
  assert.equal(mrrAtK(ranked, qrels, 10), 0.5);
  assert.equal(mrrAtK(ranked, qrels, 1), 0);
  // Graded relevance.
  const graded = new Map([['a', 2], ['b', 1]]);
  assert.ok(Math.abs(ndcgAtK(['b', 'a'], graded, 2) - (1 + 2 / Math.log2(3)) / (2 + 1 / Math.log2(3))) < 1e-12);
});

test('Spearman averages tied ranks; Pearson is exact', () => {
  assert.ok(Math.abs(pearson([1, 2, 3], [2, 4, 6]) - 1) < 1e-12);
  assert.ok(Math.abs(pearson([1, 2, 3], [3, 2, 1]) + 1) < 1e-12);
  // ranks of [10, 20, 20, 30] are [1, 2.5, 2.5, 4]
  const rho = spearman([10, 20, 20, 30], [1, 2, 3, 4]);
  assert.ok(Math.abs(rho - pearson([1, 2.5, 2.5, 4], [1, 2, 3, 4])) < 1e-12);
  assert.throws(() => pearson([1], [1]), /equal length/);
});
