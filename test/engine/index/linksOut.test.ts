// Security: a cloned repository with `notes/x.md -> ~/.ssh/id_rsa` must not put that file in the
// index, neither by a full sync nor by a watcher event for the link; an untrusted workspace
// follows no link at all. Real files, real index (keyword only: no model needed).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NotesIndex } from '../../../src/engine/index/notesIndex';
import { tmpDir } from '../../helpers/env';

const SECRET = 'PRIVATEKEYMATERIAL';

function repoWithLinks(): { root: string } {
  const home = tmpDir('sn-links-home-');
  fs.mkdirSync(path.join(home, '.ssh'));
  fs.writeFileSync(path.join(home, '.ssh', 'id_rsa'), `-----BEGIN OPENSSH PRIVATE KEY-----\n${SECRET}\n`);
  const root = tmpDir('sn-links-repo-');
  fs.mkdirSync(path.join(root, 'notes'));
  fs.writeFileSync(path.join(root, 'notes', 'real.md'), '# Real\n\nA real note about gardening.\n');
  fs.symlinkSync(path.join(home, '.ssh', 'id_rsa'), path.join(root, 'notes', 'x.md'));
  fs.symlinkSync(path.join(home, '.ssh'), path.join(root, 'keys'));
  fs.symlinkSync(path.join(root, 'notes', 'real.md'), path.join(root, 'alias.md'));
  return { root };
}

test('a link out of the folder is not indexed by sync or by a watcher event', async () => {
  const { root } = repoWithLinks();
  const idx = NotesIndex.open({ root, storeDir: tmpDir('sn-links-store-'), encoder: null });
  await idx.sync();
  assert.deepEqual(idx.coverage().indexed.map((x) => x.path).sort(), ['alias.md', 'notes/real.md']);
  assert.deepEqual((await idx.search(SECRET, { mode: 'keyword', k: 5 })).length, 0);
  // The watcher reports the link (created, changed) and a path through the linked folder.
  assert.equal(await idx.updateFile('notes/x.md'), 'skipped');
  await idx.updateFile('keys/id_rsa.md').catch(() => undefined);
  fs.symlinkSync(path.join(root, 'keys', 'id_rsa'), path.join(root, 'keys2.md'));
  assert.equal(await idx.updateFile('keys2.md'), 'skipped');
  await idx.renameFile('notes/real.md', 'notes/x.md');
  assert.deepEqual((await idx.search(SECRET, { mode: 'keyword', k: 5 })).length, 0);
  assert.ok(!idx.hasFile('notes/x.md'));
  await idx.close();
});

test('an untrusted workspace follows no link, even inside the folder', async () => {
  const { root } = repoWithLinks();
  const idx = NotesIndex.open({ root, storeDir: tmpDir('sn-links-store-'), encoder: null, walk: { links: 'never' } });
  await idx.sync();
  assert.deepEqual(idx.coverage().indexed.map((x) => x.path), ['notes/real.md']);
  assert.equal(await idx.updateFile('alias.md'), 'skipped');
  assert.equal(await idx.updateFile('notes/real.md'), 'unchanged');
  await idx.close();
});
