// Keyword search as people type it: the last word half-typed, typos, against the real Rust book
// (English and Korean, from the shared notes corpus) chunked the way the product chunks notes.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Bm25Index } from '../../../src/engine/search/bm25';
import { chunkMarkdown } from '../../../src/engine/notes/chunker';
import { dataDir, tmpDir } from '../../helpers/env';

interface Passage {
  id: number;
  file: string;
  text: string;
}

let cached: { idx: Bm25Index; passages: Passage[] } | null = null;

/** The Rust book, English and Korean, as passages (heading + text) in one keyword index. */
function rustBook(): { idx: Bm25Index; passages: Passage[] } {
  if (cached) return cached;
  const dir = tmpDir('sn-rustbook-');
  execFileSync('tar', ['xzf', path.join(dataDir(), 'notes-corpus.tar.gz'), '-C', dir, 'notes-corpus/rust-book-en', 'notes-corpus/rust-book-ko']);
  const passages: Passage[] = [];
  for (const lang of ['rust-book-en', 'rust-book-ko']) {
    const root = path.join(dir, 'notes-corpus', lang);
    for (const name of fs.readdirSync(root).sort()) {
      if (!name.endsWith('.md')) continue;
      const file = `${lang}/${name}`;
      for (const c of chunkMarkdown(file, fs.readFileSync(path.join(root, name), 'utf8'))) passages.push({ id: passages.length, file, text: `${c.heading}\n${c.text}` });
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });
  const idx = new Bm25Index();
  for (const p of passages) idx.add(p.id, p.text);
  cached = { idx, passages };
  return cached;
}

const top = (q: string, k = 5, match = {}) => {
  const { idx, passages } = rustBook();
  return idx.search(q, k, undefined, match).map((h) => passages[h.id]);
};

test('"ownersh" (half-typed) finds passages about ownership; exact matching finds nothing', () => {
  const hits = top('ownersh');
  assert.ok(hits.length > 0, 'no hits');
  for (const h of hits.slice(0, 3)) assert.match(h.text, /ownership/i, h.file);
  assert.match(hits[0].file, /rust-book-en\/ch04-0[01]/);
  assert.deepEqual(top('ownersh', 5, { prefix: false, fuzzy: false }), []);
  // A query typed so far as "rust ownersh" too.
  assert.match(top('what is ownersh')[0].text, /ownership/i);
});

test('"borowing refrences" (two typos) finds the chapter on references and borrowing', () => {
  const hits = top('borowing refrences', 10);
  // The same passages in the same order as the correctly spelled query.
  assert.deepEqual(hits.map((p) => p.id), top('borrowing references', 10).map((p) => p.id));
  assert.ok(hits.slice(0, 5).some((p) => p.file === 'rust-book-en/ch04-02-references-and-borrowing.md'));
  for (const h of hits.slice(0, 5)) assert.match(h.text, /borrow/i, h.file);
  for (const h of hits.slice(0, 5)) assert.match(h.text, /reference/i, h.file);
  // Without fuzzy matching, neither typo'd word is in the index.
  assert.deepEqual(top('borowing refrences', 5, { fuzzy: false }), []);
  // A transposition counts as one edit ("borrwoing").
  assert.deepEqual(top('borrwoing refernces', 10).map((p) => p.id), top('borrowing references', 10).map((p) => p.id));
});

