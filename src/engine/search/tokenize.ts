// Tokens for keyword search (BM25), in English and Korean alike.
//
// - Text is NFKC-folded (full-width letters, ligatures, compatibility jamo, decomposed Hangul)
//   and lowercased. Words are runs of letters, combining marks, digits and "_"; emoji, symbols
//   and punctuation only separate words. RTL scripts are ordinary letters.
// - Latin and other spaced scripts: the whole word, plus the parts of an identifier
//   (searchIndex → searchindex, search, index; snake_case → snake_case, snake, case), so both the
//   part and the whole identifier match. English stopwords are dropped and a-z words are
//   Porter-stemmed (Lucene's English analyzer does the same).
// - Hangul is agglutinative: particles (josa) and endings attach to the stem ("기차가", "기차를",
//   "기차는"), so whitespace words rarely equal the query's. Without a dictionary, a trailing
//   josa is stripped when at least two syllables remain (기차가 → 기차, 국가는 → 국가, but 국가
//   stays whole), and the rest is indexed as overlapping syllable bigrams (컴퓨터 → 컴퓨, 퓨터),
//   the dictionary-free approach of Lucene's CJK analyzer: any stem of two or more syllables is a
//   bigram of every inflected or compounded form, and inconsistent spacing ("상태관리" vs "상태
//   관리") still matches. A one-syllable word stays a unigram. Han, kana and the unspaced
//   South-East Asian scripts (Thai, Lao, Khmer, Myanmar) get the same bigrams. A word that mixes
//   scripts ("KTX기차") is cut where the script changes.
// - On the query side each distinct term counts once, and the n−1 bigrams of an n-syllable word
//   share that word's weight (1/(n−1) each), so a long Korean word weighs as much as one English
//   word instead of n−1 of them (queryTerms()).
//
// Measured with scripts/tune-bm25.js, BM25 k1=0.9 b=0.4, nDCG@10:
//   SciFact TRAIN (809 q): plain words 0.6676; + stopwords 0.6689; + identifier parts 0.6712;
//   + S-stemmer 0.6836; + Porter 0.7002 (chosen; without stopwords also 0.7002, kept for the
//   smaller index and faster queries). Repeated query terms counted once 0.7002 vs weighted by
//   count 0.6955.
//   Korean proxies (no Korean qrels exist here): KorSTS dev paraphrase retrieval / tldr-ko
//   summary → page: whitespace words 0.832 / 0.451; plain bigrams 0.891 / 0.441; bigrams with
//   per-word query weight 0.890 / 0.506; josa-stripped words without bigrams 0.873 / 0.519;
//   bigrams of josa-stripped words with per-word weight 0.903 / 0.520 (chosen).
//
// The tokenizer is part of the persisted keyword index: any change to its output must bump
// TOKENIZER_VERSION so that saved indexes are rebuilt instead of silently mismatching queries.
import { porterStem } from './stem';

/** Bumped whenever tokenize() can return different tokens for the same text. */
export const TOKENIZER_VERSION = 2;

/**
 * How the keyword index turns text into terms (Bm25Index's `analyzer` option): the words of a
 * passage with the surface form each came from, and a query's weighted terms. `version` is saved
 * with the index, so an index written by another analyzer is rebuilt rather than misread.
 */
export interface KeywordAnalyzer {
  readonly version: number;
  index(text: string): { tokens: string[]; surfaces: string[] };
  query(text: string): QueryTerms;
}

/** An analyzer with other tokenizer parts (scripts/tune-bm25.js measures them this way). */
export function analyzerWith(parts: Readonly<TokenizerParts>, version = TOKENIZER_VERSION): KeywordAnalyzer {
  return { version, index: (text) => tokenizeWithSurfaces(text, parts), query: (text) => queryTerms(text, parts) };
}

/**
 * The parts of the tokenizer a caller may replace, as MiniSearch takes tokenize/processTerm: what
 * becomes of each word of a spaced script, whether identifiers are also split into their parts,
 * and how a run of a bigram script (Hangul, Han, kana, Thai…) is cut. The product's choices are
 * PRODUCT_TOKENIZER; scripts/tune-bm25.js builds the variants it measures from these parts.
 */
