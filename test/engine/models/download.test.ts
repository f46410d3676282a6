// The download path against a loopback hub (127.0.0.1) serving a copy of the tiny BERT fixture in
// the hub's URL layout: progress, cache layout, offline reuse, and every way a transfer can fail
// without leaving something that passes for a model.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { downloadModel, ModelDownloadError, type DownloadProgress } from '../../../src/engine/models/download';
import { MANIFEST_FILE, readManifest } from '../../../src/engine/models/folder';
import { loadModel } from '../../../src/engine/models/load';
import { ModelNotFoundError, checkModelFolder, resolveModel } from '../../../src/engine/models/resolve';
import { tmpDir } from '../../helpers/env';
import { hubWithTinyBert, sha256, startHub } from './fakeHub';

const ONNX = 'onnx/model.onnx';

function leftovers(cache: string): string[] {
  const partial = path.join(cache, '.partial');
  return fs.existsSync(partial) ? fs.readdirSync(partial) : [];
}

test('download: files land in <cache>/<org>/<name> with progress, then resolve offline from the cache', async () => {
  const { root, dir: original } = hubWithTinyBert();
  const hub = await startHub(root);
  const cache = tmpDir('sn-cache-');
  const events: DownloadProgress[] = [];
  let loc;
  try {
    loc = await resolveModel('acme/tiny', { cacheDir: cache, allowDownload: true, remoteHost: hub.url, onProgress: (p) => events.push(p) });
  } finally {
    await hub.close();
  }
  assert.equal(loc.source, 'hub');
  assert.equal(loc.dir, path.join(cache, 'acme', 'tiny'));
  assert.equal(loc.root, cache);
  // The hub's URL layout, exactly as transformers.js builds it from remoteHost + remotePathTemplate.
  assert.ok(hub.requests.some((r) => r.url === '/acme/tiny/resolve/main/config.json'));
  assert.ok(hub.requests.some((r) => r.url === '/acme/tiny/resolve/main/onnx/model_quantized.onnx'), 'q8 is tried first');
  assert.ok(hub.requests.some((r) => r.url === '/acme/tiny/resolve/main/onnx/model.onnx'), 'then fp32');
  for (const f of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', ONNX]) {
    assert.equal(sha256(path.join(loc.dir, f)), sha256(path.join(original, f)), f);
    const mine = events.filter((e) => e.file === f);
    assert.equal(mine[0]?.status, 'download', `${f} starts with a download event`);
    const done = mine.at(-1)!;
    assert.equal(done.status, 'done');
    assert.equal(done.loaded, fs.statSync(path.join(original, f)).size);
    assert.equal(done.total, done.loaded);
  }
  assert.ok(!events.some((e) => e.file.includes('model_quantized')), 'a file the hub lacks reports nothing');
  const manifest = readManifest(loc.dir)!;
  assert.equal(manifest.dtype, 'fp32');
  assert.equal(manifest.commit?.length, 40);
  assert.equal(manifest.files[ONNX].size, fs.statSync(path.join(original, ONNX)).size);
  assert.deepEqual(leftovers(cache), []);

  // Server gone: the second resolve is served by the cache, and the model loads offline.
  const again = await resolveModel('acme/tiny', { cacheDir: cache, allowDownload: true, remoteHost: hub.url });
  assert.equal(again.source, 'cache');
  assert.equal(again.dir, loc.dir);
  const m = await loadModel(again, 'embedding');
  assert.equal(m.dims, 64);
});

