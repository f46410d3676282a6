// A full disk, for real: the store lives on a small tmpfs that a filler file fills up. Indexing
// fails with a clear message (while appending to the log, and while writing a snapshot), the last
// good index is kept and still answers, the store opens even while the disk is full, and once
// space returns indexing resumes and ends equal to a clean rebuild. Needs root (mount); skipped
// with the reason where that is not allowed.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NotesIndex } from '../../../src/engine/index/notesIndex';
import { dataDir, tmpDir } from '../../helpers/env';
import { encoder } from '../../helpers/models';
import { cleanRebuild, passageFingerprint } from '../../helpers/rebuild';

/** Fills the filesystem of `dir` until only `leave` bytes are free. */
function fillDisk(dir: string, leave: number): void {
  const filler = path.join(dir, 'filler');
  fs.rmSync(filler, { force: true });
  const free = fs.statfsSync(dir).bavail * fs.statfsSync(dir).bsize;
  const fd = fs.openSync(filler, 'w');
  const block = Buffer.alloc(64 << 10, 1);
  let left = Math.max(0, free - leave);
  try {
    while (left > 0) left -= fs.writeSync(fd, block, 0, Math.min(block.length, left));
  } finally {
    fs.closeSync(fd);
  }
}

function freeBytes(dir: string): number {
  const s = fs.statfsSync(dir);
  return s.bavail * s.bsize;
}

function consistent(idx: NotesIndex): void {
  let sum = 0;
  for (const f of idx.coverage().indexed) {
    assert.equal(idx.passages.chunksOf(f.path).length, f.chunks, `${f.path} whole`);
    sum += f.chunks;
  }
  assert.equal(idx.passages.size, sum);
  assert.equal(idx.passages.vectors!.size, idx.passages.size);
  assert.equal(idx.passages.bm25.size, idx.passages.size);
}

