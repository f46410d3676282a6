// Bad input, all at once, through the real background service (the path the editor uses): one
// folder holding every kind of bad note, then bad queries and bad masked-word input. Each case is
// skipped with a recorded reason or handled; nothing crashes or hangs, and the good notes beside
// them stay searchable. A second test indexes 100,000 tiny notes.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { Requests, type FolderHit, type SearchResult, type SkippedFile } from '../../src/protocol/protocol';
import { NotesIndex } from '../../src/engine/index/notesIndex';
import { modelsDir, tmpDir } from '../helpers/env';
import { encoder } from '../helpers/models';
import { serviceConfig, startService, type RunningService } from '../helpers/service';

const isRoot = process.getuid?.() === 0;

/** Writes `bytes` of real text (not a sparse file) without holding it in memory. */
function writeBig(file: string, bytes: number, line: string): void {
  const fd = fs.openSync(file, 'w');
  const block = Buffer.from(line.repeat(Math.ceil((1 << 20) / line.length)).slice(0, 1 << 20));
  try {
    for (let left = bytes; left > 0; left -= block.length) fs.writeSync(fd, block, 0, Math.min(block.length, left));
  } finally {
    fs.closeSync(fd);
  }
}

function badFolder(): string {
  const root = tmpDir('sn-bad-');
  const put = (p: string, content: string | Buffer) => {
    fs.mkdirSync(path.dirname(path.join(root, p)), { recursive: true });
    fs.writeFileSync(path.join(root, p), content);
  };
  put('good/sourdough.md', '# Sourdough\n\nFeed the starter with flour and water, then bake the loaf in a hot oven.\n');
  put('bad/nul-bytes.md', Buffer.concat([Buffer.from('# Looks like text\n\nthen '), Buffer.from([0, 0, 1, 2, 0xff, 0]), Buffer.from(' binary')]));
  put('bad/png-renamed.md', Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'));
  put('bad/invalid-utf8.md', Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0xc3, 0x28, 0x0a]));
  put('odd/utf16-bom.md', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('# 제목\r\n\r\nzeppelinword in UTF-16 with a byte order mark.\r\n', 'utf16le')]));
  put('bad/empty.md', '');
  put('bad/whitespace.md', ' \n\t\n\n');
  put('odd/front-matter-only.md', '---\ntitle: Only front matter\ntags: [a, b]\n---\n');
  put('odd/emoji-rtl.md', '# 🎉 Party notes\n\nمرحبا بالعالم — שלום עולם — 🍕🍕 pizza night with friends 👩‍👩‍👧‍👦 and a quokkaword.\n');
  put(`odd/${'메모장'.normalize('NFC')}.md`, '# 메모\n\nNFC 이름의 파일: 사과나무 심기.\n');
  put(`odd/${'일기장'.normalize('NFD')}.md`, '# 일기\n\nNFD 이름의 파일: 바닷가 산책.\n');
  let deep = 'deep';
  for (let i = 0; i < 50; i++) deep += `/level${i}`;
  put(`${deep}/bottom.md`, '# Bottom\n\nFifty folders down lives the abyssword note.\n');
  writeBig(path.join(root, 'bad/200mb.md'), 200 << 20, 'a line of ordinary text that repeats for two hundred megabytes\n');
  writeBig(path.join(root, 'bad/one-10mb-line.md'), 10 << 20, 'word ');
  // Links: a loop back to the root, one to itself, a dangling one.
  fs.symlinkSync(root, path.join(root, 'odd/loop'), 'dir');
  fs.symlinkSync(path.join(root, 'odd/self-link'), path.join(root, 'odd/self-link'));
  fs.symlinkSync(path.join(root, 'nowhere.md'), path.join(root, 'bad/dangling.md'));
  // Things that are not files, under a note's name: reading a FIFO would block forever.
  execFileSync('mkfifo', [path.join(root, 'bad/fifo.md')]);
  fs.mkdirSync(path.join(root, 'odd/folder.md'));
  put('odd/folder.md/inside.md', '# Inside\n\nA note in a folder whose name ends in .md, the insideword note.\n');
  // Unreadable: root reads through any mode, so there the folder and file stay readable.
  put('locked/secret.md', '# Secret\n\nlockedword\n');
  put('locked-file.md', '# Locked\n\nlockedfileword\n');
  fs.chmodSync(path.join(root, 'locked'), 0o000);
  fs.chmodSync(path.join(root, 'locked-file.md'), 0o000);
  return root;
}

async function search(svc: RunningService, query: unknown, mode = 'hybrid'): Promise<FolderHit[]> {
  return (svc.conn.sendRequest(Requests.search.method, { query, mode, rerank: false, k: 5 }) as Promise<SearchResult>).then((r) => r.hits);
}

