// Notes that change while they are being indexed: a writer deletes, renames, rewrites and creates
// notes in the middle of a real sync (driven by the sync's own progress, so it lands mid-run on
// any machine). The sync neither crashes nor keeps stale passages, and the next sync — what the
// file watcher triggers — brings the index to exactly a clean rebuild of the disk. Also: Hangul
// names stored in NFD are found whichever form the caller gives.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NotesIndex } from '../../../src/engine/index/notesIndex';
import { dataDir, repoRoot, tmpDir } from '../../helpers/env';
import { encoder } from '../../helpers/models';
import { cleanRebuild, passageFingerprint } from '../../helpers/rebuild';

test('files deleted, renamed, rewritten and created during a sync: the next sync equals a clean rebuild', { timeout: 300_000 }, async () => {
  const dir = tmpDir('sn-live-');
  execFileSync('tar', ['xzf', path.join(dataDir(), 'notes-corpus.tar.gz'), '-C', dir, 'notes-corpus/rust-book-en', 'notes-corpus/vue-docs-ko']);
  const root = path.join(dir, 'notes-corpus');
  const files = (fs.readdirSync(root, { recursive: true }) as string[]).filter((f) => f.endsWith('.md')).sort();
  const enc = await encoder();
  const idx = NotesIndex.open({ root, storeDir: tmpDir('sn-live-store-'), encoder: enc });
  let acted = 0;
  const act = (done: number) => {
    // Early, middle and late in the run, touch notes already indexed and notes still to come.
    if (![20, 120, 220].includes(done)) return;
    acted++;
    const at = (i: number) => path.join(root, files[(done * 13 + i * 17) % files.length]);
    for (let i = 0; i < 5; i++) fs.rmSync(at(i), { force: true });
    for (let i = 5; i < 10; i++) if (fs.existsSync(at(i))) fs.renameSync(at(i), at(i).replace(/\.md$/, `-renamed-${done}.md`));
    for (let i = 10; i < 15; i++) if (fs.existsSync(at(i))) fs.writeFileSync(at(i), `# Rewritten at ${done}\n\nThis note was rewritten while the index was being built, item ${i}.\n`);
    for (let i = 15; i < 20; i++) if (fs.existsSync(at(i))) fs.appendFileSync(at(i), `\n\nAppended while indexing at ${done}.\n`);
    fs.mkdirSync(path.join(root, 'created'), { recursive: true });
    for (let i = 0; i < 5; i++) fs.writeFileSync(path.join(root, 'created', `during-${done}-${i}.md`), `# Created during indexing\n\nNote ${i} appeared at ${done}.\n`);
  };
  // A second writer on a timer, racing the reads themselves.
  let ticks = 0;
  const timer = setInterval(() => {
    const f = path.join(root, files[(ticks * 31) % files.length]);
    if (fs.existsSync(f)) fs.writeFileSync(f, `# Timer rewrite ${ticks}\n\nWritten by a second writer racing the reads, tick ${ticks}.\n`);
    ticks++;
  }, 25);
  let first;
  try {
    first = await idx.sync({ onProgress: (p) => p.phase === 'index' && act(p.done) });
  } finally {
    clearInterval(timer);
  }
  assert.equal(acted, 3, 'the writer acted early, mid-run and late');
  // Whatever the first run saw, it kept no passage of a note that is gone.
  for (const { path: p } of idx.coverage().indexed) {
    if (!fs.existsSync(path.join(root, p))) assert.ok(!idx.hasFile(p) || files.includes(p), p);
  }
  const second = await idx.sync();
  const expected = await cleanRebuild(root, enc);
  assert.deepEqual(passageFingerprint(idx), expected);
  assert.equal(idx.passages.vectors!.size, idx.passages.size);
  assert.equal(idx.passages.bm25.size, idx.passages.size);
  // And once more: nothing left to do, nothing stale hiding behind an unchanged size and mtime.
  const third = await idx.sync();
  assert.equal(third.embedded, 0);
  assert.equal(third.changed, 0);
  assert.deepEqual(passageFingerprint(idx), expected);
  console.log(`[live-changes] first sync ${first.files} notes under ${acted * 25} changes + ${ticks} racing rewrites; the next sync changed ${second.changed} and removed ${second.removed}; equal to a clean rebuild (${expected.length} passages)`);
  await idx.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('Hangul names stored in NFD are updated, renamed and removed whichever form the caller gives', async () => {
  const root = tmpDir('sn-nfd-');
  fs.cpSync(path.join(repoRoot, 'examples', 'notes'), root, { recursive: true });
  const nfd = '한글메모.md'.normalize('NFD');
  const nfc = '한글메모.md'.normalize('NFC');
  assert.notEqual(nfd, nfc);
  fs.writeFileSync(path.join(root, nfd), '# 한글 메모\n\n바다 여행 계획을 세웠다.\n');
  const idx = NotesIndex.open({ root, storeDir: tmpDir('sn-nfd-store-'), encoder: await encoder() });
  await idx.sync();
  assert.ok(idx.hasFile(nfc), 'keyed in NFC');
  // An edit reported under the NFC name (the file is NFD on disk).
  fs.appendFileSync(path.join(root, nfd), '\n산 등산 계획도 세웠다.\n');
  assert.equal(await idx.updateFile(nfc), 'indexed');
  assert.equal((await idx.search('등산', { mode: 'keyword', k: 1 }))[0]?.path, nfc);
  // Reported under the NFD name: the same note, not a second one.
  fs.appendFileSync(path.join(root, nfd), '\n강 낚시도 했다.\n');
  assert.equal(await idx.updateFile(nfd), 'indexed');
  assert.equal(idx.coverage().indexed.filter((f) => f.path === nfc).length, 1);
  assert.equal((await idx.search('낚시', { mode: 'keyword', k: 1 }))[0]?.path, nfc);
  // Renamed to another NFD name, reported in NFC.
  const nfd2 = '여행메모.md'.normalize('NFD');
  fs.renameSync(path.join(root, nfd), path.join(root, nfd2));
  await idx.renameFile(nfc, nfd2.normalize('NFC'));
  assert.ok(!idx.hasFile(nfc) && idx.hasFile(nfd2.normalize('NFC')));
  assert.equal((await idx.search('낚시', { mode: 'keyword', k: 1 }))[0]?.path, nfd2.normalize('NFC'));
  fs.rmSync(path.join(root, nfd2));
  assert.equal(await idx.removeFile(nfd2), true);
  assert.equal((await idx.search('낚시', { mode: 'keyword', k: 1 })).length, 0);
  assert.equal((await idx.sync()).changed, 0);
  await idx.close();
});
