// Watcher events through the real service (applyChanges): the service keeps out what the walk
// would keep out — a file listed in sub/.gitignore, one in an excluded folder, a link out of the
// folder — so the next full sync finds nothing to undo. In an untrusted workspace no link is
// followed, even one inside the folder. Keyword search tells what got in.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Requests, type IndexSummary, type SearchResult } from '../../src/protocol/protocol';
import { tmpDir } from '../helpers/env';
import { serviceConfig, startService, type RunningService } from '../helpers/service';
import { writeFolder } from '../fixtures/twoFolders';

const found = async (svc: RunningService, word: string) =>
  ((await svc.conn.sendRequest(Requests.search.method, { query: word, mode: 'keyword', rerank: false, k: 5 })) as SearchResult).hits.map((h) => h.path);

test('applyChanges keeps out what the walk keeps out; the next sync has nothing to undo', { timeout: 120_000 }, async () => {
  const root = writeFolder({
    'a.md': '# A\n\nThe first note.\n',
    'sub/.gitignore': '*.md\n!keep.md\nprivate/\n',
    'sub/keep.md': '# Keep\n\nKept.\n',
    'archive/old.md': '# Old\n\nOld.\n',
  });
  const outside = tmpDir('sn-svc-outside-');
  fs.writeFileSync(path.join(outside, 'id_rsa'), 'yakkeymaterial\n');
  const svc = startService();
  try {
    await svc.conn.sendRequest(Requests.configure.method, serviceConfig({ exclude: ['**/archive'] }));
    await svc.conn.sendRequest(Requests.openFolder.method, { id: 'f', root, storeDir: tmpDir('sn-store-') });
    await svc.conn.sendRequest(Requests.sync.method, { folderId: 'f' });
    // What a watcher reports after these writes.
    fs.writeFileSync(path.join(root, 'sub', 'drop.md'), 'gnuignored word\n');
    fs.mkdirSync(path.join(root, 'sub', 'private'));
    fs.writeFileSync(path.join(root, 'sub', 'private', 'keep.md'), 'ibisprivate word\n');
    fs.writeFileSync(path.join(root, 'archive', 'new.md'), 'emuarchived word\n');
    fs.symlinkSync(path.join(outside, 'id_rsa'), path.join(root, 'x.md'));
    fs.writeFileSync(path.join(root, 'fresh.md'), 'okapifresh word\n');
    const changed = ['sub/drop.md', 'sub/private/keep.md', 'archive/new.md', 'x.md', 'fresh.md'];
    await svc.conn.sendRequest(Requests.applyChanges.method, { folderId: 'f', changed, deleted: [], renamed: [] });
    for (const w of ['gnuignored', 'ibisprivate', 'emuarchived', 'yakkeymaterial']) assert.deepEqual(await found(svc, w), [], w);
    assert.deepEqual(await found(svc, 'okapifresh'), ['fresh.md']);
    const r = (await svc.conn.sendRequest(Requests.sync.method, { folderId: 'f' })) as IndexSummary;
    assert.equal(r.files, 3, 'a.md, sub/keep.md, fresh.md');
    assert.equal(r.embedded, 0, 'the sync finds nothing the watcher got wrong');
  } finally {
    await svc.stop();
  }
});

test('an untrusted workspace follows no link, by sync or by watcher event', { timeout: 120_000 }, async () => {
  const root = writeFolder({ 'real.md': '# Real\n\nlemurreal word\n' });
  fs.symlinkSync(path.join(root, 'real.md'), path.join(root, 'alias.md'));
  const svc = startService();
  try {
    await svc.conn.sendRequest(Requests.configure.method, serviceConfig({ trusted: false }));
    await svc.conn.sendRequest(Requests.openFolder.method, { id: 'f', root, storeDir: tmpDir('sn-store-') });
    await svc.conn.sendRequest(Requests.sync.method, { folderId: 'f' });
    await svc.conn.sendRequest(Requests.applyChanges.method, { folderId: 'f', changed: ['alias.md'], deleted: [], renamed: [] });
    assert.deepEqual(await found(svc, 'lemurreal'), ['real.md']);
    const cov = (await svc.conn.sendRequest(Requests.coverage.method, { folderId: 'f' })) as { skipped: { path: string; reason: string }[] };
    assert.deepEqual(cov.skipped.map((s) => [s.path, s.reason]), [['alias.md', 'symlink-refused']]);
    // Trusted again: the link inside the folder is followed.
    await svc.conn.sendRequest(Requests.configure.method, serviceConfig({ trusted: true }));
    await svc.conn.sendRequest(Requests.sync.method, { folderId: 'f' });
    assert.deepEqual((await found(svc, 'lemurreal')).sort(), ['alias.md', 'real.md']);
  } finally {
    await svc.stop();
  }
});
