// Cross-encoder scoring and reranking on a real ONNX sequence-classification model (the tiny
// BERT with a linear head, built by scripts/make-cross-encoder-fixture.py), checked against the
// head's weights applied to the base model's own [CLS] output.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Tensor } from '@huggingface/transformers' with { 'resolution-mode': 'import' };
import { loadModel } from '../../../src/engine/models/load';
import { resolveModel } from '../../../src/engine/models/resolve';
import { CrossEncoder } from '../../../src/engine/rerank/crossEncoder';
import { PassageIndex } from '../../../src/engine/index/passageIndex';
import { readJson, repoRoot, tmpDir } from '../../helpers/env';
import { load, TINY_BERT } from '../../helpers/models';

const fixtures = path.join(repoRoot, 'test', 'fixtures', 'models');
const ID = 'semantic-notes-test/tiny-cross-encoder';

async function crossEncoder(): Promise<CrossEncoder> {
  return new CrossEncoder(await loadModel(await resolveModel(ID, { modelsDir: fixtures, cacheDir: tmpDir() }), 'cross-encoder'));
}

test('pair scores equal the classification head applied to the [CLS] vector of the pair', async () => {
  const head = readJson<{ w: number[]; b: number }>(path.join(fixtures, ID, 'head.json'));
  const base = await load(TINY_BERT);
  const query = 'capital of France';
  const passages = ['The capital of France is Paris.', 'export async function searchIndex(query)', 'Hello world!'];
  const enc = base.tokenizer(new Array(passages.length).fill(query), { text_pair: passages, padding: true, truncation: true });
  // The second segment is marked with token type 1: the pair really is encoded as a pair.
  assert.ok(Array.from((enc.token_type_ids as Tensor).data as BigInt64Array).some((x) => x === 1n));
  const hidden = ((await base.model(enc)) as Record<string, Tensor>).last_hidden_state;
  const [, seq, dims] = hidden.dims as number[];
  const data = hidden.data as Float32Array;
  const expected = passages.map((_, i) => head.w.reduce((s, w, d) => s + w * data[i * seq * dims + d], head.b));
  const got = await (await crossEncoder()).score(query, passages);
  got.forEach((g, i) => assert.ok(Math.abs(g - expected[i]) < 1e-4, `${g} vs ${expected[i]}`));
});

test('rerank reorders the top candidates by cross-encoder score', async () => {
  const ce = await crossEncoder();
  const idx = new PassageIndex({ dims: null });
  const texts = ['capital city of france paris', 'the capital of france', 'france has a capital', 'capital letters in france', 'paris france capital museum'];
  texts.forEach((text, i) => idx.add({ id: i + 1, path: `n${i}.md`, startLine: 1, endLine: 1, heading: '', text }, null));
  const plain = await idx.search('capital france', null, { mode: 'keyword', k: 5 });
  const reranked = await idx.search('capital france', null, { mode: 'keyword', k: 5, reranker: ce });
  const scores = await ce.score('capital france', reranked.map((r) => r.chunk.text));
  assert.deepEqual(reranked.map((r) => r.score), scores, 'results carry the cross-encoder score');
  for (let i = 1; i < scores.length; i++) assert.ok(scores[i - 1] >= scores[i]);
  assert.deepEqual(new Set(reranked.map((r) => r.chunk.id)), new Set(plain.map((r) => r.chunk.id)));
});

test('the cross-encoder reads at most its profile\'s maxTokens: text beyond that window does not change a score', async () => {
  // A copy of the fixture whose own profile (semantic-notes.json) sets a 24-token window.
  const dir = tmpDir('sn-ce-window-');
  fs.cpSync(path.join(fixtures, ID), path.join(dir, ID), { recursive: true });
  fs.writeFileSync(path.join(dir, ID, 'semantic-notes.json'), JSON.stringify({ maxTokens: 24 }));
  const m = await loadModel(await resolveModel(ID, { modelsDir: dir, cacheDir: tmpDir() }), 'cross-encoder');
  assert.equal(m.profile.maxTokens, 24);
  const ce = new CrossEncoder(m);
  const query = 'capital of france';
  const head = 'paris is the capital of france and its largest city by far';
  const [a, b] = await ce.score(query, [`${head} with museums`, `${head} export async function searchIndex(query) return hits`]);
  assert.ok(m.tokenizer.encode(`${query} ${head}`, { add_special_tokens: true }).length > 24, 'the pair is longer than the window');
  assert.ok(Math.abs(a - b) < 1e-6, `the passages differ only past the window, so their scores are equal: ${a} vs ${b}`);
});