export interface TokenizerParts {
  /** A lowercased word or identifier part → its term, or null to leave it out (a stopword). */
  processTerm(word: string): string | null;
  /** Also index the parts of camelCase / snake_case identifiers. */
  identifierParts: boolean;
  /**
   * Cuts a run of a bigram script into terms, calling emit(term, query weight) for each; `query`
   * is true on the query side, where weights count.
   */
  segment(run: string, emit: (term: string, weight: number) => void, query: boolean): void;
}

/** Common English function words (Lucene's English stopword set plus a few pronouns). */
export const STOPWORDS: ReadonlySet<string> = new Set(
  ('a an and are as at be but by for if in into is it no not of on or such that the their then there these they this to was will with ' +
    'he her his i its me my our she so than them we were what when which who you your has have from')
    .split(' '),
);

// Character classes, cached per BMP code unit (astral characters are classified on the fly).
const SEP = 1; // anything that separates words: space, punctuation, symbols, emoji
const WORDCH = 2; // letter, digit or "_" of a spaced script
const BIG = 3; // letter of a script segmented into bigrams
const MARK = 4; // combining mark: stays with whatever precedes it
const WORD_CHAR = /^[\p{L}\p{N}_]$/u;
const MARK_CHAR = /^\p{M}$/u;
// Scripts segmented into bigrams: Hangul, Han, Hiragana, Katakana, Thai, Lao, Khmer, Myanmar.
const BIGRAM_CHAR = /^[\p{Script=Hangul}\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}\u30fc]$/u;
const UPPER_AFTER_FIRST = /.\p{Lu}/su;
const ASCII_LOWER_WORD = /^[a-z]+$/;
const MAX_WORD = 64; // longer "words" are hashes, base64 or minified code: not worth indexing whole

const classOfUnit = new Uint8Array(0x10000);
for (let c = 0; c < 0x80; c++) {
  const ch = String.fromCharCode(c);
  classOfUnit[c] = /[A-Za-z0-9_]/.test(ch) ? WORDCH : SEP;
}

function classify(ch: string): number {
  if (BIGRAM_CHAR.test(ch)) return BIG;
  if (WORD_CHAR.test(ch)) return WORDCH;
  if (MARK_CHAR.test(ch)) return MARK;
  return SEP;
}

// Word → its terms, per tokenizer: null (a stopword, nothing), or the terms (the word, and
// an identifier's parts) with the surface form each came from (lowercased, before stemming).
// Notes repeat words heavily, so most words are a single Map lookup.
interface WordEntry {
  terms: string[];
  surfaces: string[];
}
const wordCaches = new WeakMap<object, Map<string, WordEntry | null>>();
const WORD_CACHE_LIMIT = 100_000;

/** Collects tokens, and their query weights and surface forms when asked for. */
class Sink {
  readonly tokens: string[] = [];
  readonly words: Map<string, WordEntry | null>;
  /** The last spaced-script word, lowercased, when it runs to the end of the text (else null). */
  lastWord: string | null = null;
  constructor(
    readonly parts: Readonly<TokenizerParts>,
    readonly weights: number[] | null = null,
    /** Per token: the lowercased word or identifier part it came from; '' for a bigram. */
    readonly surfaces: string[] | null = null,
  ) {
    let cache = wordCaches.get(parts);
    if (!cache) wordCaches.set(parts, (cache = new Map()));
    this.words = cache;
  }
  /** For segment(): a bigram-script term (no surface form). */
  readonly emit = (t: string, w: number): void => this.push(t, w);
  push(t: string, w = 1, surface = ''): void {
    this.tokens.push(t);
    if (this.weights) this.weights.push(w);
    if (this.surfaces) this.surfaces.push(surface);
  }
}

/** Tokens of `text` for the keyword index and queries (the product's tokenizer unless given). */
export function tokenize(text: string, parts: Readonly<TokenizerParts> = PRODUCT_TOKENIZER): string[] {
  const sink = new Sink(parts);
  scan(text, sink);
  return sink.tokens;
}

/**
 * tokenize() with, per token, the surface form it came from: the lowercased word or identifier
 * part before stemming ("references" for the term "refer"), or '' for a bigram. The keyword index
 * keeps these to match typo'd and half-typed query words against words it has seen.
 */
