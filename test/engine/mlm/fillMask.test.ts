// Fill-mask against the torch golden top-5 of the tiny MLM fixture, plus input handling.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { FillMasker, FillMaskInputError } from '../../../src/engine/mlm/fillMask';
import { modelsDir, readJson } from '../../helpers/env';
import { load, TINY_MLM } from '../../helpers/models';

interface Golden {
  text: string;
  input_ids: number[];
  top5: { token: string; token_id: number; score: number }[];
}

test('top-5 tokens and probabilities match torch', async () => {
  const g = readJson<Golden>(path.join(modelsDir(), TINY_MLM, 'golden.json'));
  const masker = new FillMasker(await load(TINY_MLM, 'fill-mask'));
  const [cands] = await masker.predict(g.text, 5);
  assert.deepEqual(cands.map((c) => c.tokenId), g.top5.map((t) => t.token_id));
  assert.deepEqual(cands.map((c) => c.token), g.top5.map((t) => t.token));
  cands.forEach((c, i) => assert.ok(Math.abs(c.score - g.top5[i].score) < 1e-5, `${c.token}: ${c.score} vs ${g.top5[i].score}`));
  assert.equal(cands[0].sequence, g.text.replace('[MASK]', g.top5[0].token).toLowerCase().replace(' .', '.'));
});

test('several masks give one list each; no mask or too many is a clear error', async () => {
  const masker = new FillMasker(await load(TINY_MLM, 'fill-mask'));
  const lists = await masker.predict('The [MASK] of France is [MASK].', 3);
  assert.equal(lists.length, 2);
  assert.ok(lists.every((l) => l.length === 3));
  const sum = lists[0].reduce((s, c) => s + c.score, 0);
  assert.ok(sum > 0 && sum < 1);
  await assert.rejects(masker.predict('No mask here.', 5), (e: unknown) => e instanceof FillMaskInputError && /has no \[MASK\]/.test((e as Error).message));
  await assert.rejects(masker.predict('[MASK] '.repeat(6), 5), /at most 5/);
  // RoBERTa-style <mask> typed by a user maps to the model's own mask token.
  const [alt] = await masker.predict('The capital of France is <mask>.', 5);
  assert.equal(alt.length, 5);
});
