// Query-noise generators: deterministic from the seed, and each noise is what it claims to be
// (checked by edit distance and by the shape of the cut), on real SciFact and KorQuAD queries.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { halfTyped, noisyQueries, seededRandom, typos } from '../../../src/engine/eval/queryNoise';
import { loadBeir } from '../../../src/engine/eval/datasets';
import { dataDir } from '../../helpers/env';

/** Optimal-string-alignment distance (Levenshtein plus adjacent transposition). */
function osa(a: string[], b: string[]): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.length][b.length];
}

const words = (s: string) => s.match(/[\p{L}\p{N}\p{M}_]+/gu) ?? [];

async function queries(set: string) {
  const dir = path.join(dataDir(), set);
  return (await loadBeir({ corpus: path.join(dir, 'corpus.jsonl'), queries: path.join(dir, 'queries.jsonl'), qrels: path.join(dir, 'qrels.tsv') })).queries;
}

test('the same seed gives the same noisy queries, another seed others', async () => {
  const qs = await queries('scifact');
  for (const kind of ['half-typed', 'typos'] as const) {
    const a = noisyQueries(qs, kind, 7).map((q) => q.text);
    assert.deepEqual(noisyQueries(qs, kind, 7).map((q) => q.text), a);
    const b = noisyQueries(qs, kind, 8).map((q) => q.text);
    assert.ok(a.some((t, i) => t !== b[i]), `${kind}: seed 8 equals seed 7`);
  }
  assert.deepEqual(noisyQueries(qs, 'clean', 1).map((q) => q.text), qs.map((q) => q.text));
  assert.deepEqual(noisyQueries(qs, 'typos', 1).map((q) => q.id), qs.map((q) => q.id));
});

test('half-typed: the last word is cut to about half, at least two letters kept, nothing after it', async () => {
  const qs = await queries('scifact');
  const rand = seededRandom(1);
  for (const q of qs) {
    const noisy = halfTyped(q.text, rand);
    const ws = words(q.text);
    const last = ws[ws.length - 1];
    const n = Array.from(last).length;
    const nw = words(noisy);
    const cut = nw[nw.length - 1];
    assert.ok(q.text.startsWith(noisy), `${noisy} is not a prefix of ${q.text}`);
    assert.ok(last.startsWith(cut), `${cut} does not begin ${last}`);
    assert.ok(noisy.endsWith(cut), `something follows the cut word in "${noisy}"`);
    const kept = Array.from(cut).length;
    if (n >= 3) {
      assert.ok(kept >= 2 && kept < n, `${last} → ${cut}`);
      assert.ok(Math.abs(kept - n / 2) <= 1, `${last} → ${cut} is not about half`);
    }
  }
  assert.equal(halfTyped('rust ownership', seededRandom(3)).startsWith('rust own'), true);
  assert.equal(halfTyped('a b', seededRandom(3)), 'a b');
});

test('half-typed Korean: last syllable missing or replaced by the jamo typed so far', () => {
  const seen = new Set<string>();
  const rand = seededRandom(5);
  for (let i = 0; i < 200; i++) seen.add(halfTyped('서울의 날씨는 맑음', rand));
  // 맑음: 음 = ㅇ+ㅡ+ㅁ → dropped (맑), initial jamo only (맑ㅇ), or without its final (맑으).
  assert.deepEqual([...seen].sort(), ['서울의 날씨는 맑', '서울의 날씨는 맑으', '서울의 날씨는 맑ㅇ'].sort());
  // A one-syllable last word without a final consonant can only show its initial consonant.
  assert.equal(halfTyped('국가 도', seededRandom(1)), '국가 ㄷ');
});

test('typos: about half the words of 5+ letters get exactly one edit, shorter words none', async () => {
  const qs = await queries('scifact');
  const rand = seededRandom(11);
  let long = 0;
  let edited = 0;
  const kinds = { sub: 0, ins: 0, del: 0, swap: 0 };
  for (const q of qs) {
    const noisy = typos(q.text, rand);
    const a = words(q.text);
    const b = words(noisy);
    assert.equal(b.length, a.length, `${q.text} → ${noisy}`);
    a.forEach((w, i) => {
      const d = osa(Array.from(w), Array.from(b[i]));
      const letters = (w.match(/\p{L}/gu) ?? []).length;
      if (letters < 5) return assert.equal(d, 0, `${w} → ${b[i]}`);
      long++;
      assert.ok(d <= 1, `${w} → ${b[i]}: ${d} edits`);
      if (d === 1) {
        edited++;
        if (b[i].length > w.length) kinds.ins++;
        else if (b[i].length < w.length) kinds.del++;
        else if (Array.from(w).filter((c, j) => c !== b[i][j]).length === 2) kinds.swap++;
        else kinds.sub++;
      }
    });
  }
  const rate = edited / long;
  assert.ok(rate > 0.42 && rate < 0.55, `edited ${edited} of ${long}`);
  for (const [k, n] of Object.entries(kinds)) assert.ok(n > edited / 8, `${k}: ${n} of ${edited}`);
});

test('Korean typos: a word of 3+ syllables loses one syllable or has one syllable changed', async () => {
  const qs = (await queries('korquad-a')).slice(0, 600);
  const rand = seededRandom(13);
  let long = 0;
  let edited = 0;
  for (const q of qs) {
    const noisy = typos(q.text, rand);
    const a = words(q.text);
    const b = words(noisy);
    assert.equal(b.length, a.length);
    a.forEach((w, i) => {
      const x = Array.from(w);
      const y = Array.from(b[i]);
      const hangul = x.every((c) => /[\uac00-\ud7a3]/.test(c));
      if (!hangul) return assert.ok(osa(x, y) <= 1, `${w} → ${b[i]}`); // Latin words follow the Latin rule
      if (x.length < 3) return assert.equal(b[i], w);
      long++;
      if (b[i] === w) return;
      edited++;
      const dropped = y.length === x.length - 1 && osa(x, y) === 1;
      const changed = y.length === x.length && x.filter((c, j) => c !== y[j]).length === 1;
      assert.ok(dropped || changed, `${w} → ${b[i]}`);
    });
  }
  assert.ok(edited / long > 0.42 && edited / long < 0.58, `edited ${edited} of ${long}`);
});
