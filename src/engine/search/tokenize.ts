// Tokens for keyword search, in English and Korean alike. Hangul is agglutinative: particles and
// endings attach to the stem ("기차가", "기차를", "기차는"), so whitespace words rarely match a
// query. Each Hangul run is indexed as overlapping syllable bigrams ("기차가" → 기차, 차가), which
// lets "기차" match all three forms without a dictionary; a one-syllable word stays a unigram.
// Latin words are lowercased and NFKC-folded; identifiers also yield their parts
// (searchIndex → search, index; snake_case → snake, case).

const WORD = /[\p{L}\p{N}_]+/gu;
const HANGUL = /\p{Script=Hangul}/u;
const HAN_OR_KANA = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u;

/** Common English function words: frequent, uninformative, and they slow long queries. */
const STOPWORDS = new Set(
  'a an and are as at be but by for from has have he her his i if in into is it its me my not of on or our she so than that the their them then there these they this to was we were what when which who will with you your'.split(' '),
);

export function tokenize(text: string): string[] {
  const out: string[] = [];
  const norm = text.normalize('NFKC');
  for (const m of norm.matchAll(WORD)) {
    const word = m[0];
    if (HANGUL.test(word) || HAN_OR_KANA.test(word)) {
      splitScripts(word, out);
      continue;
    }
    pushLatin(word, out);
  }
  return out;
}

function pushLatin(word: string, out: string[]): void {
  const lower = word.toLowerCase();
  if (!STOPWORDS.has(lower) && lower.length <= 64) out.push(lower);
  // Parts of camelCase / snake_case identifiers, so "index" finds "searchIndex".
  const parts = word.split(/_+|(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])/).filter(Boolean);
  if (parts.length > 1) for (const p of parts) {
    const lp = p.toLowerCase();
    if (lp.length > 1 && !STOPWORDS.has(lp)) out.push(lp);
  }
}

/** A word mixing scripts ("KTX기차") is cut where the script changes. */
function splitScripts(word: string, out: string[]): void {
  let run = '';
  let runCjk = false;
  const flush = () => {
    if (!run) return;
    if (runCjk) pushBigrams(run, out);
    else pushLatin(run, out);
    run = '';
  };
  for (const ch of word) {
    const cjk = HANGUL.test(ch) || HAN_OR_KANA.test(ch);
    if (run && cjk !== runCjk) flush();
    runCjk = cjk;
    run += ch;
  }
  flush();
}

function pushBigrams(run: string, out: string[]): void {
  const chars = Array.from(run);
  if (chars.length === 1) {
    out.push(chars[0]);
    return;
  }
  for (let i = 0; i + 1 < chars.length; i++) out.push(chars[i] + chars[i + 1]);
}
