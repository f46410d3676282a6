// Offline loading of the three kinds from real files, the fingerprint that keys the vector store,
// and one clear error for each way a model folder can be broken.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ModelLoadError, loadModel, type LoadedModel } from '../../../src/engine/models/load';
import { resolveModel, type ModelLocation } from '../../../src/engine/models/resolve';
import { modelsDir, repoRoot, tmpDir } from '../../helpers/env';
import { STATIC_EN, TINY_BERT, TINY_MLM } from '../../helpers/models';
import { copyModel } from './fakeHub';

const CROSS = 'semantic-notes-test/tiny-cross-encoder';
const crossDir = path.join(repoRoot, 'test', 'fixtures', 'models');

/** A writable copy of a shared model under a fresh root, as `acme/<name>`. */
function copyOf(id: string, name = 'copy', from = modelsDir()): ModelLocation {
  const root = tmpDir('sn-load-');
  const dir = path.join(root, 'acme', name);
  copyModel(path.join(from, id), dir);
  return { id: `acme/${name}`, dir, root, source: 'models-dir' };
}

async function offline<T>(fn: () => Promise<T>): Promise<T> {
  // Any network use during a load fails the test.
  const saved = globalThis.fetch;
  globalThis.fetch = (() => Promise.reject(new Error('network used during an offline load'))) as typeof fetch;
  try {
    return await fn();
  } finally {
    globalThis.fetch = saved;
  }
}

test('static-en and tiny-bert load offline as embedding models; the fingerprint is stable and differs between them', async () => {
  const [a, again, tiny] = await offline(async () => {
    const loc = await resolveModel(STATIC_EN, { modelsDir: modelsDir(), cacheDir: tmpDir() });
    return [await loadModel(loc, 'embedding'), await loadModel(loc, 'embedding'), await loadModel(await resolveModel(TINY_BERT, { modelsDir: modelsDir(), cacheDir: tmpDir() }), 'embedding', { threads: 1 })];
  });
  assert.equal(a.kind, 'embedding');
  assert.equal(a.dims, 128);
  assert.deepEqual(a.profile, { pooling: 'mean', normalize: true, maxTokens: 512, queryPrefix: '', passagePrefix: '', dtype: 'fp32', fusion: { method: 'convex', semanticWeight: 0.3 } });
  assert.equal(tiny.dims, 64);
  assert.equal(again.fingerprint, a.fingerprint, 'stable across loads');
  assert.notEqual(tiny.fingerprint, a.fingerprint);
  assert.match(a.fingerprint, /^semantic-notes\/static-en\|fp32\|128d\|mean-norm\|512t\|[0-9a-f]{16}$/);
  // It really embeds: [1, tokens, 128].
  const enc = a.tokenizer(['The weather is lovely today.'], { padding: true });
  const out = (await a.model(enc)) as Record<string, { dims: number[] }>;
  assert.deepEqual(out.last_hidden_state.dims, [1, 8, 128]);
});

test('fingerprint: the same files elsewhere give the same key; other weights or another window do not', async () => {
  const base = await loadModel(copyOf(TINY_BERT, 'fp'), 'embedding');
  const same = await loadModel(copyOf(TINY_BERT, 'fp'), 'embedding');
  assert.equal(same.fingerprint, base.fingerprint, 'content, not location');
  const changed = copyOf(TINY_BERT, 'fp');
  const onnx = path.join(changed.dir, 'onnx', 'model.onnx');
  const bytes = fs.readFileSync(onnx);
  // Nudge one weight (the middle of the file lies inside the big initializers) without
  // changing the size: the model still loads, but its key must change.
  bytes[Math.floor(bytes.length / 2)] ^= 1;
  fs.writeFileSync(onnx, bytes);
  const other: LoadedModel = await loadModel(changed, 'embedding');
  assert.notEqual(other.fingerprint, base.fingerprint);
  const shorter = copyOf(TINY_BERT, 'fp');
  fs.writeFileSync(path.join(shorter.dir, 'semantic-notes.json'), JSON.stringify({ maxTokens: 64 }));
  assert.notEqual((await loadModel(shorter, 'embedding')).fingerprint, base.fingerprint);
});

