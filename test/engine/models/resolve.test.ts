// Resolution order (models folder, then cache), id validation, folder completeness, the
// not-found message and the per-user cache location.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ModelNotFoundError, checkModelFolder, defaultCacheDir, resolveModel, validateModelId } from '../../../src/engine/models/resolve';
import { modelsDir, tmpDir } from '../../helpers/env';
import { STATIC_EN, TINY_BERT } from '../../helpers/models';
import { copyModel } from './fakeHub';

test('model ids: org/name as the hub and transformers.js accept them; traversal and odd forms rejected', async () => {
  for (const ok of ['Xenova/all-MiniLM-L6-v2', 'semantic-notes/static-en', 'bert-base-uncased', 'a/b', 'org_1/name.v2']) validateModelId(ok);
  for (const bad of ['../x', 'a/../b', '..', 'a/..', 'a/b/c', '', '/abs', 'a/', '.hidden/x', 'x-/y', 'a--b/c', 'a\\b', 'a/b c', 'C:/x', 'org/repo.git']) {
    assert.throws(() => validateModelId(bad), /is not a valid model id/, bad);
  }
  // Rejected before any folder is looked at or created.
  const cache = tmpDir();
  await assert.rejects(resolveModel('../escape', { cacheDir: cache, allowDownload: true, remoteHost: 'http://127.0.0.1:1' }), /not a valid model id/);
  await assert.rejects(resolveModel(STATIC_EN, { cacheDir: cache, revision: '../main' }), /not a valid revision/);
  await assert.rejects(resolveModel(STATIC_EN, { cacheDir: cache, dtype: 'q3' }), /not a supported ONNX precision/);
  assert.deepEqual(fs.readdirSync(cache), []);
});

test('the models folder comes first, then the cache', async () => {
  const cache = tmpDir('sn-cache-');
  copyModel(path.join(modelsDir(), TINY_BERT), path.join(cache, TINY_BERT));
  copyModel(path.join(modelsDir(), STATIC_EN), path.join(cache, STATIC_EN));
  const models = tmpDir('sn-models-');
  copyModel(path.join(modelsDir(), STATIC_EN), path.join(models, STATIC_EN));
  const a = await resolveModel(STATIC_EN, { modelsDir: models, cacheDir: cache });
  assert.deepEqual(a, { id: STATIC_EN, dir: path.join(models, STATIC_EN), root: models, source: 'models-dir' });
  const b = await resolveModel(TINY_BERT, { modelsDir: models, cacheDir: cache });
  assert.deepEqual(b, { id: TINY_BERT, dir: path.join(cache, TINY_BERT), root: cache, source: 'cache', revision: 'main' });
  // The shared folder itself, as tests and the CLI use it.
  assert.equal((await resolveModel(STATIC_EN, { modelsDir: modelsDir(), cacheDir: tmpDir() })).source, 'models-dir');
});

test('not found without downloads: names the model, every folder searched, why a folder was unusable, and the fixes', async () => {
  const models = tmpDir('sn-models-');
  const cache = tmpDir('sn-cache-');
  // An incomplete copy in the models folder: no weights.
  copyModel(path.join(modelsDir(), TINY_BERT), path.join(models, TINY_BERT));
  fs.rmSync(path.join(models, TINY_BERT, 'onnx'), { recursive: true });
  await assert.rejects(resolveModel(TINY_BERT, { modelsDir: models, cacheDir: cache }), (e: unknown) => {
    assert.ok(e instanceof ModelNotFoundError);
    assert.equal(e.id, TINY_BERT);
    assert.deepEqual(e.searched, [path.join(models, TINY_BERT), path.join(cache, TINY_BERT)]);
    assert.equal(e.downloadsAllowed, false);
    assert.ok(e.message.startsWith(`The model ${TINY_BERT} was not found. Looked in ${path.join(models, TINY_BERT)}, ${path.join(cache, TINY_BERT)}.`));
    assert.ok(e.message.includes(`${path.join(models, TINY_BERT)} is incomplete: onnx/model.onnx (fp32 weights) is missing.`));
    assert.match(e.message, /SEMANTIC_NOTES_MODELS \(or --models-dir, or the modelsDirectory setting\)/);
    assert.match(e.message, /allow downloads \(--allow-download/);
    assert.ok(!e.message.includes('\n'), 'one paragraph');
    return true;
  });
  await assert.rejects(resolveModel('acme/x', { modelsDir: path.join(models, 'nope'), cacheDir: cache }), /The models folder .*nope does not exist\./);
  // Asking for a precision the folder does not have.
  await assert.rejects(resolveModel(STATIC_EN, { modelsDir: modelsDir(), cacheDir: cache, dtype: 'q8' }), /static-en is incomplete: onnx\/model_quantized\.onnx \(q8 weights\) is missing/);
});

test('folder completeness: config, both tokenizer files, non-empty weights, external data', () => {
  const dir = path.join(tmpDir(), 'm');
  copyModel(path.join(modelsDir(), TINY_BERT), dir);
  assert.equal(checkModelFolder(dir, 'x/m'), null);
  fs.writeFileSync(path.join(dir, 'onnx', 'model.onnx'), '');
  assert.equal(checkModelFolder(dir, 'x/m'), 'onnx/model.onnx is empty');
  copyModel(path.join(modelsDir(), TINY_BERT), dir);
  const cfg = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ ...cfg, 'transformers.js_config': { use_external_data_format: true } }));
  assert.equal(checkModelFolder(dir, 'x/m'), 'onnx/model.onnx_data (external weights of onnx/model.onnx) is missing');
  fs.writeFileSync(path.join(dir, 'onnx', 'model.onnx_data'), 'x');
  assert.equal(checkModelFolder(dir, 'x/m'), null);
  fs.rmSync(path.join(dir, 'tokenizer_config.json'));
  assert.equal(checkModelFolder(dir, 'x/m'), 'tokenizer_config.json is missing');
  fs.writeFileSync(path.join(dir, 'config.json'), '{');
  assert.equal(checkModelFolder(dir, 'x/m'), 'config.json is not valid JSON');
});

test('per-user cache: $SEMANTIC_NOTES_CACHE, else XDG_CACHE_HOME (absolute only), else the platform folder', () => {
  const saved = { c: process.env.SEMANTIC_NOTES_CACHE, x: process.env.XDG_CACHE_HOME };
  try {
    process.env.SEMANTIC_NOTES_CACHE = '/tmp/sn-explicit';
    assert.equal(defaultCacheDir(), '/tmp/sn-explicit');
    delete process.env.SEMANTIC_NOTES_CACHE;
    if (process.platform === 'linux') {
      process.env.XDG_CACHE_HOME = '/tmp/xdg';
      assert.equal(defaultCacheDir(), '/tmp/xdg/semantic-notes/models');
      process.env.XDG_CACHE_HOME = 'relative/path';
      assert.equal(defaultCacheDir(), path.join(os.homedir(), '.cache', 'semantic-notes', 'models'));
      delete process.env.XDG_CACHE_HOME;
      assert.equal(defaultCacheDir(), path.join(os.homedir(), '.cache', 'semantic-notes', 'models'));
    }
  } finally {
    for (const [k, v] of [['SEMANTIC_NOTES_CACHE', saved.c], ['XDG_CACHE_HOME', saved.x]] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
});