test('a full disk: clear error, last good index kept and searchable, resumes when space returns', { timeout: 600_000 }, async (t) => {
  const mnt = tmpDir('sn-tmpfs-');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=48m', 'tmpfs', mnt], { stdio: 'pipe' });
  } catch (err) {
    t.skip(`cannot mount a tmpfs here (${String((err as { stderr?: Buffer }).stderr ?? (err as Error).message).trim()}): the test needs root`);
    return;
  }
  try {
    const enc = await encoder();
    const src = tmpDir('sn-full-src-');
    execFileSync('tar', ['xzf', path.join(dataDir(), 'notes-corpus.tar.gz'), '-C', src, 'notes-corpus/rust-book-en', 'notes-corpus/react-docs-ko']);
    const root = tmpDir('sn-full-notes-');
    fs.cpSync(path.join(src, 'notes-corpus', 'rust-book-en'), path.join(root, 'rust'), { recursive: true });
    const store = path.join(mnt, 'store');
    const messages: string[] = [];
    const log = (_l: string, m: string) => messages.push(m);

    // 1. A good index with room to spare.
    let idx = NotesIndex.open({ root, storeDir: store, encoder: enc, log });
    await idx.sync();
    await idx.flush();
    const good = passageFingerprint(idx);
    const goodFiles = idx.coverage().indexed.length;
    const snapshotBytes = idx.status().storeBytes;
    console.log(`[disk-full] good index: ${goodFiles} notes, ${good.length} passages, ${(snapshotBytes / 1024).toFixed(0)} KiB`);

    // 2. New notes arrive, and the disk has 1 MiB left: the log takes a batch of notes or two
    //    (one write each, a few hundred KiB), then an append fails mid-sync.
    fs.cpSync(path.join(src, 'notes-corpus', 'react-docs-ko'), path.join(root, 'react-ko'), { recursive: true });
    fillDisk(mnt, 1 << 20);
    const err1 = await idx.sync().then(() => null, (e: Error) => e);
    assert.ok(err1, 'indexing onto a full disk fails');
    assert.equal(err1.name, 'DiskFullError');
    assert.match(err1.message, /disk holding the index .* is full/);
    assert.ok(err1.message.includes(store), 'the message names where the index is');
    // The index in memory is what the store holds: whole notes only; search still answers.
    consistent(idx);
    assert.ok(idx.coverage().indexed.length > goodFiles, 'the batches logged before the disk filled are kept');
    assert.equal((await idx.search('ownership borrowing references', { k: 1 }))[0]?.path.startsWith('rust/'), true);
    await idx.close(); // its final snapshot fails too: logged, not thrown
    assert.ok(messages.some((m) => /could not save the index: the disk holding the index/.test(m)), messages.join('\n'));

    // 3. Reopened while the disk is still full: it opens (lock, description) and answers.
    messages.length = 0;
    idx = NotesIndex.open({ root, storeDir: store, encoder: enc, log });
    consistent(idx);
    const kept = idx.coverage().indexed.length;
    assert.ok(kept >= goodFiles, `${kept} notes kept`);
    assert.equal((await idx.search('lifetimes', { mode: 'keyword', k: 1 }))[0]?.path.startsWith('rust/'), true);
    assert.ok((await idx.search('ownership borrowing references', { mode: 'semantic', k: 3 })).length > 0);

    // 4. Space returns: the interrupted indexing resumes where it stopped.
    fs.rmSync(path.join(mnt, 'filler'));
    const resumed = await idx.sync();
    assert.ok(resumed.embedded > 0 && resumed.files > kept, `resumed: ${resumed.files} notes, ${resumed.embedded} passages embedded`);

    // 5. Room for the log but not for a snapshot: an edit is logged, the snapshot fails and leaves
    //    no part behind, and the logged edit survives a reopen.
    for (const f of idx.coverage().indexed.slice(0, 5)) fs.appendFileSync(path.join(root, f.path), '\n\nA line added while the disk was nearly full.\n');
    await idx.sync();
    const logged = passageFingerprint(idx);
    fillDisk(mnt, Math.floor(idx.status().storeBytes * 0.5));
    const err2 = await idx.flush().then(() => null, (e: Error) => e);
    assert.equal(err2?.name, 'DiskFullError', `snapshot onto a full disk: ${err2?.message}`);
    const storeFolder = idx.storePath;
    const manifest = JSON.parse(fs.readFileSync(path.join(storeFolder, 'manifest.json'), 'utf8')) as { generation: number };
    const strays = fs.readdirSync(storeFolder).filter((f) => f.includes('.tmp-') || Number(/^g(\d+)\./.exec(f)?.[1] ?? -1) > manifest.generation);
    assert.deepEqual(strays, [], 'no half-written snapshot parts are left');
    await idx.close();
    idx = NotesIndex.open({ root, storeDir: store, encoder: enc, log });
    assert.deepEqual(passageFingerprint(idx), logged, 'the logged edit survives the failed snapshot');

    // 6. Space returns again: the snapshot is written and the index equals a clean rebuild.
    fs.rmSync(path.join(mnt, 'filler'));
    await idx.sync();
    await idx.flush();
    const expected = await cleanRebuild(root, enc);
    assert.deepEqual(passageFingerprint(idx), expected);
    console.log(`[disk-full] log append on a full disk: a clear error, ${kept}/${resumed.files} notes kept and searchable; resumed run embedded ${resumed.embedded} passages; failed snapshot left 0 stray parts; free now ${freeBytes(mnt) >> 20} MiB`);
    await idx.close();
    const again = NotesIndex.open({ root, storeDir: store, encoder: enc });
    assert.equal((await again.sync()).embedded, 0);
    assert.deepEqual(passageFingerprint(again), expected);
    await again.close();
    fs.rmSync(src, { recursive: true, force: true });
    fs.rmSync(root, { recursive: true, force: true });
  } finally {
    execFileSync('umount', ['-l', mnt]);
    fs.rmSync(mnt, { recursive: true, force: true });
  }
});
