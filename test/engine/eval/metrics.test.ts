// Retrieval metrics against hand-computed pytrec_eval/BEIR values, correlations against scipy.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { averageRanks, mrrAtK, ndcgAtK, pearson, recallAtK, spearman } from '../../../src/engine/eval/metrics';

const close = (a: number, b: number, what = '') => assert.ok(Math.abs(a - b) < 1e-12, `${what} ${a} vs ${b}`);

test('nDCG@k, binary judgements', () => {
  const qrels = new Map([['d1', 1], ['d4', 1]]);
  const ranked = ['d3', 'd1', 'd2', 'd4'];
  // DCG = 1/log2(3) + 1/log2(5); ideal = 1 + 1/log2(3).
  close(ndcgAtK(ranked, qrels, 10), (1 / Math.log2(3) + 1 / Math.log2(5)) / (1 + 1 / Math.log2(3)));
  close(ndcgAtK(ranked, qrels, 10), 0.6509209298071326);
  // Cut at 3: d4 (rank 4) no longer counts; the ideal is still two relevant documents.
  close(ndcgAtK(ranked, qrels, 3), 1 / Math.log2(3) / (1 + 1 / Math.log2(3)));
  assert.equal(ndcgAtK(ranked, qrels, 1), 0);
  assert.equal(ndcgAtK(['d1', 'd4'], qrels, 10), 1);
  assert.equal(ndcgAtK([], qrels, 10), 0);
  // Only one slot: the ideal is truncated to k too.
  assert.equal(ndcgAtK(['d4'], qrels, 1), 1);
});

test('nDCG@k, graded judgements (linear gain) and zero/negative grades', () => {
  const graded = new Map([['a', 2], ['b', 1], ['c', 0], ['d', -1]]);
  // Run b, c, a: DCG = 1/log2(2) + 0 + 2/log2(4) = 2; ideal: 2/1 + 1/log2(3).
  close(ndcgAtK(['b', 'c', 'a'], graded, 10), 2 / (2 + 1 / Math.log2(3)));
  close(ndcgAtK(['a', 'b'], graded, 10), 1);
  close(ndcgAtK(['b', 'a'], graded, 2), (1 + 2 / Math.log2(3)) / (2 + 1 / Math.log2(3)));
  assert.equal(ndcgAtK(['c', 'd'], graded, 10), 0);
  // A query without any relevant document scores 0 (it is normally left out of the mean).
  assert.equal(ndcgAtK(['x'], new Map([['x', 0]]), 10), 0);
});

test('Recall@k and MRR@k', () => {
  const qrels = new Map([['d1', 1], ['d4', 1], ['d9', 2]]);
  const ranked = ['d3', 'd1', 'd2', 'd4'];
  close(recallAtK(ranked, qrels, 2), 1 / 3);
  close(recallAtK(ranked, qrels, 100), 2 / 3);
  assert.equal(recallAtK(ranked, new Map([['z', 0]]), 10), 0);
  assert.equal(mrrAtK(ranked, qrels, 10), 0.5);
  assert.equal(mrrAtK(ranked, qrels, 1), 0);
  assert.equal(mrrAtK(['d4', 'd1'], qrels, 10), 1);
  assert.equal(mrrAtK(['x', 'y', 'z', 'd9'], qrels, 3), 0);
  assert.equal(mrrAtK(['x', 'y', 'z', 'd9'], qrels, 4), 0.25);
});

test('a document listed twice counts once, at its first position', () => {
  const qrels = new Map([['d1', 1], ['d2', 1]]);
  assert.equal(recallAtK(['d1', 'd1', 'd2'], qrels, 2), 1);
  close(ndcgAtK(['d1', 'd1', 'd2'], qrels, 10), 1);
  assert.equal(mrrAtK(['x', 'x', 'd1'], qrels, 2), 0.5);
});

test('cut-offs must be positive integers', () => {
  const q = new Map([['a', 1]]);
  for (const k of [0, -1, 1.5, Number.NaN]) {
    assert.throws(() => ndcgAtK(['a'], q, k), RangeError);
    assert.throws(() => recallAtK(['a'], q, k), RangeError);
    assert.throws(() => mrrAtK(['a'], q, k), RangeError);
  }
});

test('Pearson and Spearman equal scipy, ties share their average rank', () => {
  // scipy.stats.pearsonr([1, 2, 3, 4, 5], [10, 9, 2.5, 6, 4]).statistic
  close(pearson([1, 2, 3, 4, 5], [10, 9, 2.5, 6, 4]), -0.7426106572325056);
  close(pearson([1, 2, 3], [2, 4, 6]), 1);
  close(pearson([1, 2, 3], [3, 2, 1]), -1);
  // scipy.stats.spearmanr([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]).statistic (a tie in the second series)
  close(spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]), 0.8207826816681233);
  // scipy.stats.spearmanr([10, 20, 20, 30, 40, 40, 40], [3, 1, 2, 5, 4, 7, 6]).statistic
  close(spearman([10, 20, 20, 30, 40, 40, 40], [3, 1, 2, 5, 4, 7, 6]), 0.7671932182792478);
  assert.deepEqual(averageRanks([10, 20, 20, 30]), [1, 2.5, 2.5, 4]);
  assert.deepEqual(averageRanks([3, 1, 2, 1]), [4, 1.5, 3, 1.5]);
  // Spearman is invariant under monotone transforms.
  close(spearman([1, 2, 3, 4], [1, 8, 27, 64]), 1);
  // Undefined for a constant series (scipy gives nan as well).
  assert.ok(Number.isNaN(pearson([1, 1, 1], [1, 2, 3])));
  assert.ok(Number.isNaN(spearman([1, 2, 3], [5, 5, 5])));
  assert.throws(() => pearson([1], [1]), /equal length/);
  assert.throws(() => spearman([1, 2], [1, 2, 3]), /equal length/);
  assert.throws(() => pearson([1, Number.NaN], [1, 2]), /finite/);
});
