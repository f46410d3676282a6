// Which writing systems a text is written in, as shares of its letters. It runs on every passage
// and query (the routed encoder weighs its two models by it), so it is one pass over UTF-16 code
// units with range checks, and a Unicode property test only for the rare non-ASCII, non-Hangul,
// non-Latin code unit.

export interface ScriptShares {
  /** Hangul syllables and jamo (compatibility and conjoining forms). */
  hangul: number;
  /** Latin letters, ASCII and accented (Latin-1 Supplement to Latin Extended, Latin Extended Additional). */
  latin: number;
  /** Every other letter (Han, kana, Cyrillic, Greek, …). Digits, punctuation and symbols count nowhere. */
  other: number;
}

export interface ScriptCounts extends ScriptShares {
  letters: number;
}

const LETTER = /\p{L}/u;

export function isHangulCode(c: number): boolean {
  return (
    (c >= 0xac00 && c <= 0xd7a3) || // syllables
    (c >= 0x1100 && c <= 0x11ff) || // conjoining jamo (NFD text)
    (c >= 0x3131 && c <= 0x318e) || // compatibility jamo
    (c >= 0xa960 && c <= 0xa97f) || // jamo extended-A
    (c >= 0xd7b0 && c <= 0xd7ff) // jamo extended-B
  );
}

function isLatinCode(c: number): boolean {
  if (c < 0x80) return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
  return (c >= 0xc0 && c <= 0x24f && c !== 0xd7 && c !== 0xf7) || (c >= 0x1e00 && c <= 0x1eff);
}

/** Letter counts per script. */
export function scriptCounts(text: string): ScriptCounts {
  let hangul = 0;
  let latin = 0;
  let other = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) {
      if ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a) latin++;
    } else if (isHangulCode(c)) hangul++;
    else if (isLatinCode(c)) latin++;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      // A surrogate pair: test the whole code point (e.g. CJK Extension B is a letter, emoji are not).
      if (LETTER.test(text.slice(i, i + 2))) other++;
      i++;
    } else if (c > 0xbf && LETTER.test(text[i])) other++;
  }
  return { hangul, latin, other, letters: hangul + latin + other };
}

/** Shares of the text's letters by script; all zero for a text without letters. */
export function scriptShares(text: string): ScriptShares {
  const c = scriptCounts(text);
  if (c.letters === 0) return { hangul: 0, latin: 0, other: 0 };
  return { hangul: c.hangul / c.letters, latin: c.latin / c.letters, other: c.other / c.letters };
}

/** True when a text has at least one Hangul letter (the cheap test fill-mask routing needs). */
export function hasHangul(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (isHangulCode(text.charCodeAt(i))) return true;
  return false;
}
