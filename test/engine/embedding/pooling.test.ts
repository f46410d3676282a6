// Golden parity: our tokenize → ONNX → pool path against torch outputs stored beside the tiny
// BERT fixture, on a padded batch, for every pooling mode.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { Encoder } from '../../../src/engine/embedding/encoder';
import { pool } from '../../../src/engine/embedding/pooling';
import { modelsDir, readJson } from '../../helpers/env';
import { load, TINY_BERT } from '../../helpers/models';

interface Golden {
  sentences: { text: string; input_ids: number[]; mean_pooled_normalized: number[] }[];
}

const golden = () => readJson<Golden>(path.join(modelsDir(), TINY_BERT, 'golden.json'));

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= tol, `${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
}

test('tokenizer gives the golden token ids', async () => {
  const m = await load(TINY_BERT);
  for (const s of golden().sentences) {
    assert.deepEqual(m.tokenizer.encode(s.text), s.input_ids, s.text);
  }
});

test('mean pooling of a padded batch matches torch to 1e-5', async () => {
  const g = golden();
  const enc = new Encoder(await load(TINY_BERT), undefined, 8);
  // All three sentences in one batch: the shorter two are padded to the longest.
  const vecs = await enc.embed(g.sentences.map((s) => s.text), { pooling: 'mean', normalize: true });
  g.sentences.forEach((s, i) => assertClose(vecs[i], s.mean_pooled_normalized, 1e-5, s.text));
});

test('cls and max pooling on a padded batch equal the unpadded single-sentence results', async () => {
  const g = golden();
  const enc = new Encoder(await load(TINY_BERT), undefined, 8);
  const texts = g.sentences.map((s) => s.text);
  for (const pooling of ['cls', 'max', 'mean'] as const) {
    const batched = await enc.embed(texts, { pooling, normalize: false });
    for (let i = 0; i < texts.length; i++) {
      const [alone] = await enc.embed([texts[i]], { pooling, normalize: false });
      assertClose(batched[i], alone, 1e-5, `${pooling} ${texts[i]}`);
    }
  }
  // The three modes really differ, so the comparison above is not vacuous.
  const [c] = await enc.embed([texts[1]], { pooling: 'cls' });
  const [mx] = await enc.embed([texts[1]], { pooling: 'max' });
  const [mn] = await enc.embed([texts[1]], { pooling: 'mean' });
  assert.ok(Math.abs(c[0] - mn[0]) > 1e-4 && Math.abs(mx[0] - mn[0]) > 1e-4);
});

test('pool() masks padding exactly as sentence-transformers does', () => {
  // batch of 2, seq 3, dims 2; second row has one padding token holding huge values.
  const data = new Float32Array([1, 2, 3, 4, 5, 6, /* row 2 */ 1, -1, 3, 1, 1000, 1000]);
  const mask = [1, 1, 1, 1, 1, 0];
  const t = { data, batch: 2, seq: 3, dims: 2, mask };
  assert.deepEqual(Array.from(pool(t, 'cls', false)[1]), [1, -1]);
  assert.deepEqual(Array.from(pool(t, 'mean', false)[0]), [3, 4]);
  assert.deepEqual(Array.from(pool(t, 'mean', false)[1]), [2, 0]);
  assert.deepEqual(Array.from(pool(t, 'max', false)[1]), [3, 1]);
  const n = pool(t, 'mean', true)[0];
  assertClose(n, [0.6, 0.8], 1e-7, 'normalized');
});