test('download: LFS files are checked against the sha256 the hub states; a mismatch leaves nothing', async () => {
  const { root, dir: original } = hubWithTinyBert();
  const good = await startHub(root, { lfs: true });
  const cache = tmpDir('sn-cache-');
  try {
    const loc = await resolveModel('acme/tiny', { cacheDir: cache, allowDownload: true, remoteHost: good.url });
    assert.ok(good.requests.some((r) => r.url.startsWith('/storage/')), 'followed the redirect to storage');
    assert.equal(readManifest(loc.dir)!.files[ONNX].sha256, sha256(path.join(original, ONNX)));
  } finally {
    await good.close();
  }
  const bad = await startHub(root, { lfs: true, wrongSha: true });
  const cache2 = tmpDir('sn-cache-');
  try {
    await assert.rejects(resolveModel('acme/tiny', { cacheDir: cache2, allowDownload: true, remoteHost: bad.url }), (e: unknown) => {
      assert.ok(e instanceof ModelDownloadError);
      assert.match(e.message, /onnx\/model\.onnx of acme\/tiny/);
      assert.match(e.message, /sha256/);
      return true;
    });
  } finally {
    await bad.close();
  }
  assert.ok(!fs.existsSync(path.join(cache2, 'acme', 'tiny')));
  assert.deepEqual(leftovers(cache2), []);
});

test('download: a connection dropped mid-file every time leaves no file and no folder that counts', async () => {
  const { root } = hubWithTinyBert();
  const hub = await startHub(root, { fault: (file) => (file === ONNX ? { dropAfter: 1000 } : undefined) });
  const cache = tmpDir('sn-cache-');
  try {
    await assert.rejects(resolveModel('acme/tiny', { cacheDir: cache, allowDownload: true, remoteHost: hub.url }), (e: unknown) => {
      assert.ok(e instanceof ModelDownloadError, String(e));
      assert.match(e.message, /could not download onnx\/model\.onnx of acme\/tiny .* after 3 tries/);
      assert.match(e.message, /bytes|connection|closed/);
      return true;
    });
  } finally {
    await hub.close();
  }
  assert.ok(hub.requests.filter((r) => r.url.endsWith(ONNX)).length === 3, 'retried');
  assert.ok(!fs.existsSync(path.join(cache, 'acme', 'tiny')), 'nothing moved into place');
  assert.deepEqual(leftovers(cache), [], 'staging removed');
  await assert.rejects(resolveModel('acme/tiny', { cacheDir: cache }), ModelNotFoundError);
});

test('download: a dropped connection is resumed with a Range request and the file is whole', async () => {
  const { root, dir: original } = hubWithTinyBert();
  const hub = await startHub(root, { fault: (file, nth) => (file === ONNX && nth === 0 ? { dropAfter: 100_000 } : undefined) });
  const cache = tmpDir('sn-cache-');
  try {
    const loc = await resolveModel('acme/tiny', { cacheDir: cache, allowDownload: true, remoteHost: hub.url });
    assert.equal(sha256(path.join(loc.dir, ONNX)), sha256(path.join(original, ONNX)));
  } finally {
    await hub.close();
  }
  const ranges = hub.requests.filter((r) => r.url.endsWith(ONNX) && r.range);
  assert.equal(ranges.length, 1);
  assert.match(ranges[0].range!, /^bytes=\d+-$/);
  assert.ok(Number(/\d+/.exec(ranges[0].range!)![0]) > 0);
});

test('download: a server without Range support is restarted from zero; 5xx answers are retried', async () => {
  const { root, dir: original } = hubWithTinyBert();
  const hub = await startHub(root, {
    ranges: false,
    fault: (file, nth) => (file === ONNX && nth === 0 ? { dropAfter: 50_000 } : file === 'tokenizer.json' && nth === 0 ? { status: 503 } : undefined),
  });
  const cache = tmpDir('sn-cache-');
  try {
    const loc = await resolveModel('acme/tiny', { cacheDir: cache, allowDownload: true, remoteHost: hub.url });
    assert.equal(sha256(path.join(loc.dir, ONNX)), sha256(path.join(original, ONNX)));
  } finally {
    await hub.close();
  }
});

