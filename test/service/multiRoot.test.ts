// Two workspace folders through the real service: the first folder's top hit is unrelated to the
// query (it only shares the word "branch"); the passage the user wants is in the second folder.
// The service ranks both folders as one collection, so that passage comes first in every mode.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { Requests, type SearchResult } from '../../src/protocol/protocol';
import { tmpDir } from '../helpers/env';
import { serviceConfig, startService } from '../helpers/service';
import { FOLDER_A, FOLDER_B, QUERY, writeFolder } from '../fixtures/twoFolders';

test('multi-root search: one ranking across folders puts the best passage first', { timeout: 120_000 }, async () => {
  const a = writeFolder(FOLDER_A);
  const b = writeFolder(FOLDER_B);
  const svc = startService();
  try {
    await svc.conn.sendRequest(Requests.configure.method, serviceConfig({ embeddingModel: 'semantic-notes/static-en-v2', modelsDir: '' }));
    for (const [id, root] of [['a', a], ['b', b]]) {
      await svc.conn.sendRequest(Requests.openFolder.method, { id, root, storeDir: tmpDir('sn-store-') });
      await svc.conn.sendRequest(Requests.sync.method, { folderId: id });
    }
    // The premise: searched alone, folder a has a first hit of its own.
    const alone = (await svc.conn.sendRequest(Requests.search.method, { query: QUERY, mode: 'hybrid', rerank: false, k: 1, folderIds: ['a'] })) as SearchResult;
    assert.equal(alone.hits[0]?.path, 'garden.md');
    for (const mode of ['hybrid', 'keyword', 'semantic'] as const) {
      const r = (await svc.conn.sendRequest(Requests.search.method, { query: QUERY, mode, rerank: false, k: 4 })) as SearchResult;
      assert.deepEqual([r.hits[0]?.folderId, r.hits[0]?.path], ['b', 'git.md'], `${mode}: ${JSON.stringify(r.hits.map((h) => [h.folderId, h.path, h.score]))}`);
      assert.equal(r.ranking, mode);
      // The service marks the words to highlight: "rebase" and "branch" in the git passage's snippet.
      const top = r.hits[0];
      assert.deepEqual(top.marks?.snippet.map(([x, y]) => top.snippet.slice(x, y).toLowerCase()).filter((w) => w === 'rebase' || w === 'branch').sort().slice(0, 2), ['branch', 'rebase']);
    }
  } finally {
    await svc.stop();
  }
});
