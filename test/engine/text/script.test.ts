// Script shares (what the routed encoder weighs its two models by) and the split of a text into
// the words each model reads.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { hasHangul, scriptCounts, scriptShares } from '../../../src/engine/text/script';
import { splitByScript } from '../../../src/engine/text/split';

test('shares count letters only: English, Korean, mixed, none', () => {
  assert.deepEqual(scriptShares('The weather is lovely today.'), { hangul: 0, latin: 1, other: 0 });
  assert.deepEqual(scriptShares('잠이 안 옵니다'), { hangul: 1, latin: 0, other: 0 });
  // "Rust의 소유권" = 4 Latin letters + 4 Hangul syllables.
  assert.deepEqual(scriptShares('Rust의 소유권'), { hangul: 0.5, latin: 0.5, other: 0 });
  assert.deepEqual(scriptShares('2024-03-12 12:30 !!! → 42'), { hangul: 0, latin: 0, other: 0 });
  assert.deepEqual(scriptShares(''), { hangul: 0, latin: 0, other: 0 });
});

test('accented Latin is Latin; other scripts are other; symbols and emoji are nothing', () => {
  assert.deepEqual(scriptCounts('pastéis de nata, Belém'), { hangul: 0, latin: 18, other: 0, letters: 18 });
  assert.deepEqual(scriptCounts('東京 Москва'), { hangul: 0, latin: 0, other: 8, letters: 8 });
  // × and ÷ sit inside the Latin-1 letter range but are not letters.
  assert.equal(scriptCounts('3 × 4 ÷ 2').letters, 0);
  assert.equal(scriptCounts('🙂🚀 ok').letters, 2);
  // A letter outside the BMP (CJK Extension B) is one letter, not two.
  assert.deepEqual(scriptCounts('𠀀'), { hangul: 0, latin: 0, other: 1, letters: 1 });
});

test('Hangul in NFD (conjoining jamo, as macOS file names give it) and compatibility jamo count as Hangul', () => {
  const nfd = '한국어'.normalize('NFD');
  assert.equal(nfd.length, 8);
  assert.deepEqual(scriptShares(nfd), { hangul: 1, latin: 0, other: 0 });
  assert.deepEqual(scriptShares('ㅋㅋㅋ'), { hangul: 1, latin: 0, other: 0 });
  assert.equal(hasHangul('plain English'), false);
  assert.equal(hasHangul('English with 한 word'), true);
});

test('split: words with Hangul go to the Korean part whole (particles stay with their word), the rest to the other part', () => {
  assert.deepEqual(splitByScript('Rust의 ownership 규칙은\nborrow checker가 검사한다.'), {
    hangul: 'Rust의 규칙은 checker가 검사한다.',
    rest: 'ownership borrow',
  });
  assert.deepEqual(splitByScript('  only english words  '), { hangul: '', rest: 'only english words' });
  assert.deepEqual(splitByScript('한국어만\u3000있다'), { hangul: '한국어만 있다', rest: '' });
  assert.deepEqual(splitByScript(''), { hangul: '', rest: '' });
});
