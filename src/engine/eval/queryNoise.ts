// Query noise for measuring keyword search as people type it: a half-typed last word, and typos.
// Deterministic from a seed (mulberry32), so a benchmark's noisy query sets are the same in every
// run and on every machine.
//
// - halfTyped(): the query as seen mid-typing in a search-as-you-type box: the last word cut to
//   about half its letters (at least 2 kept when it has 3+, 1 of a 2-letter word) and everything
//   after it dropped (the user has not typed it yet). A Hangul last word is cut the way a Korean
//   IME shows it: its last syllable missing, or replaced by the jamo typed so far (the initial
//   consonant alone, or the syllable without its final consonant).
// - typos(): in about half the words of 5+ letters one edit: substitute, insert, delete or
//   transpose two adjacent letters (the four Damerau edits). In a Hangul word of 3+ syllables
//   (Korean words are short in letters but dense), one syllable is dropped or has one of its jamo
//   (initial, vowel or final) replaced.

export type NoiseKind = 'clean' | 'half-typed' | 'typos';

/** The seed of every noisy query set used for tuning (SciFact train) and benchmarks (test). */
export const NOISE_SEED = 20261204;

/** mulberry32: a small, fast, well-mixed 32-bit PRNG; returns floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let s = seed | 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORD = /[\p{L}\p{N}\p{M}_]+/gu;
const HANGUL_SYLLABLE = /^[\uac00-\ud7a3]$/;
const LATIN_LETTERS = 'abcdefghijklmnopqrstuvwxyz';
// Hangul syllable = 0xAC00 + (initial·21 + vowel)·28 + final (final 0 = none).
const S_BASE = 0xac00;
const V_COUNT = 21;
const T_COUNT = 28;
// Compatibility jamo of the 19 initial consonants (what an IME shows before the vowel is typed).
const INITIAL_JAMO = 'ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ';

const isHangul = (ch: string) => HANGUL_SYLLABLE.test(ch);
const pick = (rand: () => number, n: number) => Math.min(n - 1, Math.floor(rand() * n));

/** The query with its last word half-typed (see the file header). */
export function halfTyped(query: string, rand: () => number): string {
  let last: RegExpExecArray | null = null;
  for (const m of query.matchAll(WORD)) last = m as RegExpExecArray;
  if (!last) return query;
  const chars = Array.from(last[0]);
  const before = query.slice(0, last.index);
  if (chars.every(isHangul)) return before + cutHangul(chars, rand);
  const n = chars.length;
  if (n <= 1) return before + last[0];
  // About half: floor or ceil of n/2 at random, at least 2 letters of a 3+ letter word.
  const keep = n === 2 ? 1 : Math.max(2, Math.min(n - 1, Math.floor(n / 2) + (n % 2 && rand() < 0.5 ? 1 : 0)));
  return before + chars.slice(0, keep).join('');
}

function cutHangul(chars: string[], rand: () => number): string {
  const lastCode = chars[chars.length - 1].charCodeAt(0) - S_BASE;
  const initial = Math.floor(lastCode / (V_COUNT * T_COUNT));
  const final = lastCode % T_COUNT;
  const head = chars.slice(0, -1).join('');
  // Mid-syllable states an IME shows: the initial consonant alone, or no final consonant yet.
  const options: string[] = [];
  if (chars.length >= 2) options.push(head);
  options.push(head + INITIAL_JAMO[initial]);
  if (final !== 0) options.push(head + String.fromCharCode(S_BASE + lastCode - final));
  return options[pick(rand, options.length)];
}

/** The query with one typo in about half (probability `rate`) of its longer words. */
export function typos(query: string, rand: () => number, rate = 0.5): string {
  return query.replace(WORD, (word) => {
    const chars = Array.from(word);
    if (chars.every(isHangul)) {
      if (chars.length < 3 || rand() >= rate) return word;
      return hangulTypo(chars, rand);
    }
    const letters = chars.filter((c) => /\p{L}/u.test(c)).length;
    if (letters < 5 || rand() >= rate) return word;
    return latinTypo(chars, rand);
  });
}

function latinTypo(chars: string[], rand: () => number): string {
  const n = chars.length;
  const letter = () => LATIN_LETTERS[pick(rand, LATIN_LETTERS.length)];
  for (let attempt = 0; attempt < 8; attempt++) {
    const kind = pick(rand, 4);
    const out = chars.slice();
    if (kind === 0) {
      const i = pick(rand, n);
      const c = letter();
      if (c === out[i].toLowerCase()) continue;
      out[i] = c;
    } else if (kind === 1) {
      out.splice(pick(rand, n + 1), 0, letter());
    } else if (kind === 2) {
      out.splice(pick(rand, n), 1);
    } else {
      const i = pick(rand, n - 1);
      if (out[i] === out[i + 1]) continue;
      [out[i], out[i + 1]] = [out[i + 1], out[i]];
    }
    return out.join('');
  }
  return chars.join('');
}

function hangulTypo(chars: string[], rand: () => number): string {
  const i = pick(rand, chars.length);
  const out = chars.slice();
  if (rand() < 0.5) {
    out.splice(i, 1);
    return out.join('');
  }
  const code = out[i].charCodeAt(0) - S_BASE;
  let initial = Math.floor(code / (V_COUNT * T_COUNT));
  let vowel = Math.floor(code / T_COUNT) % V_COUNT;
  let final = code % T_COUNT;
  const part = pick(rand, 3);
  if (part === 0) initial = (initial + 1 + pick(rand, 18)) % 19;
  else if (part === 1) vowel = (vowel + 1 + pick(rand, V_COUNT - 1)) % V_COUNT;
  else final = (final + 1 + pick(rand, T_COUNT - 1)) % T_COUNT;
  out[i] = String.fromCharCode(S_BASE + (initial * V_COUNT + vowel) * T_COUNT + final);
  return out.join('');
}

/** A noisy copy of each query (ids kept), from one seeded stream in query order. */
export function noisyQueries<Q extends { text: string }>(queries: readonly Q[], kind: NoiseKind, seed: number): Q[] {
  if (kind === 'clean') return queries.map((q) => ({ ...q }));
  const rand = seededRandom(seed);
  const make = kind === 'half-typed' ? halfTyped : typos;
  return queries.map((q) => ({ ...q, text: make(q.text, rand) }));
}
