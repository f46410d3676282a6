// Two workspace folders through the real service: the first folder's top hit is unrelated to the
// query (it only shares the word "branch"); the passage the user wants is in the second folder.
// The service ranks both folders as one collection, so that passage comes first in every mode.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Requests, type SearchResult } from '../../src/protocol/protocol';
import { tmpDir } from '../helpers/env';
import { serviceConfig, startService } from '../helpers/service';

function folder(files: Record<string, string>): string {
  const dir = tmpDir('sn-root-');
  for (const [rel, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, rel), text);
  return dir;
}

test('multi-root search: one ranking across folders puts the best passage first', { timeout: 120_000 }, async () => {
  const a = folder({
    'garden.md': '# Pruning\n\nCut each branch of the apple tree back to an outward bud in late winter.\n',
    'soup.md': '# Leek soup\n\nSweat the leeks in butter, add stock and simmer for twenty minutes.\n',
    'bikes.md': '# Chain care\n\nWipe the chain and oil every link after a wet ride.\n',
  });
  const b = folder({
    'git.md': '# Git\n\n## Rebase a feature branch\n\nRun git fetch, then git rebase origin/main on the feature branch and fix conflicts.\n',
    'travel.md': '# Packing list\n\nPassport, charger, a light rain jacket.\n',
    'tea.md': '# Green tea\n\nBrew at 80 degrees for two minutes.\n',
  });
  const svc = startService();
  try {
    await svc.conn.sendRequest(Requests.configure.method, serviceConfig({ embeddingModel: 'semantic-notes/static-en-v2', modelsDir: '' }));
    for (const [id, root] of [['a', a], ['b', b]]) {
      await svc.conn.sendRequest(Requests.openFolder.method, { id, root, storeDir: tmpDir('sn-store-') });
      await svc.conn.sendRequest(Requests.sync.method, { folderId: id });
    }
    // The premise: searched alone, folder a has a first hit of its own.
    const alone = (await svc.conn.sendRequest(Requests.search.method, { query: 'rebase my feature branch', mode: 'hybrid', rerank: false, k: 1, folderIds: ['a'] })) as SearchResult;
    assert.equal(alone.hits[0]?.path, 'garden.md');
    for (const mode of ['hybrid', 'keyword', 'semantic'] as const) {
      const r = (await svc.conn.sendRequest(Requests.search.method, { query: 'rebase my feature branch', mode, rerank: false, k: 4 })) as SearchResult;
      assert.deepEqual([r.hits[0]?.folderId, r.hits[0]?.path], ['b', 'git.md'], `${mode}: ${JSON.stringify(r.hits.map((h) => [h.folderId, h.path, h.score]))}`);
      assert.equal(r.ranking, mode);
    }
  } finally {
    await svc.stop();
  }
});
