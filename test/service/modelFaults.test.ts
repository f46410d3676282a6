// Broken embedding models, through the real background service: the models folder missing, the
// ONNX file truncated, a tokenizer that does not belong to the model. Each gives one clear
// sentence (an UpgradeEvent 'failed') and one log line (not one per request), the service
// process stays up (no crash, so no restart loop in the editor), and search by meaning goes on
// with the bundled model: a model that cannot be had is never a gate.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Notifications, Requests, type ModelReport, type SearchResult, type UpgradeEvent } from '../../src/protocol/protocol';
import { DEFAULT_EMBEDDING_MODEL } from '../../src/engine/session';
import { modelsDir, repoRoot, tmpDir } from '../helpers/env';
import { serviceConfig, startService } from '../helpers/service';

const notes = path.join(repoRoot, 'examples', 'notes');
const MODEL = 'semantic-notes/static-en';

/** A models folder holding a copy of static-en that `damage` then breaks. */
function brokenModels(damage: (modelDir: string) => void): string {
  const dir = tmpDir('sn-badmodels-');
  const dest = path.join(dir, MODEL);
  fs.cpSync(path.join(modelsDir(), MODEL), dest, { recursive: true });
  damage(dest);
  return dir;
}

const cases: { name: string; models: () => string; missing: boolean; says: RegExp }[] = [
  { name: 'models folder missing', models: () => path.join(tmpDir('sn-nomodels-'), 'not-there'), missing: true, says: /semantic-notes\/static-en/ },
  {
    name: 'ONNX file truncated',
    models: () =>
      brokenModels((d) => {
        const f = path.join(d, 'onnx', 'model.onnx');
        fs.truncateSync(f, Math.floor(fs.statSync(f).size / 3));
      }),
    missing: false,
    says: /model\.onnx/,
  },
  {
    name: 'tokenizer of another model',
    models: () =>
      brokenModels((d) => {
        const other = path.join(modelsDir(), 'tokenizer-only', 'KR-SBERT-V40K-klueNLI-augSTS');
        for (const f of ['tokenizer.json', 'vocab.txt', 'tokenizer_config.json', 'special_tokens_map.json']) fs.copyFileSync(path.join(other, f), path.join(d, f));
      }),
    missing: false,
    says: /tokenizer/i,
  },
];

for (const c of cases) {
  test(`embedding model fault — ${c.name}: one clear message, the service stays up, the bundled model searches by meaning`, { timeout: 120_000 }, async () => {
    const svc = startService();
    const events: UpgradeEvent[] = [];
    svc.conn.onNotification(Notifications.upgrade.method, (e: UpgradeEvent) => events.push(e));
    try {
      const cfg = serviceConfig({ modelsDir: c.models() });
      const { embedding } = (await svc.conn.sendRequest(Requests.configure.method, cfg)) as ModelReport;
      assert.deepEqual([embedding.state, embedding.id], ['ready', DEFAULT_EMBEDDING_MODEL], 'the bundled model serves');
      const deadline = Date.now() + 30_000;
      while (!events.some((e) => e.phase === 'failed') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const failed = events.find((e) => e.phase === 'failed');
      assert.ok(failed, JSON.stringify(events));
      assert.equal(failed.target, MODEL);
      assert.equal(failed.serving, DEFAULT_EMBEDDING_MODEL);
      assert.equal(failed.missing, c.missing);
      const message = failed.message ?? '';
      assert.match(message, c.says);
      assert.doesNotMatch(message, /\n\s+at /, 'a sentence, not a stack trace');
      assert.ok(message.length < 1200, `short enough to show: ${message.length} chars`);

      const folderId = 'file:///notes';
      await svc.conn.sendRequest(Requests.openFolder.method, { id: folderId, root: notes, storeDir: tmpDir('sn-svc-store-') });
      const summary = await svc.conn.sendRequest(Requests.sync.method, { folderId }) as { files: number; model: string | null };
      assert.equal(summary.model, DEFAULT_EMBEDDING_MODEL, 'indexed with the bundled model');
      assert.ok(summary.files >= 10);
      for (const mode of ['keyword', 'hybrid', 'semantic'] as const) {
        const r = (await svc.conn.sendRequest(Requests.search.method, { query: 'git rebase', mode, rerank: false, k: 3 })) as SearchResult;
        assert.equal(r.hits[0]?.path, 'dev/git.md', `${mode} search answers`);
        assert.equal(r.ranking, mode, `${mode} ranks as asked`);
      }
      const kimchi = ((await svc.conn.sendRequest(Requests.search.method, { query: '김치', mode: 'hybrid', rerank: false, k: 1 })) as SearchResult).hits;
      assert.equal(kimchi[0]?.path, 'korean/kimchi.md');
      // Asking again (what a user does) neither crashes nor floods the log.
      await svc.conn.sendRequest(Requests.sync.method, { folderId });
      const again = (await svc.conn.sendRequest(Requests.configure.method, { ...cfg, include: ['**/*.md'] })) as ModelReport;
      assert.equal(again.embedding.id, DEFAULT_EMBEDDING_MODEL);
      assert.equal(again.upgrade?.phase, 'failed', 'configure still says why the chosen model does not serve');
      const about = svc.logs.filter((l) => l.message.includes(MODEL) || c.says.test(l.message));
      assert.equal(about.length, 1, `logged ${about.length} times:\n${about.map((l) => l.message).join('\n')}`);
      assert.equal(svc.exited, null, 'the service process is still running');
      assert.ok(!svc.logs.some((l) => /service crashed|unhandled/.test(l.message)), svc.logs.map((l) => l.message).join('\n'));
      console.log(`[model-fault] ${c.name}: serving ${embedding.id}, ${about.length} log line(s); message: ${message.split('\n')[0].slice(0, 160)}`);
    } finally {
      await svc.stop();
    }
  });
}
