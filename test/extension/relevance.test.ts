// The relative relevance shared by the quick pick, the search view, the Related Notes view and the
// hover: levels follow the share of the best score, whatever the scale of the scores.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { levelOf, rawScore, relativeRelevance, textBar } from '../../src/extension/relevance';

test('the best hit is level 5 and the others are graded by their share of its score', () => {
  const r = relativeRelevance([12.4, 11.9, 9.3, 6.2, 3.1]); // BM25-like sums
  assert.deepEqual(r.map((x) => x.level), [5, 5, 3, 2, 1]);
  assert.equal(r[0].ratio, 1);
  assert.ok(Math.abs(r[3].ratio - 0.5) < 1e-9);
});

test('the same shares give the same levels on any scale (RRF sums, cosines, BM25)', () => {
  const shares = [1, 0.9, 0.7, 0.45, 0.2];
  for (const scale of [0.0328, 0.87, 24]) {
    assert.deepEqual(relativeRelevance(shares.map((s) => s * scale)).map((x) => x.level), [5, 4, 3, 2, 1], `scale ${scale}`);
  }
});

test('order does not matter: the best is found wherever it is', () => {
  assert.deepEqual(relativeRelevance([0.5, 0.8, 0.2]).map((x) => x.level), [3, 5, 1]);
});

test('negative and non-finite scores count as zero; a list without a positive score has no scale', () => {
  assert.deepEqual(relativeRelevance([0.5, -0.3, NaN]).map((x) => x.level), [5, 1, 1]);
  assert.deepEqual(relativeRelevance([0, 0]).map((x) => x.level), [5, 5]);
  assert.deepEqual(relativeRelevance([-1]).map((x) => x.level), [5]);
  assert.deepEqual(relativeRelevance([]), []);
});

test('level boundaries are inclusive floors', () => {
  assert.deepEqual([0.95, 0.9499, 0.8, 0.6, 0.4, 0.3999].map(levelOf), [5, 4, 4, 3, 2, 1]);
});

test('the text bar has five steps and the raw score keeps four significant digits', () => {
  assert.equal(textBar(5), '▰▰▰▰▰');
  assert.equal(textBar(2), '▰▰▱▱▱');
  assert.equal(rawScore(0.032786885), '0.03279');
  assert.equal(rawScore(12.3456), '12.35');
});
