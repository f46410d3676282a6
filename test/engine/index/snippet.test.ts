// Snippets come from the parsed passage text: markup leaves its words and no stray brackets, and
// list items, table rows and paragraphs stay apart. Notes cut by an older chunker are cut again.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { crc32 } from 'node:zlib';
import { NotesIndex } from '../../../src/engine/index/notesIndex';
import { makeSnippet } from '../../../src/engine/index/snippet';
import { tmpDir } from '../../helpers/env';
import { encoder } from '../../helpers/models';

test('search snippets of notes with markup keep every word, no stray bracket, items apart', async () => {
  const root = tmpDir('sn-snippet-notes-');
  fs.writeFileSync(
    path.join(root, 'payloads.md'),
    '# Payloads\n\nThis note collects strings that must never run:\n<b>bold</b> text\nplus a [click me](javascript:alert(1)) link and [the function](https://en.wikipedia.org/wiki/Function_(mathematics)) page, `Partial<T>` too.\n',
  );
  fs.writeFileSync(path.join(root, 'role.md'), '# 역할\n\n백엔드 API 설계를 담당한다.\n\n- 배포 스크립트 정리\n- 모니터링 대시보드\n  추가\n');
  const idx = NotesIndex.open({ root, storeDir: tmpDir('sn-snippet-store-'), encoder: null });
  await idx.sync();
  const [hit] = await idx.search('click', { mode: 'keyword', k: 1 });
  assert.equal(hit.snippet, 'This note collects strings that must never run: bold text plus a click me link and the function page, Partial<T> too.');
  const [ko] = await idx.search('모니터링', { mode: 'keyword', k: 1 });
  assert.equal(ko.snippet, '백엔드 API 설계를 담당한다. 배포 스크립트 정리 · 모니터링 대시보드 추가');
  await idx.close();
});

test('a long snippet is cut around the query word, on a word boundary', () => {
  const text = `${'Filler words about nothing in particular. '.repeat(10)}\nfirst item\nthe needle item\n${'More filler after it. '.repeat(10)}`;
  const s = makeSnippet(text, 'needle');
  assert.ok(s.startsWith('…') && s.endsWith('…'), s);
  assert.match(s, /first item · the needle item/);
  assert.ok(s.length <= 222, `${s.length}`);
});

test('notes cut by an older chunker are cut again at the next sync; unchanged passages keep their vectors', async () => {
  const root = tmpDir('sn-rechunk-notes-');
  fs.writeFileSync(path.join(root, 'payloads.md'), '# Payloads\n\nplus a [click me](javascript:alert(1)) link to nowhere at all, kept here for the record.\n');
  fs.writeFileSync(path.join(root, 'plain.md'), '# Plain\n\nA note with no markup at all, long enough to be a passage of its own.\n');
  const store = tmpDir('sn-rechunk-store-');
  const enc = await encoder();
  const a = NotesIndex.open({ root, storeDir: store, encoder: enc });
  assert.equal((await a.sync()).embedded, 2);
  await a.close();

  // Make the stored snapshot look like one written by the regex chunker (no version, old text).
  const dir = path.join(store, fs.readdirSync(store).find((f) => f !== 'index.json')!);
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  const metaFile = path.join(dir, manifest.parts.meta.file);
  const meta = JSON.parse(fs.readFileSync(metaFile, 'utf8'));
  for (const rec of Object.values(meta.files) as { chunker?: number }[]) delete rec.chunker;
  for (const c of meta.chunks) c[5] = c[5].replace('click me link', 'click me) link');
  const bytes = Buffer.from(JSON.stringify(meta));
  fs.writeFileSync(metaFile, bytes);
  manifest.parts.meta.bytes = bytes.length;
  manifest.parts.meta.crc32 = crc32(bytes);
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest));

  const b = NotesIndex.open({ root, storeDir: store, encoder: enc });
  assert.match((await b.search('click', { mode: 'keyword', k: 1 }))[0].snippet, /click me\) link/, 'the old text is what was stored');
  const r = await b.sync();
  assert.equal(r.changed, 2, 'both notes are cut again');
  assert.equal(r.embedded, 1, 'only the passage whose text changed is embedded again');
  assert.match((await b.search('click', { mode: 'keyword', k: 1 }))[0].snippet, /plus a click me link to nowhere/);
  assert.equal((await b.sync()).changed, 0, 'then nothing is left to cut again');
  await b.close();
});
