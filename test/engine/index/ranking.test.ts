// Ranking that never loses to its own parts, through the real notes index and the real static
// models: a query the model cannot read falls back to keywords (hybrid silently, semantic with a
// notice); passages the model could not read never appear as semantic matches; convex fusion at
// weight 0 is exactly keyword search; several folders are ranked as one collection.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NotesIndex } from '../../../src/engine/index/notesIndex';
import { DEFAULT_EMBEDDING_MODEL, EngineSession } from '../../../src/engine/session';
import { repoRoot, tmpDir } from '../../helpers/env';
import { encoder } from '../../helpers/models';
import { FOLDER_A, FOLDER_B, QUERY, writeFolder } from '../../fixtures/twoFolders';

const EN_ONLY = 'semantic-notes/static-en-v2';

function examples(): string {
  const dir = tmpDir('sn-notes-');
  fs.cpSync(path.join(repoRoot, 'examples', 'notes'), dir, { recursive: true });
  return dir;
}

test('a Korean query against an English-only model: hybrid is the keyword ranking, semantic says why', async () => {
  const enc = await encoder(EN_ONLY);
  // The English vocabulary cuts Hangul into jamo pieces it never learnt: the query vector is zero.
  const [qv] = await enc.embed(['기차 여행'], { role: 'query' });
  assert.ok(qv.every((x) => x === 0), 'the premise: the English model reads nothing in this query');
  const idx = NotesIndex.open({ root: examples(), storeDir: tmpDir('sn-store-'), encoder: enc });
  await idx.sync();
  try {
    const keyword = await NotesIndex.searchMany([idx], '기차 여행', { mode: 'keyword', k: 5 });
    assert.equal(keyword.hits[0].path, 'korean/travel-busan.md');
    const hybrid = await NotesIndex.searchMany([idx], '기차 여행', { mode: 'hybrid', k: 5 });
    assert.deepEqual(hybrid.hits, keyword.hits, 'hybrid must be the keyword ranking, not a mix with an arbitrary dense list');
    assert.equal(hybrid.ranking, 'keyword');
    assert.equal(hybrid.notice, undefined);
    const semantic = await NotesIndex.searchMany([idx], '기차 여행', { mode: 'semantic', k: 5 });
    assert.equal(semantic.ranking, 'keyword');
    assert.match(semantic.notice ?? '', /cannot read this query/);
    assert.match(semantic.notice ?? '', new RegExp(EN_ONLY));
    assert.deepEqual(semantic.hits, keyword.hits);
    // An English query is still ranked by meaning.
    const english = await NotesIndex.searchMany([idx], 'baking a loaf with wild yeast', { mode: 'semantic', k: 20 });
    assert.equal(english.ranking, 'semantic');
    assert.equal(english.hits[0].path, 'cooking/bread.md');
  } finally {
    await idx.close();
  }
});

test('fusion weight 0 is exactly keyword search, weight 1 keeps semantic order among shared candidates', async () => {
  const enc = await encoder(EN_ONLY);
  const idx = NotesIndex.open({ root: examples(), storeDir: tmpDir('sn-store-'), encoder: enc });
  await idx.sync();
  try {
    for (const q of ['sourdough starter feeding', 'undo the last commit', 'docker images']) {
      const kw = await idx.search(q, { mode: 'keyword', k: 8 });
      const zero = await idx.search(q, { mode: 'hybrid', k: 8, fusion: { semanticWeight: 0 } });
      assert.deepEqual(zero.map((h) => [h.path, h.startLine]), kw.map((h) => [h.path, h.startLine]), q);
      const sem = await idx.search(q, { mode: 'semantic', k: 3 });
      const one = await idx.search(q, { mode: 'hybrid', k: 3, fusion: { method: 'convex', semanticWeight: 1 } });
      assert.deepEqual(one.map((h) => [h.path, h.startLine]), sem.map((h) => [h.path, h.startLine]), q);
      const rrf = await idx.search(q, { mode: 'hybrid', k: 3, fusion: { method: 'rrf', semanticWeight: 0.5, rrfK: 60 } });
      assert.equal(rrf.length, 3);
    }
  } finally {
    await idx.close();
  }
});

