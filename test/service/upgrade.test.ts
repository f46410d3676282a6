// A better model is an upgrade, never a gate: through the real service process, switching the
// embedding model to one that must be downloaded (from a slow loopback hub in the hub's layout)
// keeps every search answering from the bundled model while the new one downloads and indexes
// beside it; file changes made meanwhile reach the new index; the switch happens once, at the end.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Notifications, Requests, type FolderStatus, type ModelReport, type ModelState, type SearchResult, type UpgradeEvent } from '../../src/protocol/protocol';
import { DEFAULT_EMBEDDING_MODEL } from '../../src/engine/session';
import { modelsDir, repoRoot, tmpDir } from '../helpers/env';
import { serviceConfig, startService } from '../helpers/service';
import { copyModel, startHub } from '../engine/models/fakeHub';

const TARGET = 'Xenova/all-MiniLM-L6-v2';
const GENERATED = 3000;

test('switching to a model that must be downloaded: searches answer throughout, the switch happens once', { timeout: 300_000 }, async () => {
  // The hub holds a model of all-MiniLM-L6-v2's exact shape under its id, and answers slowly.
  const hubRoot = tmpDir('sn-hub-');
  copyModel(path.join(modelsDir(), 'semantic-notes-test', 'minilm-l6-shape'), path.join(hubRoot, ...TARGET.split('/')));
  const hub = await startHub(hubRoot, { delayMs: 1500 });
  // Notes: the examples plus enough generated ones that indexing under the new model takes a while
  // (seconds: 300 became too few once notes were read on a worker thread).
  const root = tmpDir('sn-notes-');
  fs.cpSync(path.join(repoRoot, 'examples', 'notes'), root, { recursive: true });
  for (let i = 0; i < GENERATED; i++) fs.writeFileSync(path.join(root, `log-${i}.md`), `# Log ${i}\n\nDay ${i}: walked the dog, read about compilers and fixed a flaky test in module ${i % 17}.\n`);
  const svc = startService();
  const states: ModelState[] = [];
  const events: UpgradeEvent[] = [];
  svc.conn.onNotification(Notifications.modelState.method, (e: { embedding: ModelState }) => states.push(e.embedding));
  const at: number[] = [];
  svc.conn.onNotification(Notifications.upgrade.method, (e: UpgradeEvent) => (events.push(e), at.push(Date.now())));
  try {
    const base = serviceConfig({ embeddingModel: DEFAULT_EMBEDDING_MODEL, modelsDir: '', remoteHost: hub.url });
    const first = (await svc.conn.sendRequest(Requests.configure.method, base)) as ModelReport;
    assert.deepEqual([first.embedding.state, first.embedding.id], ['ready', DEFAULT_EMBEDDING_MODEL], 'the bundled model serves with no download');
    const folderId = 'notes';
    await svc.conn.sendRequest(Requests.openFolder.method, { id: folderId, root, storeDir: tmpDir('sn-store-') });
    await svc.conn.sendRequest(Requests.sync.method, { folderId });

    const search = async (query: string) => ((await svc.conn.sendRequest(Requests.search.method, { query, mode: 'hybrid', rerank: false, k: 5 })) as SearchResult).hits;
    assert.equal((await search('sourdough starter'))[0].path, 'cooking/bread.md');

    // The user picks a model that is not on this machine, with downloads allowed.
    const report = (await svc.conn.sendRequest(Requests.configure.method, { ...base, embeddingModel: TARGET, allowDownloads: true })) as ModelReport;
    assert.equal(report.embedding.id, DEFAULT_EMBEDDING_MODEL, 'configure answers at once; the current model keeps serving');
    assert.equal(report.upgrade?.target, TARGET);

    // Searches all through the download and the new model's indexing; a note written meanwhile.
    const answered: { phase: string; hits: number }[] = [];
    let wroteLate = false;
    const deadline = Date.now() + 240_000;
    while (!events.some((e) => e.phase === 'done' || e.phase === 'failed') && Date.now() < deadline) {
      const phase = events.at(-1)?.phase ?? 'download';
      const hits = await search('sourdough starter');
      answered.push({ phase, hits: hits.length });
      assert.equal(hits[0]?.path, 'cooking/bread.md', `a search during ${phase} answers from the current index`);
      if (phase === 'index' && !wroteLate) {
        fs.writeFileSync(path.join(root, 'late.md'), '# Quokka\n\nA quokka smiled at the camera on Rottnest Island.\n');
        await svc.conn.sendRequest(Requests.applyChanges.method, { folderId, changed: ['late.md'], deleted: [], renamed: [] });
        wroteLate = true;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const firstIndex = events.findIndex((e) => e.phase === 'index');
    console.log(`[upgrade] searches answered during the download: ${answered.filter((a) => a.phase === 'download').length}, during the new model's indexing (${at[at.length - 1] - at[firstIndex]} ms): ${answered.filter((a) => a.phase === 'index').length}`);
    const failed = events.find((e) => e.phase === 'failed');
    assert.equal(failed, undefined, failed?.message);
    assert.ok(answered.filter((a) => a.phase === 'download').length >= 3, `searches during the download: ${JSON.stringify(answered.slice(0, 5))}`);
    assert.ok(answered.filter((a) => a.phase === 'index').length >= 1, `searches during the new model's indexing: ${JSON.stringify(answered.slice(-5))}`);
    assert.ok(wroteLate, 'a change was made during indexing');

    // Exactly one switch, to the new model, after the last progress event.
    const switched = states.filter((s) => s.id === TARGET);
    assert.equal(switched.length, 1, JSON.stringify(states));
    assert.equal(switched[0].state, 'ready');
    const phases = events.map((e) => e.phase);
    assert.equal(phases.at(-1), 'done');
    assert.ok(phases.indexOf('index') > phases.lastIndexOf('download'), phases.join(','));
    assert.ok(hub.requests.some((r) => r.url.includes('model_quantized.onnx')), 'the weights came from the hub');

    const [status] = (await svc.conn.sendRequest(Requests.status.method)) as FolderStatus[];
    assert.equal(status.model, TARGET);
    assert.equal(status.files, GENERATED + 12);
    assert.equal(status.vectors, status.chunks, 'every passage has a vector under the new model');
    const late = await svc.conn.sendRequest(Requests.search.method, { query: 'quokka', mode: 'keyword', rerank: false, k: 1 }) as SearchResult;
    assert.equal(late.hits[0]?.path, 'late.md', 'the change made during indexing is in the new index');
    assert.equal(svc.exited, null);
  } finally {
    await svc.stop();
    await hub.close();
  }
});