test('an exact match outranks a fuzzy or prefix one, even for a rarer matched word', () => {
  const idx = new Bm25Index();
  // "borrowing" in 3 documents, the rarer typo "borowing" in 1 (so its idf is higher).
  idx.add(1, 'the borrowing checker runs');
  idx.add(2, 'the borowing checker runs');
  idx.add(3, 'a borrowing rule');
  idx.add(4, 'more borrowing here');
  idx.add(5, 'nothing related at all');
  // Fuzzy matching of a word the index knows (by default only rare or unknown words are expanded).
  const always = { tuning: { fuzzyMaxExactDf: Infinity } };
  const r = idx.search('borrowing', 10, undefined, always).map((h) => h.id);
  assert.deepEqual(new Set(r.slice(0, 3)), new Set([1, 3, 4]), `${r}`);
  assert.equal(r[3], 2, 'the fuzzy match is found too, below the exact ones');
  const s = new Map(idx.search('checker borrowing', 10, undefined, always).map((h) => [h.id, h.score]));
  assert.ok(s.get(1)! > s.get(2)!, 'exact "borrowing" beats fuzzy "borowing" in otherwise equal documents');
  // With the defaults too, the exact documents come first.
  assert.deepEqual(new Set(idx.search('borrowing', 3).map((h) => h.id)), new Set([1, 3, 4]));
  // A typo as typed that is in the index matches its own document first.
  assert.equal(idx.search('borowing', 10, undefined, always)[0].id, 2);
  // A prefix completion scores below the word itself: "own" exact in 6, completed to "owner" in 7.
  idx.add(6, 'the own rule');
  idx.add(7, 'the owner rule');
  const p = new Map(idx.search('rule own', 10).map((h) => [h.id, h.score]));
  assert.ok(p.get(7)! > 0 && p.get(6)! > p.get(7)!, `${[...p]}`);
});

test('prefix matching applies to the last query word only, and not once it is finished', () => {
  const exactOnly = { prefix: false, fuzzy: false };
  const ids = (q: string, m = {}) => top(q, 20, m).map((p) => p.id);
  // "ownersh" first: not completed (fuzzy off, to see prefix alone); the result is that of "rules".
  assert.deepEqual(ids('ownersh rules', { fuzzy: false }), ids('rules', exactOnly));
  // Last: completed to "ownership".
  const last = top('rules ownersh', 10, { fuzzy: false });
  assert.ok(last.some((p) => /ownership/i.test(p.text)));
  assert.notDeepEqual(last.map((p) => p.id), ids('rules', exactOnly).slice(0, 10));
  // A trailing space or full stop means the word is finished.
  assert.deepEqual(ids('rules ownersh ', { fuzzy: false }), ids('rules', exactOnly));
  assert.deepEqual(ids('rules ownersh.', { fuzzy: false }), ids('rules', exactOnly));
  // Turning prefix off turns it off.
  assert.deepEqual(ids('rules ownersh', { prefix: false, fuzzy: false }), ids('rules', exactOnly));
  // A stopword being typed is completed ("wh" → "which", "where"; "the" → "there", "these"...).
  assert.ok(ids('borrowing the').length > 0);
});

test('Korean queries still rank right, half-typed and with a typo', () => {
  const ko = (q: string, m = {}) => top(q, 3, m).map((p) => p.file);
  assert.equal(ko('소유권 규칙')[0], 'rust-book-ko/ch04-01-what-is-ownership.md');
  // Tolerant matching leaves Korean bigrams alone: the same ranking as exact matching.
  for (const q of ['소유권 규칙', '참조와 대여', '소유궝 규칙', '소유권 규ㅊ']) assert.deepEqual(top(q, 10).map((p) => p.id), top(q, 10, { prefix: false, fuzzy: false }).map((p) => p.id), q);
  // One syllable mistyped (권 → 궝): the other bigrams still find the chapter.
  assert.equal(ko('소유궝 규칙')[0], 'rust-book-ko/ch04-01-what-is-ownership.md');
  // Last syllable still being typed (an IME shows the initial consonant alone): 규칙 → 규ㅊ.
  assert.match(ko('소유권 규ㅊ')[0], /rust-book-ko\/ch04-0[01]/);
  // Latin words in a Korean query keep their tolerant matching.
  assert.match(top('슬라이스 slic', 1)[0].file, /ch04-03-slices/);
});