test('download: unknown model gives ModelNotFoundError naming the folders and the hub; no weights is clear too', async () => {
  const { root } = hubWithTinyBert((dir) => {
    // A second repository with a config and tokenizer but no ONNX weights.
    const bare = path.join(dir, '..', 'bare');
    fs.mkdirSync(bare, { recursive: true });
    for (const f of ['config.json', 'tokenizer.json', 'tokenizer_config.json']) fs.copyFileSync(path.join(dir, f), path.join(bare, f));
  });
  const hub = await startHub(root);
  const cache = tmpDir('sn-cache-');
  const models = tmpDir('sn-models-');
  try {
    await assert.rejects(resolveModel('acme/nothing', { modelsDir: models, cacheDir: cache, allowDownload: true, remoteHost: hub.url }), (e: unknown) => {
      assert.ok(e instanceof ModelNotFoundError);
      assert.equal(e.downloadsAllowed, true);
      assert.match(e.message, /^The model acme\/nothing was not found\./);
      assert.ok(e.message.includes(path.join(models, 'acme', 'nothing')));
      assert.ok(e.message.includes(path.join(cache, 'acme', 'nothing')));
      assert.ok(e.message.includes(`${hub.url}/acme/nothing`));
      assert.match(e.message, /HTTP 401 for config\.json/);
      return true;
    });
    await assert.rejects(resolveModel('acme/bare', { cacheDir: cache, allowDownload: true, remoteHost: hub.url }), (e: unknown) => {
      assert.ok(e instanceof ModelDownloadError);
      assert.match(e.message, /acme\/bare .* has no ONNX weights .*model_quantized\.onnx, onnx\/model\.onnx/);
      return true;
    });
    await assert.rejects(resolveModel('acme/tiny', { cacheDir: cache, allowDownload: true, remoteHost: hub.url, dtype: 'q4' }), /no ONNX weights .*onnx\/model_q4\.onnx.*another precision/);
  } finally {
    await hub.close();
  }
  assert.deepEqual(fs.readdirSync(cache).filter((n) => n !== '.partial'), []);
  assert.deepEqual(leftovers(cache), []);
});

test('download: the hub being unreachable is one clear error', async () => {
  const cache = tmpDir('sn-cache-');
  // A loopback port that was just freed: nothing listens, the connection is refused.
  const gone = await startHub(tmpDir());
  await gone.close();
  await assert.rejects(resolveModel('acme/tiny', { cacheDir: cache, allowDownload: true, remoteHost: gone.url, onProgress: () => {} }), (e: unknown) => {
    assert.ok(e instanceof ModelDownloadError);
    assert.ok(e.message.startsWith(`could not download config.json of acme/tiny from ${gone.url} after 3 tries: `), e.message);
    assert.match(e.message, /ECONNREFUSED/);
    return true;
  });
  assert.deepEqual(leftovers(cache), []);
});

test('download: cancelling with an AbortSignal stops at once and removes the staging folder', async () => {
  const { root } = hubWithTinyBert();
  const hub = await startHub(root, { fault: (file) => (file === ONNX ? { stallAfter: 10_000 } : undefined) });
  const cache = tmpDir('sn-cache-');
  const ac = new AbortController();
  const started = Date.now();
  try {
    const p = resolveModel('acme/tiny', {
      cacheDir: cache,
      allowDownload: true,
      remoteHost: hub.url,
      signal: ac.signal,
      onProgress: (e) => {
        if (e.file === ONNX && e.loaded > 0) ac.abort();
      },
    });
    await assert.rejects(p, (e: unknown) => {
      assert.ok(e instanceof ModelDownloadError);
      assert.equal(e.cancelled, true);
      assert.match(e.message, /cancelled/);
      return true;
    });
  } finally {
    await hub.close();
  }
  assert.ok(Date.now() - started < 5000);
  assert.ok(!fs.existsSync(path.join(cache, 'acme', 'tiny')));
  assert.deepEqual(leftovers(cache), []);
});

