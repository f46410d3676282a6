// English suffix stemming for keyword search: Porter's 1980 algorithm, the stemmer of Lucene's
// English analyzer (which BEIR's Anserini BM25 uses), on lowercase a–z words. Chosen over Harman's
// "S" stemmer and no stemming on SciFact train (see tokenize.ts; the variants live in
// scripts/tune-bm25.js).

// ---- Porter (1980), following the author's reference C implementation --------------------------

function isCons(w: string, i: number): boolean {
  switch (w.charCodeAt(i)) {
    case 0x61: case 0x65: case 0x69: case 0x6f: case 0x75: // a e i o u
      return false;
    case 0x79: // y
      return i === 0 ? true : !isCons(w, i - 1);
    default:
      return true;
  }
}

/** m(): the number of VC sequences in w[0, end). */
function measure(w: string, end: number): number {
  let i = 0;
  let m = 0;
  while (i < end && isCons(w, i)) i++;
  for (;;) {
    while (i < end && !isCons(w, i)) i++;
    if (i >= end) return m;
    while (i < end && isCons(w, i)) i++;
    m++;
  }
}

function hasVowel(w: string, end: number): boolean {
  for (let i = 0; i < end; i++) if (!isCons(w, i)) return true;
  return false;
}

function doubleCons(w: string, end: number): boolean {
  return end >= 2 && w[end - 1] === w[end - 2] && isCons(w, end - 1);
}

/** *o: stem ends cvc, where the second c is not w, x or y. */
function cvc(w: string, end: number): boolean {
  if (end < 3 || !isCons(w, end - 1) || isCons(w, end - 2) || !isCons(w, end - 3)) return false;
  const c = w[end - 1];
  return c !== 'w' && c !== 'x' && c !== 'y';
}

// Steps 2–4: the longest matching suffix decides; if its condition fails, nothing changes.
const STEP2: [string, string][] = [
  ['ational', 'ate'], ['tional', 'tion'], ['enci', 'ence'], ['anci', 'ance'], ['izer', 'ize'], ['bli', 'ble'],
  ['alli', 'al'], ['entli', 'ent'], ['eli', 'e'], ['ousli', 'ous'], ['ization', 'ize'], ['ation', 'ate'],
  ['ator', 'ate'], ['alism', 'al'], ['iveness', 'ive'], ['fulness', 'ful'], ['ousness', 'ous'], ['aliti', 'al'],
  ['iviti', 'ive'], ['biliti', 'ble'], ['logi', 'log'],
];
const STEP3: [string, string][] = [
  ['icate', 'ic'], ['ative', ''], ['alize', 'al'], ['iciti', 'ic'], ['ical', 'ic'], ['ful', ''], ['ness', ''],
];
const STEP4 = ['al', 'ance', 'ence', 'er', 'ic', 'able', 'ible', 'ant', 'ement', 'ment', 'ent', 'ion', 'ou', 'ism', 'ate', 'iti', 'ous', 'ive', 'ize'];
const byLength = <T extends string | [string, string]>(list: T[]): T[] =>
  [...list].sort((a, b) => (typeof b === 'string' ? b : b[0]).length - (typeof a === 'string' ? a : a[0]).length);
const STEP2_SORTED = byLength(STEP2);
const STEP3_SORTED = byLength(STEP3);
const STEP4_SORTED = byLength(STEP4);

function replaceLongest(w: string, rules: [string, string][], minM: number): string {
  for (const [suf, rep] of rules) {
    if (!w.endsWith(suf)) continue;
    const stem = w.length - suf.length;
    return measure(w, stem) > minM ? w.slice(0, stem) + rep : w;
  }
  return w;
}

/** Porter's stemmer on a lowercase a–z word (other input is returned unchanged). */
export function porterStem(word: string): string {
  let w = word;
  if (w.length <= 2) return w;

  // Step 1a
  if (w.endsWith('sses')) w = w.slice(0, -2);
  else if (w.endsWith('ies')) w = w.slice(0, -2);
  else if (!w.endsWith('ss') && w.endsWith('s')) w = w.slice(0, -1);

  // Step 1b
  if (w.endsWith('eed')) {
    if (measure(w, w.length - 3) > 0) w = w.slice(0, -1);
  } else {
    let cut = 0;
    if (w.endsWith('ed') && hasVowel(w, w.length - 2)) cut = 2;
    else if (w.endsWith('ing') && hasVowel(w, w.length - 3)) cut = 3;
    if (cut) {
      w = w.slice(0, -cut);
      if (w.endsWith('at') || w.endsWith('bl') || w.endsWith('iz')) w += 'e';
      else if (doubleCons(w, w.length)) {
        const c = w[w.length - 1];
        if (c !== 'l' && c !== 's' && c !== 'z') w = w.slice(0, -1);
      } else if (measure(w, w.length) === 1 && cvc(w, w.length)) w += 'e';
    }
  }

  // Step 1c
  if (w.endsWith('y') && hasVowel(w, w.length - 1)) w = w.slice(0, -1) + 'i';

  // Steps 2 and 3
  w = replaceLongest(w, STEP2_SORTED, 0);
  w = replaceLongest(w, STEP3_SORTED, 0);

  // Step 4
  for (const suf of STEP4_SORTED) {
    if (!w.endsWith(suf)) continue;
    const stem = w.length - suf.length;
    if (measure(w, stem) > 1 && (suf !== 'ion' || (stem > 0 && (w[stem - 1] === 's' || w[stem - 1] === 't')))) w = w.slice(0, stem);
    break;
  }

  // Step 5a
  if (w.endsWith('e')) {
    const m = measure(w, w.length - 1);
    if (m > 1 || (m === 1 && !cvc(w, w.length - 1))) w = w.slice(0, -1);
  }
  // Step 5b
  if (w.endsWith('ll') && measure(w, w.length) > 1) w = w.slice(0, -1);
  return w;
}