test('the word dictionary survives serialize → deserialize: tolerant results are identical', () => {
  const { idx } = rustBook();
  const buf = idx.serialize();
  const back = Bm25Index.deserialize(buf);
  for (const q of ['ownersh', 'borowing refrences', 'rules ownersh', '참조자와 대ㅇ', 'lifetim', 'mutabel referense']) assert.deepEqual(back.search(q, 20), idx.search(q, 20), q);
  assert.deepEqual(back.serialize(), buf);
  // Removing every passage that mentions a word, then sweeping, leaves no match through it.
  const lone = new Bm25Index();
  lone.add(1, 'ownership rules');
  lone.add(2, 'borrowing rules');
  assert.equal(lone.search('ownersh', 5)[0]?.id, 1);
  lone.remove(1);
  assert.deepEqual(lone.search('ownersh', 5), []);
  assert.deepEqual(Bm25Index.deserialize(lone.serialize()).search('ownersh', 5), []);
});

test('the word being typed is completed to what the rest of the query is about, not to the most frequent word', () => {
  const idx = new Bm25Index();
  // Ten words starting "can" in three documents each, and "cancer" in one: by frequency alone the
  // eight kept completions of "can" leave "cancer" out.
  const common = ['canal', 'canary', 'candle', 'candy', 'canine', 'canoe', 'canon', 'canopy', 'canvas', 'canyon'];
  let id = 1;
  for (const w of common) for (let i = 0; i < 3; i++) idx.add(id++, `a note about the ${w} number ${i}`);
  idx.add(100, 'colorectal screening schedule');
  idx.add(101, 'colorectal cancer risk after surgery');
  const typed = idx.search('colorectal can', 5).map((h) => h.id);
  assert.equal(typed[0], 101, `"colorectal can" → cancer: ${typed}`);
  // Without the rest of the query to judge by, the most frequent completions are the ones kept.
  const byFrequency = idx.search('colorectal can', 5, undefined, { tuning: { contextPassages: 0 } }).map((h) => h.id);
  assert.notEqual(byFrequency[0], 101, `by frequency alone "cancer" is not among the completions: ${byFrequency}`);
});

test('the lookup tree built a slice at a time, while passages come and go, answers as one built at once', () => {
  const { passages } = rustBook();
  const stepwise = new Bm25Index();
  const atOnce = new Bm25Index();
  const both = (fn: (idx: Bm25Index) => void) => [stepwise, atOnce].forEach(fn);
  for (const p of passages) both((idx) => idx.add(p.id, p.text));
  assert.equal(stepwise.prepareTolerantLookups(500), false, 'the Rust book has more than 500 words');
  // Mid-build: a passage with new words arrives, and every passage naming a lifetime leaves.
  both((idx) => idx.add(100_000, 'Quetzalcoatlus and pterosaurs: notes on flight'));
  const lifetimes = passages.filter((p) => /lifetime/i.test(p.text)).map((p) => p.id);
  assert.ok(lifetimes.length > 5);
  for (const id of lifetimes) both((idx) => idx.remove(id));
  let steps = 1;
  while (!stepwise.prepareTolerantLookups(500)) steps++;
  assert.ok(steps > 3, `built in ${steps} steps`);
  for (const q of ['quetzalcoatl', 'pterosaur flihgt', 'lifetim', 'ownersh', 'borowing refrences', '참조자와 대ㅇ', 'mutabel referense']) {
    assert.deepEqual(stepwise.search(q, 20), atOnce.search(q, 20), q);
  }
  assert.equal(stepwise.search('quetzalcoatl', 1)[0]?.id, 100_000);
  assert.ok(!stepwise.search('lifetim', 50).some((h) => lifetimes.includes(h.id)), 'a removed passage came back');
  // A lookup before the build finishes finishes it: nothing is missed.
  const early = new Bm25Index();
  for (const p of passages) early.add(p.id, p.text);
  early.prepareTolerantLookups(100);
  assert.deepEqual(early.search('ownersh', 10), rustBook().idx.search('ownersh', 10));
  assert.equal(early.prepareTolerantLookups(1), true);
});
