// Snippets come from the parsed passage text: markup leaves its words and no stray brackets, and
// list items, table rows and paragraphs stay apart.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NotesIndex } from '../../../src/engine/index/notesIndex';
import { makeSnippet } from '../../../src/engine/index/snippet';
import { tmpDir } from '../../helpers/env';

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