test('two folders are ranked as one collection: the best passage comes first wherever it lives', async () => {
  const enc = await encoder(EN_ONLY);
  const a = writeFolder(FOLDER_A);
  const b = writeFolder(FOLDER_B);
  const ia = NotesIndex.open({ root: a, storeDir: tmpDir('sn-store-'), encoder: enc });
  const ib = NotesIndex.open({ root: b, storeDir: tmpDir('sn-store-'), encoder: enc });
  await ia.sync();
  await ib.sync();
  try {
    // The premise: inside its own folder, A's top hit is first too (rank 1 of both its lists).
    const onlyA = await ia.search(QUERY, { mode: 'hybrid', k: 1 });
    assert.equal(onlyA[0].path, 'garden.md');
    for (const mode of ['hybrid', 'keyword', 'semantic'] as const) {
      const r = await NotesIndex.searchMany([ia, ib], QUERY, { mode, k: 4 });
      assert.equal(r.hits[0].path, 'git.md', `${mode}: ${JSON.stringify(r.hits.map((h) => [h.source, h.path, h.score]))}`);
      assert.equal(r.hits[0].source, 1);
      for (let i = 1; i < r.hits.length; i++) assert.ok(r.hits[i - 1].score >= r.hits[i].score, `${mode}: scores descend`);
    }
  } finally {
    await ia.close();
    await ib.close();
  }
});

test('related passages must stand out from the folder; a near-copy does, unrelated notes do not', async () => {
  const enc = await encoder(EN_ONLY);
  const root = examples();
  fs.writeFileSync(
    path.join(root, 'cooking', 'sourdough-log.md'),
    '# Sourdough log\n\nFed the starter with rye flour and water; it doubled overnight. The dough rested, was shaped into a loaf and baked in a hot dutch oven.\n',
  );
  const idx = NotesIndex.open({ root, storeDir: tmpDir('sn-store-'), encoder: enc });
  await idx.sync();
  try {
    const rel = await idx.related({ path: 'cooking/bread.md' }, 5);
    assert.ok(rel.length > 0, 'the sourdough log stands out');
    assert.equal(rel[0].path, 'cooking/sourdough-log.md');
    assert.ok(rel.every((h) => h.path !== 'cooking/bread.md'));
    // Only what stands out: fewer rows than asked when the rest is ordinary.
    assert.ok(rel.length < 5, JSON.stringify(rel.map((h) => [h.path, h.score])));
    // A text the model reads nothing in falls back to shared words.
    const ko = await idx.related({ text: '김치 담그는 법' }, 3);
    assert.ok(ko.length === 0 || ko[0].path === 'korean/kimchi.md', JSON.stringify(ko));
  } finally {
    await idx.close();
  }
});

test('the bundled bilingual default: Korean queries find Korean notes and English queries English ones, in every mode', async () => {
  const session = new EngineSession({ embeddingModel: DEFAULT_EMBEDDING_MODEL, fillMaskModel: '', crossEncoderModel: '' });
  const idx = await session.openIndex(examples(), tmpDir('sn-store-'));
  await idx.sync();
  try {
    assert.equal(idx.encoder?.id, DEFAULT_EMBEDDING_MODEL, 'found with no models folder configured');
    const status = idx.status();
    assert.ok(status.scripts.hangul > 0.1 && status.scripts.latin > 0.5, JSON.stringify(status.scripts));
    const cases: [string, (p: string) => boolean][] = [
      ['기차 여행', (p) => p.startsWith('korean/')],
      ['김치찌개 끓이는 법', (p) => p.startsWith('korean/')],
      ['baking bread at home', (p) => !p.startsWith('korean/')],
      ['how do I undo a commit', (p) => !p.startsWith('korean/')],
    ];
    for (const [q, own] of cases) {
      for (const mode of ['hybrid', 'semantic', 'keyword'] as const) {
        const hits = await idx.search(q, { mode, k: 3 });
        assert.ok(hits.length > 0, `${q} [${mode}]`);
        assert.ok(hits.every((h) => own(h.path)), `${q} [${mode}]: ${hits.map((h) => h.path).join(', ')}`);
      }
    }
  } finally {
    await idx.close();
  }
});