test('every kind of bad note, query and mask input: a recorded reason or an answer, never a crash or a hang', { timeout: 600_000 }, async () => {
  const root = badFolder();
  const svc = startService();
  try {
    await svc.conn.sendRequest(Requests.configure.method, serviceConfig({ modelsDir: modelsDir() }));
    const folderId = 'file:///bad';
    await svc.conn.sendRequest(Requests.openFolder.method, { id: folderId, root, storeDir: tmpDir('sn-bad-store-') });
    const t0 = Date.now();
    const summary = (await svc.conn.sendRequest(Requests.sync.method, { folderId })) as { files: number; skipped: number };
    const indexMs = Date.now() - t0;
    const cov = (await svc.conn.sendRequest(Requests.coverage.method, { folderId })) as { indexed: number; skipped: SkippedFile[] };
    const reason = Object.fromEntries(cov.skipped.map((s) => [s.path, s.reason]));
    assert.equal(reason['bad/nul-bytes.md'], 'binary');
    assert.equal(reason['bad/png-renamed.md'], 'binary');
    assert.equal(reason['bad/invalid-utf8.md'], 'invalid-utf8');
    assert.equal(reason['bad/empty.md'], 'empty');
    assert.equal(reason['bad/whitespace.md'], 'empty');
    assert.equal(reason['bad/200mb.md'], 'too-large');
    assert.equal(reason['bad/one-10mb-line.md'], 'too-large');
    for (const s of cov.skipped) assert.ok(s.detail === undefined || (typeof s.detail === 'string' && s.detail.length < 300), JSON.stringify(s));
    // Neither the FIFO, the folder named .md, nor the links became notes or hung the walk.
    const hits = async (q: string) => (await search(svc, q, 'keyword')).map((h) => h.path);
    assert.deepEqual(await hits('zeppelinword'), ['odd/utf16-bom.md']);
    assert.deepEqual(await hits('quokkaword'), ['odd/emoji-rtl.md']);
    assert.deepEqual(await hits('abyssword'), [`deep/${Array.from({ length: 50 }, (_, i) => `level${i}`).join('/')}/bottom.md`]);
    assert.deepEqual(await hits('insideword'), ['odd/folder.md/inside.md']);
    assert.deepEqual(await hits('사과나무'), ['odd/메모장.md'.normalize('NFC')]);
    assert.deepEqual(await hits('바닷가'), ['odd/일기장.md'.normalize('NFC')], 'an NFD file name is keyed in NFC');
    assert.deepEqual(await hits('שלום'), ['odd/emoji-rtl.md'], 'RTL words are searchable');
    assert.equal((await search(svc, 'sourdough starter bread'))[0]?.path, 'good/sourdough.md');
    if (isRoot) {
      assert.deepEqual(await hits('lockedword'), ['locked/secret.md'], 'root reads a mode-000 folder');
    } else {
      assert.equal(reason['locked-file.md'], 'unreadable');
      assert.ok(cov.skipped.some((s) => s.path.startsWith('locked') && s.reason === 'unreadable'), 'the locked folder is reported');
    }
    const frontMatterOnly = reason['odd/front-matter-only.md'];
    assert.ok(frontMatterOnly === undefined || frontMatterOnly === 'empty', `front matter only: ${frontMatterOnly}`);

    // Queries: empty ones are refused with the reason; long, emoji, RTL and punctuation ones answer.
    for (const q of ['', '   \n\t', null, 42]) {
      await assert.rejects(search(svc, q), (e: Error) => /query is empty/.test(e.message), JSON.stringify(q));
    }
    const long = 'sourdough starter '.repeat(6000); // 108 KB
    for (const mode of ['keyword', 'semantic', 'hybrid']) {
      const t = Date.now();
      const r = await search(svc, long, mode);
      assert.ok(r.length > 0, `a 100 KB ${mode} query answers`);
      assert.ok(Date.now() - t < 60_000, `a 100 KB ${mode} query took ${Date.now() - t} ms`);
    }
    for (const q of ['🎉🍕', '?!…', 'مرحبا', '👩‍👩‍👧‍👦', '\u0000\u0001']) assert.ok(Array.isArray(await search(svc, q)), JSON.stringify(q));

    // The masked-word helper.
    const mask = (text: unknown) => svc.conn.sendRequest(Requests.mask.method, { text, k: 5 }) as Promise<{ token: string; score: number; sequence: string }[][]>;
    await assert.rejects(mask('Soccer is a really fun sport.'), /has no \[MASK\]/);
    await assert.rejects(mask(''), /text is empty/);
    await assert.rejects(mask('[MASK] '.repeat(6)), /6 masks; at most 5/);
    const five = await mask('The [MASK] sat on the [MASK] while the [MASK] ate a [MASK] by the [MASK].');
    assert.equal(five.length, 5);
    for (const list of five) assert.ok(list.length === 5 && list.every((c) => c.score > 0 && c.score <= 1 && c.token.length > 0));
    const roberta = await mask('Soccer is a really fun <mask>.');
    assert.equal(roberta.length, 1);
    // A mask in the middle of a 100 KB note: read in a window around it, not lost to truncation.
    const filler = 'The weather was mild and the garden was quiet that afternoon. ';
    const big = `${filler.repeat(900)}Soccer is a really fun [MASK]. ${filler.repeat(900)}`;
    assert.ok(big.length > 100_000);
    const mid = await mask(big);
    assert.equal(mid.length, 1);
    assert.match(mid[0][0].sequence, /soccer is a really fun/i);
    await assert.rejects(mask(`[MASK] ${filler.repeat(800)} [MASK]`), /too far apart/);

    assert.equal(svc.exited, null, 'the service is still running');
    assert.ok(!svc.logs.some((l) => /service crashed|unhandled/.test(l.message)), svc.logs.map((l) => l.message).join('\n'));
    console.log(`[bad-input] ${summary.files} notes indexed and ${cov.skipped.length} skipped (${[...new Set(cov.skipped.map((s) => s.reason))].join(', ')}) in ${indexMs} ms, a 200 MB file and a 10 MB line among them; 4 empty queries refused, 3 × 108 KB and 5 odd queries answered; mask: 0, 6 and far-apart masks refused, 1–5 masks and a mask inside 100 KB answered`);
  } finally {
    await svc.stop();
    fs.chmodSync(path.join(root, 'locked'), 0o755);
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('a single 10 MB line inside the size limit is split into passages, fast and whole', { timeout: 300_000 }, async () => {
  const root = tmpDir('sn-longline-');
  writeBig(path.join(root, 'line.md'), 10 << 20, 'lorem ipsum dolor sit amet ');
  fs.writeFileSync(path.join(root, 'hangul.md'), '가나다라마바사아자차카타파하'.repeat(50_000)); // 2 MB of Hangul without a space
  const enc = await encoder();
  const idx = NotesIndex.open({ root, storeDir: tmpDir('sn-longline-store-'), encoder: enc, walk: { maxFileBytes: 16 << 20 } });
  const t = Date.now();
  const r = await idx.sync();
  const ms = Date.now() - t;
  assert.equal(r.files, 2);
  for (const f of ['line.md', 'hangul.md']) {
    const chunks = idx.passages.chunksOf(f);
    assert.ok(chunks.length > 10, `${f}: ${chunks.length} passages`);
    for (const c of chunks) assert.ok(c.text.length > 0 && enc.countTokens(c.text) <= 256 + 8, `${f}: a passage of ${enc.countTokens(c.text)} tokens`);
  }
  assert.equal((await idx.search('lorem ipsum', { mode: 'keyword', k: 1 }))[0]?.path, 'line.md');
  console.log(`[bad-input] a 10 MB single line and 2 MB of spaceless Hangul: ${r.chunks} passages in ${ms} ms`);
  await idx.close();
  fs.rmSync(root, { recursive: true, force: true });
});

test('100,000 tiny notes are indexed and searchable', { timeout: 900_000 }, async () => {
  const root = tmpDir('sn-100k-');
  const N = 100_000;
  for (let d = 0; d < 100; d++) fs.mkdirSync(path.join(root, `d${d}`));
  for (let i = 0; i < N; i++) fs.writeFileSync(path.join(root, `d${i % 100}`, `n${i}.md`), `note ${i}: tinyword${i}\n`);
  const enc = await encoder();
  const idx = NotesIndex.open({ root, storeDir: tmpDir('sn-100k-store-'), encoder: enc });
  const t = Date.now();
  const r = await idx.sync();
  const ms = Date.now() - t;
  assert.equal(r.files, N);
  assert.equal(idx.passages.vectors!.size, N);
  assert.deepEqual((await idx.search('tinyword77777', { mode: 'keyword', k: 1 })).map((h) => h.path), ['d77/n77777.md']);
  await idx.close();
  const again = NotesIndex.open({ root, storeDir: path.dirname(idx.storePath), encoder: enc });
  const t2 = Date.now();
  assert.equal((await again.sync()).embedded, 0);
  const reopenMs = Date.now() - t2;
  await again.close();
  console.log(`[bad-input] 100,000 tiny notes: indexed in ${(ms / 1000).toFixed(1)} s (${Math.round(N / (ms / 1000))} notes/s), unchanged re-sync ${(reopenMs / 1000).toFixed(1)} s, RSS ${process.memoryUsage().rss >> 20} MiB`);
  fs.rmSync(root, { recursive: true, force: true });
});
