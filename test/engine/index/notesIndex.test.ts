// The notes index over real files with the real static-en model: incremental sync, restart
// without re-embedding, edits/renames/deletes, search modes, related passages, and a store that
// survives a damaged file.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NotesIndex } from '../../../src/engine/index/notesIndex';
import { repoRoot, tmpDir } from '../../helpers/env';
import { encoder } from '../../helpers/models';

function copyExamples(): string {
  const dir = tmpDir('sn-notes-');
  fs.cpSync(path.join(repoRoot, 'examples', 'notes'), dir, { recursive: true });
  return dir;
}

test('full index, then a restart re-embeds nothing and finds the same results', async () => {
  const root = copyExamples();
  const store = tmpDir('sn-store-');
  const enc = await encoder();
  const a = NotesIndex.open({ root, storeDir: store, encoder: enc });
  const first = await a.sync();
  assert.equal(first.files, 11);
  assert.ok(first.chunks >= 15, `chunks ${first.chunks}`);
  assert.equal(first.embedded, first.chunks);
  const before = await a.search('how do I undo a commit', { k: 3 });
  assert.equal(before[0].path, 'dev/git.md');
  assert.equal(before[0].heading, 'Git cheatsheet › Undo the last commit');
  await a.close();

  const b = NotesIndex.open({ root, storeDir: store, encoder: enc });
  const second = await b.sync();
  assert.equal(second.embedded, 0, 'nothing changed, nothing embedded');
  assert.equal(second.chunks, first.chunks);
  assert.deepEqual(await b.search('how do I undo a commit', { k: 3 }), before);
  await b.close();
});

test('edits, renames and deletes are followed; unchanged passages keep their vectors', async () => {
  const root = copyExamples();
  const store = tmpDir('sn-store-');
  const idx = NotesIndex.open({ root, storeDir: store, encoder: await encoder() });
  await idx.sync();
  // Edit one section of a note: only the changed passage is embedded again.
  const git = path.join(root, 'dev/git.md');
  fs.writeFileSync(git, fs.readFileSync(git, 'utf8').replace('shows the commit and author', 'shows the commit, date and author'));
  assert.equal(await idx.updateFile('dev/git.md'), 'indexed');
  const hits = await idx.search('commit date and author of each line', { mode: 'keyword', k: 1 });
  assert.match(hits[0].snippet, /commit, date and author/);
  // Rename: same passages under the new path, nothing re-embedded.
  fs.renameSync(path.join(root, 'travel.md'), path.join(root, 'lisbon.md'));
  await idx.renameFile('travel.md', 'lisbon.md');
  assert.ok(!idx.hasFile('travel.md') && idx.hasFile('lisbon.md'));
  const s = await idx.sync();
  assert.equal(s.embedded, 0, 'the rename and the edit were already applied');
  // Delete.
  fs.rmSync(path.join(root, 'health.md'));
  await idx.removeFile('health.md');
  assert.equal((await idx.search('caffeine sleep', { mode: 'keyword' })).filter((h) => h.path === 'health.md').length, 0);
  // A rename done behind our back is caught by sync, still without re-embedding.
  fs.renameSync(path.join(root, 'cooking/pasta.md'), path.join(root, 'cooking/spaghetti.md'));
  const r = await idx.sync();
  assert.equal(r.embedded, 0);
  assert.ok(idx.hasFile('cooking/spaghetti.md') && !idx.hasFile('cooking/pasta.md'));
  await idx.close();
  const again = NotesIndex.open({ root, storeDir: store, encoder: await encoder() });
  assert.equal((await again.sync()).embedded, 0);
  assert.deepEqual(again.coverage().indexed.map((x) => x.path), fs.readdirSync(root, { recursive: true }).map(String).filter((p) => /\.(md|txt)$/.test(p)).sort().map((p) => p.split(path.sep).join('/')).sort((x, y) => x.localeCompare(y)));
  await again.close();
});

