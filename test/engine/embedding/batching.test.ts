// How the encoder cuts sorted texts into passes: fewest padded tokens plus a cost per pass.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { splitBatches } from '../../../src/engine/embedding/encoder';

test('similar lengths make one pass; lengths far apart make passes of their own', () => {
  assert.deepEqual(splitBatches([5, 6, 7, 8], 32, 16), [[0, 4]]);
  // 32 rows padded to 512 would be 16,384 tokens; these passes pad to 2 × 20 + 100 + 300 + 3 × 512.
  assert.deepEqual(splitBatches([10, 20, 100, 300, 500, 510, 512], 32, 16), [[0, 2], [2, 3], [3, 4], [4, 7]]);
  // A dear pass (static models) keeps them together.
  assert.deepEqual(splitBatches([10, 20, 100, 300, 500, 510, 512], 32, 100_000), [[0, 7]]);
});

test('passes cover every row once, in order, never more rows than allowed', () => {
  const lengths = Array.from({ length: 200 }, (_, i) => 5 + Math.floor((i * i) / 97));
  for (const pass of [0, 16, 512]) {
    const b = splitBatches(lengths, 32, pass);
    assert.equal(b[0][0], 0);
    assert.equal(b[b.length - 1][1], lengths.length);
    b.forEach(([s, e], k) => {
      assert.ok(e > s && e - s <= 32);
      if (k) assert.equal(s, b[k - 1][1]);
    });
  }
  assert.deepEqual(splitBatches([], 32, 16), []);
});
