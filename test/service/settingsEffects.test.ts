// The service's one table of what a settings change needs, and configure acting on it through
// the real service process: the client gets the effect and only has to sync or re-search.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { Requests, type ServiceConfig } from '../../src/protocol/protocol';
import { EFFECT_OF_SETTING, settingsChange } from '../../src/service/settingsEffects';
import { modelsDir, repoRoot, tmpDir } from '../helpers/env';
import { serviceConfig, startService } from '../helpers/service';

test('the table: each setting\'s effect, and a change of several takes the strongest', () => {
  const base = serviceConfig();
  const effect = (over: Partial<ServiceConfig>) => settingsChange(base, { ...base, ...over }).effect;
  assert.equal(settingsChange(null, base).effect, 'reopen', 'a first configuration opens everything');
  assert.equal(effect({}), 'nothing');
  assert.equal(effect({ allowDownloads: true }), 'nothing', 'downloads on or off changes no index');
  assert.equal(effect({ fillMaskModel: 'x/y' }), 'nothing');
  assert.equal(effect({ semanticWeight: 0.7 }), 'research');
  assert.equal(effect({ crossEncoderModel: 'x/y' }), 'research');
  assert.equal(effect({ exclude: ['drafts/**'] }), 'resync');
  assert.equal(effect({ maxFileBytes: 1024 }), 'resync');
  assert.equal(effect({ embeddingModel: 'x/y' }), 'reembed');
  assert.equal(effect({ pooling: 'cls' }), 'reembed');
  assert.equal(effect({ semanticWeight: 0.7, exclude: ['a'], allowDownloads: true }), 'resync');
  assert.deepEqual(settingsChange(base, { ...base, semanticWeight: 0.7, exclude: ['a'] }).changed.sort(), ['exclude', 'semanticWeight']);
  assert.ok(Object.keys(EFFECT_OF_SETTING).length >= Object.keys(base).length, 'every setting is in the table');
});

test('configure does its part and answers the effect: downloads toggled and a weight changed keep the index; an exclude reopens the folder under the new rule', { timeout: 120_000 }, async () => {
  const svc = startService();
  try {
    const base = serviceConfig({ modelsDir: modelsDir() });
    assert.equal((await svc.conn.sendRequest(Requests.configure, base)).effect, 'reopen');
    const folderId = 'file:///notes';
    await svc.conn.sendRequest(Requests.openFolder, { id: folderId, root: path.join(repoRoot, 'examples', 'notes'), storeDir: tmpDir('sn-effects-store-') });
    const synced = await svc.conn.sendRequest(Requests.sync, { folderId });
    const status = async () => (await svc.conn.sendRequest(Requests.status))[0];
    const before = await status();

    const downloads = await svc.conn.sendRequest(Requests.configure, { ...base, allowDownloads: true });
    assert.equal(downloads.effect, 'nothing');
    assert.equal(downloads.embedding.state === 'ready' && downloads.embedding.id, base.embeddingModel);
    assert.equal(downloads.upgrade, undefined, 'no model to prepare');
    const weight = await svc.conn.sendRequest(Requests.configure, { ...base, allowDownloads: true, semanticWeight: 0.9 });
    assert.equal(weight.effect, 'research');
    const after = await status();
    assert.deepEqual([after.files, after.chunks, after.model], [before.files, before.chunks, before.model], 'the same index, still full, without a sync');

    const excluded = await svc.conn.sendRequest(Requests.configure, { ...base, allowDownloads: true, semanticWeight: 0.9, exclude: ['korean/**'] });
    assert.equal(excluded.effect, 'resync');
    const resynced = await svc.conn.sendRequest(Requests.sync, { folderId });
    assert.ok(resynced.files > 0 && resynced.files < synced.files, `the excluded folder left the index: ${synced.files} -> ${resynced.files}`);
    assert.equal(svc.exited, null);
  } finally {
    await svc.stop();
  }
});