test('download: a stalled connection is abandoned after the idle timeout', async () => {
  const { root } = hubWithTinyBert();
  const hub = await startHub(root, { fault: (file) => (file === ONNX ? { stallAfter: 5000 } : undefined) });
  const cache = tmpDir('sn-cache-');
  try {
    await assert.rejects(downloadModel({ id: 'acme/tiny', cacheRoot: cache, remoteHost: hub.url, idleTimeoutMs: 200, attempts: 2, retryDelayMs: 10 }), /after 2 tries: no data for 200 ms/);
  } finally {
    await hub.close();
  }
  assert.ok(!fs.existsSync(path.join(cache, 'acme', 'tiny')));
});

test('download: dtype picks the file; a second precision is added without losing the first', async () => {
  const { root } = hubWithTinyBert((dir) => fs.copyFileSync(path.join(dir, ONNX), path.join(dir, 'onnx', 'model_quantized.onnx')));
  const hub = await startHub(root);
  const cache = tmpDir('sn-cache-');
  try {
    const q8 = await resolveModel('acme/tiny', { cacheDir: cache, allowDownload: true, remoteHost: hub.url });
    assert.equal(readManifest(q8.dir)!.dtype, 'q8', 'q8 preferred for downloads');
    assert.ok(!fs.existsSync(path.join(q8.dir, ONNX)));
    const fp32 = await resolveModel('acme/tiny', { cacheDir: cache, allowDownload: true, remoteHost: hub.url, dtype: 'fp32' });
    assert.equal(fp32.source, 'hub');
    assert.equal(fp32.dtype, 'fp32');
    assert.ok(fs.existsSync(path.join(fp32.dir, ONNX)));
    assert.ok(fs.existsSync(path.join(fp32.dir, 'onnx', 'model_quantized.onnx')), 'the q8 file was kept');
    assert.deepEqual(Object.keys(readManifest(fp32.dir)!.files).filter((f) => f.startsWith('onnx/')).sort(), ['onnx/model.onnx', 'onnx/model_quantized.onnx']);
    assert.equal(checkModelFolder(fp32.dir, 'acme/tiny', 'q8'), null);
    const fromCache = await resolveModel('acme/tiny', { cacheDir: cache, dtype: 'q8' });
    assert.equal(fromCache.source, 'cache');
  } finally {
    await hub.close();
  }
});

test('download: revisions other than main go to their own cache root and URL', async () => {
  const { root } = hubWithTinyBert();
  fs.cpSync(path.join(root, 'acme'), path.join(root, '@v2', 'acme'), { recursive: true });
  const hub = await startHub(root);
  const cache = tmpDir('sn-cache-');
  try {
    const loc = await resolveModel('acme/tiny', { cacheDir: cache, allowDownload: true, remoteHost: hub.url, revision: 'v2' });
    assert.equal(loc.root, path.join(cache, '@v2'));
    assert.equal(loc.dir, path.join(cache, '@v2', 'acme', 'tiny'));
    assert.equal(loc.revision, 'v2');
    assert.ok(hub.requests.some((r) => r.url === '/acme/tiny/resolve/v2/config.json'));
    await assert.rejects(resolveModel('acme/tiny', { cacheDir: cache }), ModelNotFoundError, 'main is not v2');
    assert.equal((await resolveModel('acme/tiny', { cacheDir: cache, revision: 'v2' })).source, 'cache');
  } finally {
    await hub.close();
  }
});

test('download: concurrent resolves of one model in one process share one transfer', async () => {
  const { root } = hubWithTinyBert();
  const hub = await startHub(root, { delayMs: 20 });
  const cache = tmpDir('sn-cache-');
  try {
    const [a, b] = await Promise.all([
      resolveModel('acme/tiny', { cacheDir: cache, allowDownload: true, remoteHost: hub.url }),
      resolveModel('acme/tiny', { cacheDir: cache, allowDownload: true, remoteHost: hub.url }),
    ]);
    assert.equal(a.dir, b.dir);
  } finally {
    await hub.close();
  }
  assert.equal(hub.requests.filter((r) => r.url.endsWith('/config.json')).length, 1);
});

