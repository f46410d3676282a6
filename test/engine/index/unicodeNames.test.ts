// Hangul note names in either Unicode form. macOS stores names decomposed (NFD) while editors and
// watchers often report them composed (NFC), or the other way round; Linux keeps a name exactly
// as given, so both forms are made here for real. The index keys every note by its NFC name and
// must find the file on disk whichever form the caller uses.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NotesIndex } from '../../../src/engine/index/notesIndex';
import { tmpDir } from '../../helpers/env';
import { encoder } from '../../helpers/models';

const NFC = '한글 메모.md';
const NFD = NFC.normalize('NFD');
const DIR_NFC = '여행';
const DIR_NFD = DIR_NFC.normalize('NFD');

test('sanity: the two forms are different names on this file system', () => {
  assert.notEqual(NFC, NFD);
  const root = tmpDir('sn-nfd-');
  fs.writeFileSync(path.join(root, NFD), 'x');
  assert.ok(!fs.existsSync(path.join(root, NFC)), 'this file system normalizes names; the tests below would prove nothing');
});

for (const [stored, given] of [
  ['NFD', 'NFC'],
  ['NFC', 'NFD'],
] as const) {
  test(`a note stored in ${stored} is updated, renamed and removed by its ${given} name`, async () => {
    const root = tmpDir('sn-nfd-');
    const form = (s: string, f: 'NFC' | 'NFD') => s.normalize(f);
    const onDisk = path.join(root, form(DIR_NFC, stored), form(NFC, stored));
    fs.mkdirSync(path.dirname(onDisk));
    fs.writeFileSync(onDisk, '# 부산 여행\n\n해운대에서 기차를 타고 돌아왔다. 돼지국밥이 맛있었다.\n');
    fs.writeFileSync(path.join(root, 'other.md'), '# Other\n\nA note about something else entirely.\n');
    const idx = NotesIndex.open({ root, storeDir: tmpDir('sn-nfd-store-'), encoder: await encoder() });
    await idx.sync();
    const key = `${DIR_NFC}/${NFC}`; // keys are NFC
    assert.ok(idx.hasFile(key));
    const givenRel = `${form(DIR_NFC, given)}/${form(NFC, given)}`;

    // Edited on disk, reported under the other form: the new text is read, not "gone".
    fs.appendFileSync(onDisk, '\n## 둘째 날\n\n광안리 야경을 보았다.\n');
    assert.equal(await idx.updateFile(givenRel), 'indexed');
    assert.ok(idx.hasFile(key), 'still indexed under its NFC key');
    assert.equal((await idx.search('광안리 야경', { mode: 'keyword', k: 1 }))[0]?.path, key);
    assert.equal(idx.coverage().skipped.length, 0);

    // Renamed on disk to another Hangul name in the stored form, reported in the other form.
    const toNfc = '부산 여행기.md';
    fs.renameSync(onDisk, path.join(path.dirname(onDisk), form(toNfc, stored)));
    await idx.renameFile(givenRel, `${form(DIR_NFC, given)}/${form(toNfc, given)}`);
    assert.ok(!idx.hasFile(key));
    assert.ok(idx.hasFile(`${DIR_NFC}/${toNfc}`));
    assert.equal((await idx.search('광안리 야경', { mode: 'keyword', k: 1 }))[0]?.path, `${DIR_NFC}/${toNfc}`);
    // Nothing left to do for a full sync: the watcher's view and the walk agree.
    const r = await idx.sync();
    assert.equal(r.changed + r.removed + r.embedded, 0, JSON.stringify(r));

    // Removed, reported in the other form.
    fs.rmSync(path.join(path.dirname(onDisk), form(toNfc, stored)));
    assert.equal(await idx.removeFile(`${form(DIR_NFC, given)}/${form(toNfc, given)}`), true);
    assert.deepEqual(idx.coverage().indexed.map((x) => x.path), ['other.md']);
    await idx.close();
  });
}

test('a name that exists in both forms on disk: two notes, each updated and removed by its own name', async () => {
  const root = tmpDir('sn-nfd-');
  fs.writeFileSync(path.join(root, NFC), '# 조합형\n\n완성형 이름의 파일이다.\n');
  fs.writeFileSync(path.join(root, NFD), '# 분해형\n\n풀어쓴 이름의 파일이다.\n');
  const idx = NotesIndex.open({ root, storeDir: tmpDir('sn-nfd-store-'), encoder: null });
  await idx.sync();
  assert.deepEqual(idx.coverage().indexed.map((x) => x.path).sort(), [NFC, NFD].sort());
  assert.match(idx.passages.chunksOf(NFC)[0].text, /완성형/);
  assert.match(idx.passages.chunksOf(NFD)[0].text, /풀어쓴/);
  // A watcher event for one of them touches that one only.
  fs.appendFileSync(path.join(root, NFD), '\n둘째 줄.\n');
  assert.equal(await idx.updateFile(NFD), 'indexed');
  assert.match(idx.passages.chunksOf(NFC)[0].text, /완성형/);
  assert.match(idx.passages.chunksOf(NFD).map((c) => c.text).join(' '), /둘째 줄/);
  fs.rmSync(path.join(root, NFD));
  assert.equal(await idx.removeFile(NFD), true);
  assert.deepEqual(idx.coverage().indexed.map((x) => x.path), [NFC]);
  const r = await idx.sync();
  assert.equal(r.changed + r.removed, 0, JSON.stringify(r));
  await idx.close();
});
