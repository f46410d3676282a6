// Model resolution, profiles, loading errors and the download path against a loopback hub.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { loadModel } from '../../../src/engine/models/load';
import { readProfile } from '../../../src/engine/models/profile';
import { ModelNotFoundError, resolveModel } from '../../../src/engine/models/resolve';
import { modelsDir, tmpDir } from '../../helpers/env';
import { STATIC_EN, TINY_BERT } from '../../helpers/models';

/** Serves a folder of models in the hub's URL layout: /<org>/<name>/resolve/<rev>/<file>. */
async function hub(root: string, opts: { dropAfter?: number } = {}): Promise<{ url: string; requests: string[]; close: () => Promise<void> }> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req.url!);
    const m = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(decodeURIComponent(req.url!));
    const file = m ? path.join(root, m[1], m[3]) : '';
    if (!m || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404).end('not found');
      return;
    }
    const body = fs.readFileSync(file);
    res.writeHead(200, { 'content-length': body.length });
    if (opts.dropAfter !== undefined && file.endsWith('.onnx')) {
      res.write(body.subarray(0, opts.dropAfter));
      res.destroy();
      return;
    }
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, requests, close: () => new Promise((r) => server.close(() => r())) };
}

function hubCopy(): string {
  const root = tmpDir('sn-hub-');
  fs.cpSync(path.join(modelsDir(), TINY_BERT), path.join(root, 'acme', 'tiny'), { recursive: true });
  return root;
}

test('a local models folder comes first and loads offline', async () => {
  const loc = await resolveModel(STATIC_EN, { modelsDir: modelsDir(), cacheDir: tmpDir() });
  assert.equal(loc.source, 'models-dir');
  const m = await loadModel(loc, 'embedding');
  assert.equal(m.profile.pooling, 'mean');
  assert.ok(m.fingerprint.startsWith(STATIC_EN));
  const again = await loadModel(loc, 'embedding');
  assert.equal(again.fingerprint, m.fingerprint, 'fingerprint is stable across loads');
  const other = await loadModel(await resolveModel(TINY_BERT, { modelsDir: modelsDir() }), 'embedding');
  assert.notEqual(other.fingerprint, m.fingerprint);
});

test('missing model without downloads: one clear error naming the folders searched', async () => {
  const cache = tmpDir();
  await assert.rejects(resolveModel('acme/nothing', { modelsDir: modelsDir(), cacheDir: cache }), (e: unknown) => {
    assert.ok(e instanceof ModelNotFoundError);
    assert.match(e.message, /acme\/nothing/);
    assert.ok(e.message.includes(path.join(cache, 'acme/nothing')));
    assert.match(e.message, /SEMANTIC_NOTES_MODELS/);
    return true;
  });
  await assert.rejects(resolveModel('../etc/passwd', {}), /not a valid model id/);
});

test('download from a loopback hub lands in the cache with progress, then works offline', async () => {
  const h = await hub(hubCopy());
  const cache = tmpDir();
  const events: string[] = [];
  try {
    const loc = await resolveModel('acme/tiny', { cacheDir: cache, allowDownload: true, remoteHost: h.url, onProgress: (p) => events.push(`${p.status}:${p.file}`) });
    assert.equal(loc.source, 'hub');
    assert.ok(fs.existsSync(path.join(cache, 'acme/tiny/onnx/model.onnx')));
    assert.ok(events.includes('done:onnx/model.onnx') && events.includes('done:config.json'));
    assert.ok(h.requests.some((r) => r.includes('/acme/tiny/resolve/main/config.json')));
    const m = await loadModel(loc, 'embedding');
    assert.equal(m.profile.pooling, 'mean');
  } finally {
    await h.close();
  }
  const again = await resolveModel('acme/tiny', { cacheDir: cache, allowDownload: true, remoteHost: 'http://127.0.0.1:9' });
  assert.equal(again.source, 'cache');
});

test('a connection dropped mid-file leaves nothing that passes for a model; 404 is clear', async () => {
  const h = await hub(hubCopy(), { dropAfter: 1000 });
  const cache = tmpDir();
  try {
    await assert.rejects(resolveModel('acme/tiny', { cacheDir: cache, allowDownload: true, remoteHost: h.url }), /could not download acme\/tiny/);
    assert.ok(!fs.existsSync(path.join(cache, 'acme/tiny')));
    await assert.rejects(resolveModel('acme/missing', { cacheDir: cache, allowDownload: true, remoteHost: h.url }), ModelNotFoundError);
  } finally {
    await h.close();
  }
});

test('profiles come from semantic-notes.json, sentence-transformers files, the catalog or defaults', () => {
  const dir = tmpDir();
  fs.writeFileSync(path.join(dir, 'tokenizer_config.json'), JSON.stringify({ model_max_length: 384 }));
  assert.deepEqual(readProfile(dir, 'x/unknown'), { pooling: 'mean', normalize: true, maxTokens: 384, queryPrefix: '', passagePrefix: '', dtype: 'fp32' });
  fs.writeFileSync(path.join(dir, 'modules.json'), JSON.stringify([{ type: 'sentence_transformers.models.Transformer', path: '' }, { type: 'sentence_transformers.models.Pooling', path: '1_Pooling' }]));
  fs.mkdirSync(path.join(dir, '1_Pooling'));
  fs.writeFileSync(path.join(dir, '1_Pooling/config.json'), JSON.stringify({ pooling_mode_cls_token: true }));
  assert.equal(readProfile(dir, 'x/unknown').pooling, 'cls');
  assert.equal(readProfile(dir, 'x/unknown').normalize, false, 'no Normalize module');
  fs.writeFileSync(path.join(dir, 'semantic-notes.json'), JSON.stringify({ pooling: 'max', queryPrefix: 'query: ' }));
  assert.equal(readProfile(dir, 'x/unknown').pooling, 'max');
  assert.equal(readProfile(dir, 'x/unknown').queryPrefix, 'query: ');
  const kr = path.join(modelsDir(), 'tokenizer-only/KR-SBERT-V40K-klueNLI-augSTS');
  assert.equal(readProfile(kr, 'snunlp/KR-SBERT').pooling, 'mean');
  const e5 = tmpDir();
  assert.equal(readProfile(e5, 'Xenova/multilingual-e5-small').passagePrefix, 'passage: ');
});

test('a truncated ONNX file or a mismatched tokenizer gives one clear error', async () => {
  const root = hubCopy();
  const dir = path.join(root, 'acme', 'tiny');
  const onnx = path.join(dir, 'onnx/model.onnx');
  fs.writeFileSync(onnx, fs.readFileSync(onnx).subarray(0, 5000));
  await assert.rejects(loadModel({ id: 'acme/tiny', dir, root, source: 'models-dir' }, 'embedding'), /could not be loaded as an embedding model.*truncated/);
  const root2 = hubCopy();
  const dir2 = path.join(root2, 'acme', 'tiny');
  fs.copyFileSync(path.join(modelsDir(), STATIC_EN, 'tokenizer.json'), path.join(dir2, 'tokenizer.json'));
  await assert.rejects(loadModel({ id: 'acme/tiny', dir: dir2, root: root2, source: 'models-dir' }, 'embedding'), /does not belong to this model/);
});