test('fill-mask and cross-encoder load with their heads', async () => {
  const mlm = await offline(async () => loadModel(await resolveModel(TINY_MLM, { modelsDir: modelsDir(), cacheDir: tmpDir() }), 'fill-mask'));
  assert.equal(mlm.kind, 'fill-mask');
  assert.equal(mlm.dims, 265, 'logits over the whole vocabulary');
  const ce = await offline(async () => loadModel(await resolveModel(CROSS, { modelsDir: crossDir, cacheDir: tmpDir() }), 'cross-encoder'));
  assert.equal(ce.kind, 'cross-encoder');
  assert.equal(ce.dims, 1, 'one relevance logit');
  assert.notEqual(ce.fingerprint, mlm.fingerprint);
});

test('a model of another kind is named as such, not an ONNX Runtime stack', async () => {
  await assert.rejects(loadModel(await resolveModel(STATIC_EN, { modelsDir: modelsDir(), cacheDir: tmpDir() }), 'fill-mask'), (e: unknown) => {
    assert.ok(e instanceof ModelLoadError);
    assert.equal(e.id, STATIC_EN);
    assert.match(e.message, /^Model semantic-notes\/static-en \(.*\) cannot be loaded: its ONNX graph outputs last_hidden_state, not logits: it is an embedding model, not a fill-mask model \(the catalog lists semantic-notes\/static-en as an embedding model\)\.$/);
    return true;
  });
});

test('a truncated ONNX file gives one clear error naming the model, the file and the fix', async () => {
  const loc = copyOf(TINY_BERT, 'truncated');
  const onnx = path.join(loc.dir, 'onnx', 'model.onnx');
  fs.writeFileSync(onnx, fs.readFileSync(onnx).subarray(0, 5000));
  await assert.rejects(loadModel(loc, 'embedding'), (e: unknown) => {
    assert.ok(e instanceof ModelLoadError);
    assert.match(e.message, /^Model acme\/truncated \(.*\) cannot be loaded: onnx\/model\.onnx \(5000 bytes\) is not a readable ONNX model — it is probably truncated or damaged; delete .* and fetch the model again/);
    assert.ok(!e.message.includes('\n    at '), 'no stack in the message');
    return true;
  });
  fs.writeFileSync(onnx, '');
  await assert.rejects(loadModel(loc, 'embedding'), /onnx\/model\.onnx is empty/);
  fs.rmSync(onnx);
  await assert.rejects(loadModel(loc, 'embedding'), /onnx\/model\.onnx \(fp32 weights\) is missing/);
});

test('a tokenizer larger than the embedding table is refused before ONNX Runtime sees it', async () => {
  const loc = copyOf(TINY_BERT, 'mismatch');
  fs.copyFileSync(path.join(modelsDir(), STATIC_EN, 'tokenizer.json'), path.join(loc.dir, 'tokenizer.json'));
  await assert.rejects(loadModel(loc, 'embedding'), (e: unknown) => {
    assert.ok(e instanceof ModelLoadError);
    assert.match(e.message, /its tokenizer has 30522 tokens \(ids up to 30521\) but the model's embedding table \(config\.json vocab_size\) has only 265: the tokenizer does not belong to this model/);
    return true;
  });
});

test('unreadable tokenizer, config or profile: one sentence each', async () => {
  const loc = copyOf(TINY_BERT, 'broken');
  fs.writeFileSync(path.join(loc.dir, 'tokenizer.json'), '{"model": ');
  await assert.rejects(loadModel(loc, 'embedding'), /cannot be loaded: tokenizer\.json is missing or not valid JSON/);
  const loc2 = copyOf(TINY_BERT, 'broken2');
  fs.writeFileSync(path.join(loc2.dir, 'config.json'), 'nope');
  await assert.rejects(loadModel(loc2, 'embedding'), /cannot be loaded: config\.json is missing or not valid JSON/);
  const loc3 = copyOf(TINY_BERT, 'broken3');
  fs.writeFileSync(path.join(loc3.dir, 'semantic-notes.json'), JSON.stringify({ pooling: 'sum' }));
  await assert.rejects(loadModel(loc3, 'embedding'), /cannot be loaded: "pooling" in .*semantic-notes\.json must be one of mean, cls, max/);
  // A failed load does not poison the next one.
  assert.equal((await loadModel(copyOf(TINY_BERT, 'fine'), 'embedding')).dims, 64);
});