export function tokenizeWithSurfaces(text: string, parts: Readonly<TokenizerParts> = PRODUCT_TOKENIZER): { tokens: string[]; surfaces: string[] } {
  const sink = new Sink(parts, null, []);
  scan(text, sink);
  return { tokens: sink.tokens, surfaces: sink.surfaces! };
}

export interface QueryTerms {
  terms: string[];
  weights: number[];
  /** Per term, the surface form of its first occurrence ('' for a bigram). */
  surfaces?: string[];
  /**
   * The last word of a spaced script, lowercased, if nothing but the end of the text follows it:
   * the word the user may still be typing (even a stopword: "the" may become "theory").
   */
  lastWord?: string | null;
}

/**
 * The distinct terms of a query, in first-occurrence order, each with its weight: 1 for a word,
 * 1/(n−1) for each bigram of an n-syllable run (the product's segment); a term seen twice keeps
 * its largest weight.
 */
export function queryTerms(text: string, parts: Readonly<TokenizerParts> = PRODUCT_TOKENIZER): QueryTerms {
  const sink = new Sink(parts, [], []);
  scan(text, sink);
  const terms: string[] = [];
  const weights: number[] = [];
  const surfaces: string[] = [];
  const at = new Map<string, number>();
  sink.tokens.forEach((t, i) => {
    const w = sink.weights![i];
    const j = at.get(t);
    if (j === undefined) {
      at.set(t, terms.length);
      terms.push(t);
      weights.push(w);
      surfaces.push(sink.surfaces![i]);
    } else if (w > weights[j]) weights[j] = w;
  });
  return { terms, weights, surfaces, lastWord: sink.lastWord };
}

function scan(text: string, out: Sink): void {
  if (typeof text !== 'string' || text.length === 0) return;
  const s = text.normalize('NFKC');
  const n = s.length;
  // A run is a maximal stretch of one kind (spaced-script word or bigram-script text); marks
  // extend the current run. Runs of different kinds that touch ("KTX기차") are cut apart.
  let runStart = -1;
  let runKind = 0;
  let i = 0;
  while (i < n) {
    const c = s.charCodeAt(i);
    let width = 1;
    let cls: number;
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) width = 2;
      cls = width === 2 ? classify(s.slice(i, i + 2)) : SEP;
    } else if (c >= 0xd800 && c <= 0xdfff) {
      cls = SEP; // lone surrogate
    } else {
      cls = classOfUnit[c];
      if (cls === 0) cls = classOfUnit[c] = classify(String.fromCharCode(c));
      if (cls === WORDCH && runKind === WORDCH && runStart >= 0) {
        // Inside a spaced-script word: skip ahead over plain word characters.
        let j = i + 1;
        while (j < n) {
          const d = s.charCodeAt(j);
          if (d >= 0xd800 || classOfUnit[d] !== WORDCH) break;
          j++;
        }
        i = j;
        continue;
      }
    }
    if (cls === MARK) {
      // A mark extends the current run; without one (an emoji's variation selector) it is dropped.
    } else if (cls === SEP) {
      if (runStart >= 0) emitRun(s, runStart, i, runKind, out);
      runStart = -1;
    } else if (runStart < 0) {
      runStart = i;
      runKind = cls;
    } else if (cls !== runKind) {
      emitRun(s, runStart, i, runKind, out);
      runStart = i;
      runKind = cls;
    }
    i += width;
  }
  if (runStart >= 0) emitRun(s, runStart, n, runKind, out);
}

function emitRun(s: string, start: number, end: number, kind: number, out: Sink): void {
  if (kind === BIG) {
    out.lastWord = null;
    out.parts.segment(s.slice(start, end), out.emit, out.weights !== null);
  } else {
    const word = s.slice(start, end);
    if (out.surfaces) out.lastWord = end === s.length && word.length <= MAX_WORD ? word.toLowerCase() : null;
    pushWord(word, out);
  }
}

