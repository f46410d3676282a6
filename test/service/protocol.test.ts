// The protocol as the service speaks it, through the real process: rerank availability is a typed
// model state (not a log line to parse), and choices outside the protocol's lists are refused
// with one clear sentence.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { ResponseError } from 'vscode-jsonrpc/node';
import { ErrorCodes, Notifications, Requests, type ModelState } from '../../src/protocol/protocol';
import { DEFAULT_EMBEDDING_MODEL } from '../../src/engine/session';
import { modelsDir, repoRoot, tmpDir } from '../helpers/env';
import { serviceConfig, startService } from '../helpers/service';

const CROSS_ENCODER = 'semantic-notes-test/tiny-cross-encoder';

test('rerank availability arrives as a typed state: missing once (not per search), then ready when its model is there', { timeout: 120_000 }, async () => {
  const svc = startService();
  const states: ModelState[] = [];
  svc.conn.onNotification(Notifications.rerankState, (s) => states.push(s));
  try {
    // The shared models folder has no cross-encoder.
    const base = serviceConfig({ modelsDir: modelsDir(), embeddingModel: DEFAULT_EMBEDDING_MODEL, crossEncoderModel: CROSS_ENCODER });
    await svc.conn.sendRequest(Requests.configure, base);
    const folderId = 'file:///notes';
    await svc.conn.sendRequest(Requests.openFolder, { id: folderId, root: path.join(repoRoot, 'examples', 'notes'), storeDir: tmpDir('sn-proto-store-') });
    await svc.conn.sendRequest(Requests.sync, { folderId });
    for (let i = 0; i < 3; i++) {
      const r = await svc.conn.sendRequest(Requests.search, { query: 'sourdough starter', mode: 'hybrid', rerank: true, k: 5 });
      assert.ok(r.hits.length > 0, 'search answers without rerank');
    }
    assert.equal(states.length, 1, JSON.stringify(states));
    assert.equal(states[0].state, 'missing');
    assert.equal(states[0].id, CROSS_ENCODER);
    assert.match(states[0].state === 'missing' ? states[0].message : '', /tiny-cross-encoder/);
    // A models folder that holds it: the next rerank search reports it ready.
    await svc.conn.sendRequest(Requests.configure, { ...base, modelsDir: path.join(repoRoot, 'test', 'fixtures', 'models') });
    await svc.conn.sendRequest(Requests.search, { query: 'sourdough starter', mode: 'hybrid', rerank: true, k: 5 });
    assert.deepEqual(states.at(-1), { state: 'ready', id: CROSS_ENCODER, dims: 1 });
  } finally {
    await svc.stop();
  }
});

test('a metric or pooling outside the protocol\'s lists is refused as bad input, naming the choices', { timeout: 60_000 }, async () => {
  const svc = startService();
  try {
    await svc.conn.sendRequest(Requests.configure, serviceConfig({ modelsDir: modelsDir() }));
    const bad = (params: object) => svc.conn.sendRequest(Requests.similarity.method, params);
    await assert.rejects(bad({ texts: ['a', 'b'], metric: 'manhattan' }), (e: unknown) => e instanceof ResponseError && e.code === ErrorCodes.badInput && /cosine, euclidean, dot/.test(e.message));
    await assert.rejects(bad({ texts: ['a', 'b'], metric: 'cosine', pooling: 'sum' }), (e: unknown) => e instanceof ResponseError && e.code === ErrorCodes.badInput && /mean, cls, max/.test(e.message));
    const ok = await svc.conn.sendRequest(Requests.similarity, { texts: ['a cat', 'a dog'], metric: 'cosine', pooling: 'max' });
    assert.equal(ok.pooling, 'max');
    // Empty (a settings value) means the model's own pooling, as absent does.
    const own = await svc.conn.sendRequest(Requests.similarity.method, { texts: ['a cat', 'a dog'], metric: 'cosine', pooling: '' });
    assert.equal((own as { pooling: string }).pooling, 'mean');
    assert.equal(svc.exited, null);
  } finally {
    await svc.stop();
  }
});
