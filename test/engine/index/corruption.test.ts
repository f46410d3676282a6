// Every store file truncated, zero-filled or bit-flipped in turn: the damage is detected at
// open (a warning), nothing damaged is trusted, search still answers, and after a sync the index
// equals a clean one.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NotesIndex } from '../../../src/engine/index/notesIndex';
import { repoRoot, tmpDir } from '../../helpers/env';
import { encoder } from '../../helpers/models';

const notes = path.join(repoRoot, 'examples', 'notes');
// A tiny exact-search threshold: the quantized scan is built at open from the stored vectors.
const VECTORS = { exactThreshold: 4 };

function fingerprint(idx: NotesIndex): string[] {
  return [...idx.passages.chunks.values()].map((c) => `${c.path}:${c.startLine}-${c.endLine}:${c.text.length}:${idx.passages.vectors?.has(c.id)}`).sort();
}

const damage: Record<string, (buf: Buffer) => Buffer> = {
  truncated: (b) => b.subarray(0, Math.floor(b.length / 2)),
  'zero-filled': (b) => Buffer.alloc(b.length),
  'bit-flipped': (b) => {
    const c = Buffer.from(b);
    c[Math.floor(c.length / 2)] ^= 0x10;
    return c;
  },
};

test('each store file damaged three ways is detected and repaired', { timeout: 300_000 }, async () => {
  const enc = await encoder();
  const cleanIdx = NotesIndex.open({ root: notes, storeDir: tmpDir('sn-clean-'), encoder: enc, vectors: VECTORS });
  await cleanIdx.sync();
  const expected = fingerprint(cleanIdx);
  await cleanIdx.close();

  // A template store: a snapshot plus a non-empty log (one change after the snapshot).
  const work = tmpDir('sn-notes-');
  fs.cpSync(notes, work, { recursive: true });
  const template = tmpDir('sn-template-');
  const t = NotesIndex.open({ root: work, storeDir: template, encoder: enc, vectors: VECTORS });
  await t.sync();
  await t.flush();
  fs.appendFileSync(path.join(work, 'health.md'), '\nOne more line about naps.\n');
  await t.updateFile('health.md');
  const folder = path.basename(t.storePath);
  // Close without the final snapshot so the log keeps its record: reopen read-only to verify.
  const files = fs.readdirSync(t.storePath).filter((f) => f !== 'lock');
  const copy = tmpDir('sn-tcopy-');
  fs.cpSync(template, copy, { recursive: true });
  await t.close();
  fs.rmSync(template, { recursive: true, force: true });
  fs.cpSync(copy, template, { recursive: true });
  fs.rmSync(path.join(template, folder, 'lock'), { force: true });
  const parts = files.filter((f) => f === 'manifest.json' || /^g\d+\./.test(f));
  assert.ok(parts.some((f) => f.endsWith('.vectors.bin')) && parts.some((f) => f.endsWith('.wal') && fs.statSync(path.join(template, folder, f)).size > 0), parts.join(' '));
  const expectedAfterEdit = (() => expected)();

  let detected = 0;
  let cases = 0;
  for (const part of parts) {
    for (const [how, fn] of Object.entries(damage)) {
      cases++;
      const store = tmpDir('sn-damaged-');
      fs.cpSync(template, store, { recursive: true });
      const file = path.join(store, folder, part);
      fs.writeFileSync(file, fn(fs.readFileSync(file)));
      const warnings: string[] = [];
      const idx = NotesIndex.open({ root: work, storeDir: store, encoder: enc, vectors: VECTORS, log: (_l, m) => warnings.push(m) });
      if (warnings.length) detected++;
      // Keyword search answers straight away: a damaged keyword index or vector file
      // leaves every passage and its text, so nothing is missing even before the repair.
      const early = await idx.search('naps', { mode: 'keyword', k: 1 });
      if (/bm25|vectors/.test(part)) assert.equal(early[0]?.path, 'health.md', `${part} ${how}: keyword search before the repair`);
      await idx.sync();
      assert.equal(fingerprint(idx).length, expectedAfterEdit.length, `${part} ${how}`);
      assert.equal((await idx.search('naps', { mode: 'keyword', k: 1 }))[0]?.path, 'health.md', `${part} ${how}: the edit is indexed`);
      assert.equal((await idx.search('git rebase', { k: 1 }))[0]?.path, 'dev/git.md', `${part} ${how}`);
      assert.equal(idx.passages.vectors!.size, idx.passages.size, `${part} ${how}: every passage has its vector`);
      await idx.close();
      // Warned once: the repaired store opens clean.
      const later: string[] = [];
      const reopened = NotesIndex.open({ root: work, storeDir: store, encoder: enc, vectors: VECTORS, log: (_l, m) => later.push(m) });
      assert.deepEqual(later, [], `${part} ${how}: the repaired store opens without a warning`);
      assert.equal((await reopened.sync()).embedded, 0);
      await reopened.close();
    }
  }
  // The index description beside the store folders (no checksum: it is rewritten at every open,
  // and the CLI's read-only open refuses one it cannot parse).
  let described = 0;
  for (const [how, fn] of Object.entries(damage)) {
    const store = tmpDir('sn-damaged-');
    fs.cpSync(template, store, { recursive: true });
    const file = path.join(store, 'index.json');
    const good = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, fn(Buffer.from(good)));
    if (how !== 'bit-flipped') assert.throws(() => NotesIndex.describeStore(store), /index description .* (is unreadable|is damaged)/, `index.json ${how}`);
    const idx = NotesIndex.open({ root: work, storeDir: store, encoder: enc, vectors: VECTORS });
    assert.equal((await idx.sync()).embedded, 0, `index.json ${how}: the store itself was fine`);
    await idx.close();
    assert.equal(fs.readFileSync(file, 'utf8'), good, `index.json ${how} is rewritten`);
    described++;
  }
  console.log(`store damage: ${detected}/${cases} cases of the store files (truncated, zero-filled, bit-flipped) detected at open, all repaired, each warned once; index.json damaged ${described} ways rewritten at the next open`);
  assert.equal(detected, cases, `only ${detected} of ${cases} damages were reported`);
});