function pushWord(word: string, out: Sink): void {
  const cache = out.words;
  let entry = cache.get(word);
  if (entry === undefined) {
    entry = wordTerms(word, out.parts);
    if (cache.size >= WORD_CACHE_LIMIT) cache.clear();
    cache.set(word, entry);
  }
  if (entry === null) return;
  const { terms, surfaces } = entry;
  for (let i = 0; i < terms.length; i++) out.push(terms[i], 1, surfaces[i]);
}

function wordTerms(word: string, parts: Readonly<TokenizerParts>): WordEntry | null {
  const out: WordEntry = { terms: [], surfaces: [] };
  const lower = word.toLowerCase();
  if (lower.length <= MAX_WORD) pushTerm(lower, out, parts);
  // Parts only when there is something to split: "_" or an upper-case letter after the first.
  if (parts.identifierParts && (word.indexOf('_') >= 0 || (lower !== word && UPPER_AFTER_FIRST.test(word)))) {
    const pieces = word.split(/_+|(?<=[\p{Ll}\p{N}])(?=\p{Lu})|(?<=\p{Lu})(?=\p{Lu}\p{Ll})/u);
    let count = 0;
    for (const p of pieces) if (p) count++;
    if (count >= 2) for (const p of pieces) if (p.length > 1 && p.length <= MAX_WORD) pushTerm(p.toLowerCase(), out, parts);
  }
  return out.terms.length === 0 ? null : out;
}

function pushTerm(surface: string, out: WordEntry, parts: Readonly<TokenizerParts>): void {
  const t = parts.processTerm(surface);
  if (t === null || t === '') return;
  out.terms.push(t);
  out.surfaces.push(surface);
}

/** The product's word → term: English stopwords out, a-z words Porter-stemmed. */
export function productTerm(word: string): string | null {
  if (STOPWORDS.has(word)) return null;
  return word.length > 2 && ASCII_LOWER_WORD.test(word) ? porterStem(word) : word;
}


// Particles (josa) that end a Korean noun phrase, longest first.
const JOSA = ['에서부터', '으로부터', '로부터', '에게서', '까지는', '에서는', '에서도', '으로는', '에게는', '이라는', '라는', '이라고', '라고', '에서', '에게', '한테', '으로', '까지', '부터', '처럼', '보다', '이나', '이랑', '하고', '과는', '와는', '은', '는', '이', '가', '을', '를', '에', '의', '로', '와', '과', '도', '만', '나', '랑', '께', '야'];

/** The run without a trailing particle, if at least `minStem` characters remain. */
export function stripJosa(run: string, minStem = 1): string {
  for (const j of JOSA) if (run.length >= j.length + minStem && run.endsWith(j)) return run.slice(0, -j.length);
  return run;
}

/**
 * Overlapping character bigrams of a run (a single character stays a unigram), each with query
 * weight 1/(n−1) when `shareWeight` (the run weighs one word), else 1.
 */
export function bigrams(run: string, emit: (term: string, weight: number) => void, shareWeight: boolean): void {
  // BMP-only runs (all of Hangul) have one code unit per character; others are split properly.
  let chars: string[] | null = null;
  for (let i = 0; i < run.length; i++) {
    const c = run.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) {
      chars = Array.from(run);
      break;
    }
  }
  const n = chars ? chars.length : run.length;
  if (n === 1) {
    emit(run, 1);
    return;
  }
  const w = shareWeight ? 1 / (n - 1) : 1;
  if (chars === null) for (let i = 0; i + 1 < n; i++) emit(run.slice(i, i + 2), w);
  else for (let i = 0; i + 1 < n; i++) emit(chars[i] + chars[i + 1], w);
}

/** The product's tokenizer: the choices measured at the top of this file. */
export const PRODUCT_TOKENIZER: Readonly<TokenizerParts> = Object.freeze({
  processTerm: productTerm,
  identifierParts: true,
  // Bigrams of the run after a particle that leaves ≥ 2 syllables; a query word weighs one word.
  segment: (run: string, emit: (term: string, weight: number) => void, query: boolean) => bigrams(stripJosa(run, 2), emit, query),
});

/** The product's analyzer. */
export const DEFAULT_ANALYZER: KeywordAnalyzer = Object.freeze(analyzerWith(PRODUCT_TOKENIZER));