test('keyword, semantic and hybrid find Korean and English; related excludes the note itself', async () => {
  const root = copyExamples();
  fs.writeFileSync(
    path.join(root, 'cooking', 'sourdough-log.md'),
    '# Sourdough log\n\nFed the starter with rye flour and water; it doubled overnight. The dough rested, was shaped into a loaf and baked in a hot dutch oven.\n',
  );
  // static-en-v2: the weaker static-en finds nothing that stands out as related in so small a folder.
  const idx = NotesIndex.open({ root, storeDir: tmpDir('sn-store-'), encoder: await encoder('semantic-notes/static-en-v2') });
  await idx.sync();
  // Particles: the query stem "기차" matches "기차를" and "기차가".
  const ko = await idx.search('기차', { mode: 'keyword', k: 3 });
  assert.equal(ko[0].path, 'korean/travel-busan.md');
  const sem = await idx.search('baking a loaf with wild yeast', { mode: 'semantic', k: 3 });
  assert.equal(sem[0].path, 'cooking/bread.md');
  const hyb = await idx.search('sourdough starter feeding', { mode: 'hybrid', k: 3 });
  assert.equal(hyb[0].path, 'cooking/bread.md');
  assert.ok(hyb[0].startLine >= 1 && hyb[0].endLine >= hyb[0].startLine);
  const rel = await idx.related({ path: 'cooking/bread.md' }, 5);
  assert.ok(rel.length > 0 && rel.every((h) => h.path !== 'cooking/bread.md'));
  assert.equal(rel[0].path, 'cooking/sourdough-log.md');
  const relText = await idx.related({ text: 'docker containers and images' }, 3);
  assert.equal(relText[0].path, 'dev/docker.md');
  assert.deepEqual(await idx.search('   ', {}), []);
  await idx.close();
});

test('without a model the index is keyword-only and still answers', async () => {
  const root = copyExamples();
  const idx = NotesIndex.open({ root, storeDir: tmpDir('sn-store-'), encoder: null });
  const r = await idx.sync();
  assert.equal(r.embedded, 0);
  assert.equal((await idx.search('docker prune', { mode: 'hybrid', k: 1 }))[0].path, 'dev/docker.md');
  await assert.rejects(idx.search('docker', { mode: 'semantic' }), /needs an embedding model/);
  assert.ok((await idx.related({ path: 'dev/docker.md' }, 3)).length > 0);
  await idx.close();
});

test('a damaged store file is detected at open and the index rebuilt, not trusted', async () => {
  const root = copyExamples();
  const store = tmpDir('sn-store-');
  const enc = await encoder();
  const a = NotesIndex.open({ root, storeDir: store, encoder: enc });
  await a.sync();
  await a.flush();
  const folder = a.storePath;
  await a.close();
  const vectors = fs.readdirSync(folder).find((f) => f.endsWith('.vectors.bin'))!;
  const buf = fs.readFileSync(path.join(folder, vectors));
  buf[100] ^= 0xff; // one flipped bit pattern
  fs.writeFileSync(path.join(folder, vectors), buf);
  const warnings: string[] = [];
  const b = NotesIndex.open({ root, storeDir: store, encoder: enc, log: (_l, m) => warnings.push(m) });
  assert.ok(warnings.some((w) => /vectors are damaged/.test(w)), warnings.join('\n'));
  assert.equal(b.status().vectors, 0, 'no damaged vector is trusted');
  assert.ok(b.status().chunks > 0, 'the passages and their text are kept');
  assert.equal((await b.search('git rebase', { mode: 'keyword', k: 1 }))[0].path, 'dev/git.md', 'keyword search answers before the repair');
  const r = await b.sync();
  assert.equal(r.embedded, r.chunks, 'every passage embedded again');
  assert.equal(b.status().vectors, b.status().chunks);
  assert.equal((await b.search('git rebase', { k: 1 }))[0].path, 'dev/git.md');
  await b.close();
  // A damaged keyword index alone is rebuilt from the stored text, keeping the vectors.
  const c = NotesIndex.open({ root, storeDir: store, encoder: enc });
  await c.flush();
  await c.close();
  const bm = fs.readdirSync(folder).find((f) => f.endsWith('.bm25.bin'))!;
  fs.truncateSync(path.join(folder, bm), 10);
  const w2: string[] = [];
  const d = NotesIndex.open({ root, storeDir: store, encoder: enc, log: (_l, m) => w2.push(m) });
  assert.ok(w2.some((w) => /keyword index is damaged/.test(w)), w2.join('\n'));
  assert.equal((await d.sync()).embedded, 0);
  assert.equal((await d.search('git rebase', { mode: 'keyword', k: 1 }))[0].path, 'dev/git.md');
  await d.close();
});
