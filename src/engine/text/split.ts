// Cuts a text into what each language's model should read. Words (runs without whitespace) that
// contain Hangul go to the Korean part whole, so a particle glued to a Latin word ("Rust의") stays
// with its word; every other word goes to the rest. An English WordPiece vocabulary cuts Hangul
// into meaningless jamo pieces, so keeping Hangul out of the English part is what matters most.
import { isHangulCode } from './script';

export interface ScriptParts {
  /** The words containing Hangul, in order, space-separated. */
  hangul: string;
  /** Every other word, in order, space-separated. */
  rest: string;
}

export function splitByScript(text: string): ScriptParts {
  const hangul: string[] = [];
  const rest: string[] = [];
  let start = -1;
  let hasHangul = false;
  const flush = (end: number) => {
    if (start >= 0) (hasHangul ? hangul : rest).push(text.slice(start, end));
    start = -1;
    hasHangul = false;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // Whitespace as String.prototype.trim knows it, ASCII and the common Unicode spaces.
    if (c === 0x20 || (c >= 0x09 && c <= 0x0d) || c === 0xa0 || c === 0x3000 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0xfeff) {
      flush(i);
      continue;
    }
    if (start < 0) start = i;
    if (!hasHangul && isHangulCode(c)) hasHangul = true;
  }
  flush(text.length);
  return { hangul: hangul.join(' '), rest: rest.join(' ') };
}
