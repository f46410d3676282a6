// Broken embedding models, through the real background service: the models folder missing, the
// ONNX file truncated, a tokenizer that does not belong to the model. Each gives one clear model
// state and one log line (not one per request), the service process stays up (no crash, so no
// restart loop in the editor), and keyword search answers — hybrid and semantic requests fall
// back to keywords instead of failing.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Requests, type FolderHit, type SearchResult, type ModelState } from '../../src/protocol/protocol';
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

const cases: { name: string; models: () => string; state: ModelState['state']; says: RegExp }[] = [
  { name: 'models folder missing', models: () => path.join(tmpDir('sn-nomodels-'), 'not-there'), state: 'missing', says: /semantic-notes\/static-en/ },
  {
    name: 'ONNX file truncated',
    models: () =>
      brokenModels((d) => {
        const f = path.join(d, 'onnx', 'model.onnx');
        fs.truncateSync(f, Math.floor(fs.statSync(f).size / 3));
      }),
    state: 'error',
    says: /model\.onnx/,
  },
  {
    name: 'tokenizer of another model',
    models: () =>
      brokenModels((d) => {
        const other = path.join(modelsDir(), 'tokenizer-only', 'KR-SBERT-V40K-klueNLI-augSTS');
        for (const f of ['tokenizer.json', 'vocab.txt', 'tokenizer_config.json', 'special_tokens_map.json']) fs.copyFileSync(path.join(other, f), path.join(d, f));
      }),
    state: 'error',
    says: /tokenizer/i,
  },
];

for (const c of cases) {
  test(`embedding model fault — ${c.name}: one clear message, the service stays up, keyword search answers`, { timeout: 120_000 }, async () => {
    const svc = startService();
    try {
      const cfg = serviceConfig({ modelsDir: c.models() });
      const { embedding } = await svc.conn.sendRequest(Requests.configure.method, cfg) as { embedding: ModelState };
      assert.equal(embedding.state, c.state, JSON.stringify(embedding));
      const message = (embedding as { message: string }).message;
      assert.match(message, c.says);
      assert.doesNotMatch(message, /\n\s+at /, 'a sentence, not a stack trace');
      assert.ok(message.length < 1200, `short enough to show: ${message.length} chars`);

      const folderId = 'file:///notes';
      await svc.conn.sendRequest(Requests.openFolder.method, { id: folderId, root: notes, storeDir: tmpDir('sn-svc-store-') });
      const summary = await svc.conn.sendRequest(Requests.sync.method, { folderId }) as { files: number; model: string | null };
      assert.equal(summary.model, null, 'indexed by keywords only');
      assert.ok(summary.files >= 10);
      for (const mode of ['keyword', 'hybrid', 'semantic'] as const) {
        const { hits } = (await svc.conn.sendRequest(Requests.search.method, { query: 'git rebase', mode, rerank: false, k: 3 })) as SearchResult;
        assert.equal(hits[0]?.path, 'dev/git.md', `${mode} search falls back to keywords`);
      }
      const kimchi = ((await svc.conn.sendRequest(Requests.search.method, { query: '김치', mode: 'hybrid', rerank: false, k: 1 })) as SearchResult).hits;
      assert.equal(kimchi[0]?.path, 'korean/kimchi.md');
      // Asking again (what a user does) neither crashes nor floods the log.
      await svc.conn.sendRequest(Requests.sync.method, { folderId });
      const again = await svc.conn.sendRequest(Requests.configure.method, { ...cfg, include: ['**/*.md'] }) as { embedding: ModelState };
      assert.equal(again.embedding.state, c.state);
      const about = svc.logs.filter((l) => l.message.includes(MODEL) || c.says.test(l.message));
      assert.equal(about.length, 1, `logged ${about.length} times:\n${about.map((l) => l.message).join('\n')}`);
      assert.equal(svc.exited, null, 'the service process is still running');
      assert.ok(!svc.logs.some((l) => /service crashed|unhandled/.test(l.message)), svc.logs.map((l) => l.message).join('\n'));
      console.log(`[model-fault] ${c.name}: state ${embedding.state}, ${about.length} log line(s); message: ${message.split('\n')[0].slice(0, 160)}`);
    } finally {
      await svc.stop();
    }
  });
}