test('download: a damaged cached file (size differs from the manifest) is not taken as complete', async () => {
  const { root } = hubWithTinyBert();
  const hub = await startHub(root);
  const cache = tmpDir('sn-cache-');
  let dir: string;
  try {
    dir = (await resolveModel('acme/tiny', { cacheDir: cache, allowDownload: true, remoteHost: hub.url })).dir;
  } finally {
    await hub.close();
  }
  assert.ok(fs.existsSync(path.join(dir, MANIFEST_FILE)));
  fs.truncateSync(path.join(dir, ONNX), 1234);
  assert.match(checkModelFolder(dir, 'acme/tiny')!, /onnx\/model\.onnx has 1234 bytes but was downloaded with \d+/);
  await assert.rejects(resolveModel('acme/tiny', { cacheDir: cache }), (e: unknown) => {
    assert.ok(e instanceof ModelNotFoundError);
    assert.match(e.message, /is incomplete: onnx\/model\.onnx has 1234 bytes/);
    return true;
  });
  // Stale staging folders of dead processes are swept by the next download.
  const stale = path.join(cache, '.partial', 'acme--tiny.999999999.deadbeef');
  fs.mkdirSync(stale, { recursive: true });
  const hub2 = await startHub(root);
  try {
    const loc = await resolveModel('acme/tiny', { cacheDir: cache, allowDownload: true, remoteHost: hub2.url });
    assert.equal(checkModelFolder(loc.dir, 'acme/tiny'), null, 'the damaged copy was replaced');
  } finally {
    await hub2.close();
  }
  assert.ok(!fs.existsSync(stale));
});

test('download: the repository’s own profile files come along and steer the download', async () => {
  const { root } = hubWithTinyBert((dir) => {
    fs.copyFileSync(path.join(dir, ONNX), path.join(dir, 'onnx', 'model_quantized.onnx'));
    fs.writeFileSync(path.join(dir, 'semantic-notes.json'), JSON.stringify({ pooling: 'cls', dtype: 'fp32' }));
    fs.writeFileSync(path.join(dir, 'modules.json'), JSON.stringify([{ path: '', type: 'sentence_transformers.models.Transformer' }, { path: '1_Pooling', type: 'sentence_transformers.models.Pooling' }]));
    fs.mkdirSync(path.join(dir, '1_Pooling'));
    fs.writeFileSync(path.join(dir, '1_Pooling', 'config.json'), JSON.stringify({ pooling_mode_mean_tokens: true }));
    // A second repository whose pipeline has a Dense layer we cannot reproduce.
    const dense = path.join(dir, '..', 'dense');
    fs.cpSync(dir, dense, { recursive: true });
    fs.rmSync(path.join(dense, 'semantic-notes.json'));
    fs.writeFileSync(path.join(dense, 'modules.json'), JSON.stringify([{ path: '1_Pooling', type: 'sentence_transformers.models.Pooling' }, { path: '2_Dense', type: 'sentence_transformers.models.Dense' }]));
  });
  const hub = await startHub(root);
  const cache = tmpDir('sn-cache-');
  try {
    const loc = await resolveModel('acme/tiny', { cacheDir: cache, allowDownload: true, remoteHost: hub.url });
    assert.ok(fs.existsSync(path.join(loc.dir, '1_Pooling', 'config.json')));
    assert.equal(readManifest(loc.dir)!.dtype, 'fp32', "semantic-notes.json's dtype decides");
    assert.ok(!hub.requests.some((r) => r.url.includes('/acme/tiny/') && r.url.endsWith('model_quantized.onnx')));
    const m = await loadModel(loc, 'embedding');
    assert.equal(m.profile.pooling, 'cls');
    await assert.rejects(resolveModel('acme/dense', { cacheDir: cache, allowDownload: true, remoteHost: hub.url }), /acme\/dense: .*Dense after pooling/);
    assert.ok(!hub.requests.some((r) => r.url.includes('/acme/dense/') && r.url.includes('/onnx/')), 'refused before fetching weights');
  } finally {
    await hub.close();
  }
  assert.ok(!fs.existsSync(path.join(cache, 'acme', 'dense')));
});
