// Okapi BM25 over an in-memory inverted index.
//
// Written by hand rather than taken from a library because the notes index needs four things
// together that none of them offers: adding and removing single passages while every statistic
// (N, df, average length) stays exact; a compact, versioned, checksummed binary form for the
// store; our Korean-aware tokenizer (tokenize.ts) on both the index and the query side; and
// exact Okapi BM25 scores (Lucene-style idf, no approximations or pruning), so results can be
// checked against a hand computation. MiniSearch (the engine of Obsidian's Omnisearch) serves as
// the benchmark peer in bench/keyword.ts, not as our engine.
//
// Scoring, for a query q and a document d of length |d| (in tokens) in a collection of N live
// documents with mean length avgdl:
//   score(d, q) = Σ_{t ∈ q} w(t) · idf(t) · tf(t,d)·(k1+1) / (tf(t,d) + k1·(1 − b + b·|d|/avgdl))
//   idf(t)      = ln(1 + (N − df(t) + 0.5) / (df(t) + 0.5))         (Lucene's non-negative idf)
// over the distinct query terms t (Okapi's k3 = 0: a repeated query term counts once, which
// measured better on SciFact train), with w(t) = 1 for a word and 1/(n−1) for each bigram of an
// n-syllable query word (see queryTerms() in tokenize.ts).
//
// Tolerant matching (search()'s KeywordMatchOptions, on by default) adds, per query word, other
// indexed terms as alternatives: completions of the last word while it is being typed, and, for
// a word of 5+ letters the index lacks, words within 1 edit (2 from 10 letters) of it among the
// surface words seen at index time (termDictionary.ts; a typo is in the written word, not in its
// Porter stem). Which alternatives count is decided in the context of the rest of the query:
// those words are scored first, and a completion or variant is kept when it occurs in their best
// passages, the most frequent there first ("colorectal can" → cancer, "stem cel" → cells); with
// no such context, the most frequent words and fewest edits win. An alternative t' scores the
// formula above with w(t)·f·min(idf(t'), idf(t)) (f from TOLERANT_DEFAULTS and the context), and a
// query word contributes its best alternative per document. Hangul bigrams are matched exactly:
// a mistyped syllable spoils one or two bigrams of a word, not the word.
//
// Layout. Each term has a growable Int32Array of (slot, tf) pairs, appended in slot order, so
// every posting list is sorted by slot. A slot is a document's position in insertion order;
// per-slot arrays hold the caller's id and the length (-1 once removed). Removal decrements N,
// df and the total length at once, so scores equal a fresh index immediately; the dead postings
// are swept out (and unused terms dropped) when they pass a third of all postings, which keeps
// removal O(terms of the document) amortized. Search accumulates into a reused Float64Array,
// remembers the touched slots in a reused Int32Array and keeps the best k in a binary heap (util/topK.ts).
import { TopK } from '../util/topK';
import { decodeBm25, encodeBm25 } from './bm25Codec';
import { TermDictionary, type DictionaryMatch } from './termDictionary';
import { DEFAULT_ANALYZER, type KeywordAnalyzer } from './tokenize';

export interface Bm25Options {
  k1?: number;
  b?: number;
  /**
   * How text becomes terms on the index and the query side (as MiniSearch's tokenize and
   * processTerm): the product's Korean-aware tokenizer unless given, e.g. by the tuning script.
   */
  analyzer?: KeywordAnalyzer;
}

export interface Bm25Hit {
  id: number;
  score: number;
}

/**
 * Tolerant matching of query words against the words seen at index time (search()'s fourth
 * argument). Both kinds are on by default; a caller turns them off with `false`.
 */
export interface KeywordMatchOptions {
  /** The last query word, when nothing follows it, also matches as the start of longer words. */
  prefix?: boolean;
  /** Query words also match words a few edits away. */
  fuzzy?: boolean;
  /** Tuning knobs (TOLERANT_DEFAULTS); exposed for scripts/tune-bm25.js. */
  tuning?: Partial<TolerantTuning>;
}

export interface TolerantTuning {
  /** A prefix completion scores this fraction of what the completed word would score. */
  prefixWeight: number;
  /** Shortest last word (in characters) that is completed as a prefix. */
  minPrefixLength: number;
  /** Most completions kept per prefix (those the rest of the query co-occurs with most first). */
  maxPrefixTerms: number;
  /** Completions considered per prefix (the most frequent first) before the rest of the query picks among them. */
  prefixCandidates: number;
  /** How many of the rest of the query's best passages judge which completion or variant was meant. */
  contextPassages: number;
  /** A chosen alternative scores (its count in those passages / the best one's)^this. */
  contextExponent: number;
  /** A fuzzy match scores this fraction per edit (weight^distance). */
  fuzzyWeight: number;
  /** Shortest query word (in characters) matched within 1 edit. */
  fuzzy1MinLength: number;
  /** Shortest query word matched within 2 edits (when nothing is within 1). */
  fuzzy2MinLength: number;
  /** Fuzzy matching only for words whose own term is in at most this many documents. */
  fuzzyMaxExactDf: number;
  /** Most fuzzy candidates kept per word (those the rest of the query co-occurs with most first). */
  maxFuzzyTerms: number;
  /** Fuzzy candidates considered per word (fewest edits, then most frequent, first). */
  fuzzyCandidates: number;
}

/**
 * Frozen after tuning on SciFact TRAIN only (scripts/tune-bm25.js tolerant: 809 queries through
 * the passage index, query sets clean / last word half-typed / typos from eval/queryNoise.ts with
 * NOISE_SEED). nDCG@10 exact-only → these defaults: clean 0.7035 → 0.7034, half-typed 0.6706 →
 * 0.7004, typos 0.5872 → 0.6933.
 * - Completions chosen by the rest of the query (its best 20 passages) instead of by frequency
 *   alone: half-typed 0.6943 → 0.7004, clean and typos unchanged. Counting passages beat summing
 *   their scores (0.6998 vs 0.6995); 20 passages beat 10, 15, 30 and 50 (0.6947–0.6997); a
 *   share exponent of 0.5 beat 0 and 1 (0.6998, 0.6996); 64 candidates equal 256 and 1,024, 16
 *   lose 0.0025. With the context choosing, a completion scores nearly as much as the word
 *   itself (weight 1 beat 0.9 by 0.002–0.004; 0.98 keeps the typed word first when it is a word
 *   for 0.0001). No fuzzy matching of the word being typed when it has
 *   completions (+0.0006 half-typed).
 * - Fuzzy: both weights rose to 0.9 from 0.3–0.8 in the first grid (0.95 within ±0.002). Fuzzy
 *   lookups for every query word instead of only unknown ones (fuzzyMaxExactDf ∞ vs 0, at weight
 *   0.3) gained 0.002 on typos, cost 0.0015 on clean queries and a tree walk per word; words in
 *   at most 2 documents vs none: +0.0006 typos, −0.0003 clean; 1 edit from 4 letters instead of
 *   5: +0.0016 typos, −0.0011 clean, −0.004 half-typed; caps of 4–32 fuzzy terms measured equal.
 *   Trying 2 edits only when 1 edit finds nothing (for speed) measured typos 0.6931 against
 *   0.6932. Variants chosen in context: typos +0.0002.
 */
export const TOLERANT_DEFAULTS: Readonly<TolerantTuning> = Object.freeze({
  prefixWeight: 0.98,
  minPrefixLength: 2,
  maxPrefixTerms: 8,
  prefixCandidates: 64,
  contextPassages: 20,
  contextExponent: 0.5,
  fuzzyWeight: 0.9,
  fuzzy1MinLength: 5,
  fuzzy2MinLength: 10,
  fuzzyMaxExactDf: 0,
  maxFuzzyTerms: 8,
  fuzzyCandidates: 32,
});

const HAS_DIGIT = /\d/;
/** Fuzzy lookups per query at most: beyond this a query is pasted text, not typed words. */
const MAX_FUZZY_WORDS = 32;

/**
 * Tuned on the SciFact TRAIN split only (809 queries; scripts/tune-bm25.js): a 10×10 grid over
 * k1 ∈ 0.5…2.0 and b ∈ 0.2…1.0 around BEIR's Anserini setting (0.9, 0.4). The surface is flat
 * near the top (0.700–0.703), so the default is the centre of the best 3×3 neighbourhood:
 * nDCG@10 0.7013 on train, against 0.7002 for (0.9, 0.4) and 0.7028 for the best single cell.
 */
export const BM25_DEFAULTS: Readonly<{ k1: number; b: number }> = Object.freeze({ k1: 1.1, b: 0.5 });


/** One query word's alternatives: term ids and their score factors (1 for the exact term). */
interface QueryGroup {
  weight: number;
  exactDf: number;
  terms: number[];
  factors: number[];
  /**
   * Completions or typo variants of the word, in order of preference without context (most
   * frequent, fewest edits); search() keeps up to `keep` of them once the rest of the query is
   * scored (chooseInContext).
   */
  pending?: Candidate[];
  keep?: number;
  context?: Readonly<TolerantTuning>;
}

interface Candidate {
  t: number;
  df: number;
  factor: number;
}

/** Adds a term to a group, or raises its factor if it is there already. */
function addAlternative(g: QueryGroup, t: number, factor: number): void {
  const at = g.terms.indexOf(t);
  if (at < 0) {
    g.terms.push(t);
    g.factors.push(factor);
  } else if (factor > g.factors[at]) g.factors[at] = factor;
}

class Postings {
  data: Int32Array; // slot, tf, slot, tf, …
  length = 0; // pairs
  constructor(capacityPairs = 2) {
    this.data = new Int32Array(capacityPairs * 2);
  }
  push(slot: number, tf: number): void {
    const at = this.length * 2;
    if (at + 2 > this.data.length) {
      const d = new Int32Array(Math.max(4, this.data.length * 2));
      d.set(this.data);
      this.data = d;
    }
    this.data[at] = slot;
    this.data[at + 1] = tf;
    this.length++;
  }
}

export class Bm25Index {
  readonly k1: number;
  readonly b: number;
  readonly analyzer: KeywordAnalyzer;

  // Terms (ids are dense; a term whose df drops to 0 is dropped at the next sweep).
  private termIds = new Map<string, number>();
  private terms: string[] = [];
  private postings: Postings[] = [];
  private df: number[] = [];

  // Slots (documents in insertion order).
  private slotOf = new Map<number, number>();
  private slotCount = 0;
  private slotId = new Float64Array(16);
  private slotLen = new Int32Array(16); // -1: removed
  private slotTerms: (Int32Array | null)[] = [];

  private totalLen = 0;
  private livePairs = 0;
  private deadPairs = 0;

  // Surface words seen at index time → their terms, for prefix and fuzzy matching.
  private dict = new TermDictionary();

  // Reused by add() and search().
  private tfScratch = new Int32Array(64);
  private scores = new Float64Array(0);
  private touched = new Int32Array(0);
  private best = new TopK();
  private groupScores = new Float64Array(0);
  private groupTouched = new Int32Array(0);

  constructor(opts: Bm25Options = {}) {
    const k1 = opts.k1 ?? BM25_DEFAULTS.k1;
    const b = opts.b ?? BM25_DEFAULTS.b;
    if (!(Number.isFinite(k1) && k1 >= 0)) throw new RangeError(`BM25 k1 must be a finite number ≥ 0 (got ${k1})`);
    if (!(Number.isFinite(b) && b >= 0 && b <= 1)) throw new RangeError(`BM25 b must be between 0 and 1 (got ${b})`);
    this.k1 = k1;
    this.b = b;
    this.analyzer = opts.analyzer ?? DEFAULT_ANALYZER;
  }

  /**
   * Builds up to `words` more of the tree that typo and prefix lookups walk (termDictionary.ts);
   * true once it is complete. Called while the index is idle, so no query waits for it.
   */
  prepareTolerantLookups(words: number): boolean {
    return this.dict.buildStep(words);
  }

  /** Number of documents in the index. */
  get size(): number {
    return this.slotOf.size;
  }

  has(id: number): boolean {
    return this.slotOf.has(id);
  }

  /** Indexes `text` under `id` (a non-negative safe integer); an existing id is replaced. */
  add(id: number, text: string): void {
    if (!Number.isSafeInteger(id) || id < 0) throw new RangeError(`BM25 document id must be a non-negative safe integer (got ${id})`);
    if (typeof text !== 'string') throw new TypeError(`BM25 document ${id}: text must be a string`);
    const { tokens, surfaces } = this.analyzer.index(text);
    if (this.slotOf.has(id)) this.remove(id);
    // Term frequencies through a scratch array indexed by term id: no per-document Map.
    const unique: number[] = [];
    const dict = this.dict;
    for (let i = 0; i < tokens.length; i++) {
      const tok = tokens[i];
      const t = this.internTerm(tok);
      if (this.tfScratch[t]++ === 0) unique.push(t);
      const surface = surfaces[i];
      if (surface !== '' && !dict.has(surface)) dict.add(surface, tok);
    }
    const tfs = new Int32Array(unique.length);
    for (let i = 0; i < unique.length; i++) {
      tfs[i] = this.tfScratch[unique[i]];
      this.tfScratch[unique[i]] = 0;
    }
    this.addCounts(id, Int32Array.from(unique), tfs, tokens.length);
  }

  /** Removes a document; false if the id was not indexed. */
  remove(id: number): boolean {
    const slot = this.slotOf.get(id);
    if (slot === undefined) return false;
    this.slotOf.delete(id);
    this.totalLen -= this.slotLen[slot];
    this.slotLen[slot] = -1;
    const terms = this.slotTerms[slot]!;
    for (let i = 0; i < terms.length; i++) this.df[terms[i]]--;
    this.livePairs -= terms.length;
    this.deadPairs += terms.length;
    this.slotTerms[slot] = null;
    if (this.deadPairs > 4096 && this.deadPairs * 2 > this.livePairs) this.sweep();
    else if (this.slotOf.size === 0) this.clear();
    return true;
  }

  /**
   * The best `k` documents for `query`, by descending score, ties by ascending id. `filter`, if
   * given, is asked only about documents that would otherwise enter the top k.
   *
   * Exact matches score exact Okapi BM25 (the file header). With `match` on (the default), a
   * query word may also match other indexed words: the last word, if nothing follows it, as the
   * start of longer words ("ownersh" → ownership), and a word of 5+ letters within one edit (two
   * for long ones) of words seen at index time ("refrences" → references → the term "refer").
   * Which of them count is judged by the rest of the query (chooseInContext). Such a match scores
   * BM25 of the matched term times a factor (TOLERANT_DEFAULTS, below 1), with idf capped at the
   * query word's own idf, so it never outranks the exact word in an otherwise equal document. A
   * query word counts once per document: its best-scoring match.
   */
  search(query: string, k: number, filter?: (id: number) => boolean, match: KeywordMatchOptions = {}): Bm25Hit[] {
    const n = this.size;
    if (n === 0 || !(k >= 1) || typeof query !== 'string') return [];
    const limit = Math.min(Math.floor(k), n);
    const groups = this.queryGroups(query, match);
    if (groups.length === 0) return [];

    if (this.scores.length < this.slotCount) {
      this.scores = new Float64Array(this.slotCount + (this.slotCount >> 1));
      this.touched = new Int32Array(this.scores.length);
      this.groupScores = new Float64Array(this.scores.length);
      this.groupTouched = new Int32Array(this.scores.length);
    }
    const scores = this.scores;
    const touched = this.touched;
    const slotLen = this.slotLen;
    let nTouched = 0;
    const avgdl = this.totalLen / n;
    const k1 = this.k1;
    const base = k1 * (1 - this.b);
    const perLen = avgdl > 0 ? (k1 * this.b) / avgdl : 0;
    const idf = (df: number) => Math.log(1 + (n - df + 0.5) / (df + 0.5));
    // The word being typed goes last: its completions are chosen by what the rest of the query
    // has scored so far.
    groups.sort((x, y) => (x.pending ? 1 : 0) - (y.pending ? 1 : 0));
    for (const g of groups) {
      if (g.pending) this.chooseInContext(g, nTouched);
      if (g.terms.length === 0) continue;
      const capIdf = g.exactDf > 0 ? idf(g.exactDf) : Infinity;
      if (g.terms.length === 1 && g.factors[0] === 1) {
        // One exact term: accumulate straight into the scores (the common case).
        const t = g.terms[0];
        const w = g.weight * idf(this.df[t]) * (k1 + 1);
        const p = this.postings[t];
        const d = p.data;
        const end = p.length * 2;
        for (let i = 0; i < end; i += 2) {
          const slot = d[i];
          const len = slotLen[slot];
          if (len < 0) continue;
          const tf = d[i + 1];
          if (scores[slot] === 0) touched[nTouched++] = slot;
          scores[slot] += (w * tf) / (tf + base + perLen * len);
        }
        continue;
      }
      // Several alternatives for one query word: each document keeps its best one.
      const gs = this.groupScores;
      const gt = this.groupTouched;
      let nGroup = 0;
      for (let m = 0; m < g.terms.length; m++) {
        const t = g.terms[m];
        const w = g.weight * g.factors[m] * Math.min(idf(this.df[t]), capIdf) * (k1 + 1);
        const p = this.postings[t];
        const d = p.data;
        const end = p.length * 2;
        for (let i = 0; i < end; i += 2) {
          const slot = d[i];
          const len = slotLen[slot];
          if (len < 0) continue;
          const tf = d[i + 1];
          const c = (w * tf) / (tf + base + perLen * len);
          if (gs[slot] === 0) gt[nGroup++] = slot;
          if (c > gs[slot]) gs[slot] = c;
        }
      }
      for (let i = 0; i < nGroup; i++) {
        const slot = gt[i];
        if (scores[slot] === 0) touched[nTouched++] = slot;
        scores[slot] += gs[slot];
        gs[slot] = 0;
      }
    }
    return this.topK(nTouched, limit, filter);
  }

  /**
   * The query as groups of alternative terms: one group per distinct query term (its exact term
   * if indexed, plus fuzzy and prefix matches), and one for a last word that is only a prefix.
   */
  private queryGroups(query: string, match: KeywordMatchOptions): QueryGroup[] {
    const tune = match.tuning ? { ...TOLERANT_DEFAULTS, ...match.tuning } : TOLERANT_DEFAULTS;
    const usePrefix = match.prefix !== false;
    const useFuzzy = match.fuzzy !== false;
    const q = this.analyzer.query(query);
    const groups: QueryGroup[] = [];
    let lastWordDone = false;
    let fuzzyWords = 0;
    for (let i = 0; i < q.terms.length; i++) {
      const t = this.termIds.get(q.terms[i]);
      const exactDf = t === undefined ? 0 : this.df[t];
      const g: QueryGroup = { weight: q.weights[i], exactDf, terms: [], factors: [] };
      if (exactDf > 0) {
        g.terms.push(t!);
        g.factors.push(1);
      }
      const surface = q.surfaces?.[i] ?? '';
      if (surface !== '') {
        if (usePrefix && surface === q.lastWord) {
          this.addPrefix(g, surface, tune);
          lastWordDone = true;
        }
        // A word still being typed is not a typo of another word.
        if (useFuzzy && exactDf <= tune.fuzzyMaxExactDf && fuzzyWords < MAX_FUZZY_WORDS && !g.pending) {
          fuzzyWords++;
          this.addFuzzy(g, surface, tune);
        }
      }
      if (g.terms.length || g.pending) groups.push(g);
    }
    // A last word that gave no term of its own (a stopword being typed: "the" → "theory").
    if (usePrefix && !lastWordDone && q.lastWord) {
      const g: QueryGroup = { weight: 1, exactDf: 0, terms: [], factors: [] };
      this.addPrefix(g, q.lastWord, tune);
      if (g.terms.length || g.pending) groups.push(g);
    }
    return groups;
  }

  private addFuzzy(g: QueryGroup, word: string, tune: Readonly<TolerantTuning>): void {
    const len = word.length;
    const maxDistance = len >= tune.fuzzy2MinLength ? 2 : len >= tune.fuzzy1MinLength ? 1 : 0;
    if (maxDistance === 0 || HAS_DIGIT.test(word)) return;
    // Two edits only when one finds nothing: a walk within 2 edits costs ~10× one within 1
    // (1–3 ms against 0.1–0.2 ms on SciFact's 37k words), and most typos are one edit.
    let found = this.liveMatches(this.dict.fuzzy(word, 1));
    if (found.length === 0 && maxDistance > 1) found = this.liveMatches(this.dict.fuzzy(word, maxDistance));
    if (found.length === 0) return;
    found.sort((a, b) => a.distance - b.distance || b.df - a.df || this.byTerm(a, b));
    g.pending = found.slice(0, Math.max(tune.fuzzyCandidates, tune.maxFuzzyTerms)).map((m) => ({ t: m.t, df: m.df, factor: tune.fuzzyWeight ** m.distance }));
    g.keep = tune.maxFuzzyTerms;
    g.context = tune;
  }

  /** Completions of the word being typed, the most frequent first (chosen in chooseInContext). */
  private addPrefix(g: QueryGroup, word: string, tune: Readonly<TolerantTuning>): void {
    if (word.length < tune.minPrefixLength) return;
    const found = this.liveMatches(this.dict.completions(word)).filter((m) => !g.terms.includes(m.t));
    if (found.length === 0) return;
    found.sort((a, b) => b.df - a.df || this.byTerm(a, b));
    g.pending = found.slice(0, Math.max(tune.prefixCandidates, tune.maxPrefixTerms)).map((m) => ({ t: m.t, df: m.df, factor: tune.prefixWeight }));
    g.keep = tune.maxPrefixTerms;
    g.context = tune;
  }

  /**
   * Which of a word's completions or typo variants the user meant, judged by the rest of the
   * query: those found in the documents it ranks best so far (the scores array holds its
   * partial scores here), the most common there first ("bariatric surgery reduces colorectal
   * can" → cancer before the more frequent can·not). With no other word, or none of the
   * candidates in those documents, the order given (most frequent, fewest edits) decides.
   */
  private chooseInContext(g: QueryGroup, nTouched: number): void {
    const candidates = g.pending!;
    const keep = g.keep!;
    const { contextPassages, contextExponent } = g.context!;
    let chosen: { c: Candidate; share: number }[] = [];
    if (nTouched > 0 && contextPassages > 0) {
      const inTop = this.bestTouched(nTouched, contextPassages);
      const support: { c: Candidate; count: number; order: number }[] = [];
      candidates.forEach((c, order) => {
        const p = this.postings[c.t];
        const d = p.data;
        const end = p.length * 2;
        let count = 0;
        for (let j = 0; j < end; j += 2) if (inTop.has(d[j])) count++;
        if (count > 0) support.push({ c, count, order });
      });
      support.sort((x, y) => y.count - x.count || x.order - y.order);
      if (support.length) chosen = support.slice(0, keep).map((x) => ({ c: x.c, share: (x.count / support[0].count) ** contextExponent }));
    }
    if (chosen.length === 0) chosen = candidates.slice(0, keep).map((c) => ({ c, share: 1 }));
    for (const { c, share } of chosen) addAlternative(g, c.t, c.factor * share);
  }

  /** The `n` best-scoring of the slots touched so far (kept sorted by insertion: n is small). */
  private bestTouched(nTouched: number, n: number): Set<number> {
    const scores = this.scores;
    const touched = this.touched;
    const best: number[] = [];
    for (let i = 0; i < nTouched; i++) {
      const slot = touched[i];
      const v = scores[slot];
      if (best.length === n && v <= scores[best[n - 1]]) continue;
      let j = best.length < n ? best.length : n - 1;
      while (j > 0 && scores[best[j - 1]] < v) {
        if (j < n) best[j] = best[j - 1];
        j--;
      }
      best[j] = slot;
    }
    return new Set(best);
  }

  /** Ties in alphabetical order of the term: the lookup tree's own order depends on its history. */
  private byTerm(a: { t: number }, b: { t: number }): number {
    const x = this.terms[a.t];
    const y = this.terms[b.t];
    return x < y ? -1 : x > y ? 1 : 0;
  }

  /** Dictionary matches whose term still occurs somewhere, one per term (its fewest edits). */
  private liveMatches(matches: DictionaryMatch[]): { t: number; df: number; distance: number }[] {
    const best = new Map<number, { t: number; df: number; distance: number }>();
    for (const m of matches) {
      const t = this.termIds.get(m.term);
      if (t === undefined || this.df[t] <= 0) continue;
      const seen = best.get(t);
      if (!seen || m.distance < seen.distance) best.set(t, { t, df: this.df[t], distance: m.distance });
    }
    return [...best.values()];
  }

  /** The index in its binary form (bm25Codec.ts), for the store. */
  serialize(): Buffer {
    // Documents in slot order; a live document's index is its rank among live slots, so postings
    // (sorted by slot) stay sorted by index and are written as gaps.
    const docIndex = new Int32Array(this.slotCount).fill(-1);
    const docIds: number[] = [];
    const docLens: number[] = [];
    for (let s = 0; s < this.slotCount; s++) {
      if (this.slotLen[s] < 0) continue;
      docIndex[s] = docIds.length;
      docIds.push(this.slotId[s]);
      docLens.push(this.slotLen[s]);
    }
    const live: number[] = [];
    const writtenTerm = new Map<string, number>();
    for (let t = 0; t < this.terms.length; t++) {
      if (this.df[t] <= 0) continue;
      writtenTerm.set(this.terms[t], live.length);
      live.push(t);
    }
    // Words whose term is gone (removed documents, not yet swept) are not written.
    const words: [string, number][] = [];
    for (const [surface, term] of this.dict.entries()) {
      const at = writtenTerm.get(term);
      if (at !== undefined) words.push([surface, at]);
    }
    return encodeBm25({
      k1: this.k1,
      b: this.b,
      analyzerVersion: this.analyzer.version,
      docIds,
      docLens,
      terms: live.map((t) => this.terms[t]),
      dfs: live.map((t) => this.df[t]),
      livePairs: this.livePairs,
      forEachPosting: (i, visit) => {
        const p = this.postings[live[i]];
        for (let j = 0; j < p.length * 2; j += 2) {
          const di = docIndex[p.data[j]];
          if (di >= 0) visit(di, p.data[j + 1]);
        }
      },
      words,
    });
  }

  /**
   * Reads what serialize() wrote, for the same analyzer. Throws an Error starting "keyword index
   * data is damaged" (or "…was written by…" for another format or analyzer version) rather than
   * return a wrong index.
   */
  static deserialize(data: Buffer | Uint8Array, analyzer: KeywordAnalyzer = DEFAULT_ANALYZER): Bm25Index {
    const c = decodeBm25(data, analyzer.version);
    const idx = new Bm25Index({ k1: c.k1, b: c.b, analyzer });
    const docCount = c.docIds.length;
    idx.reserveSlots(docCount);
    for (let i = 0; i < docCount; i++) {
      idx.slotOf.set(c.docIds[i], i);
      idx.slotId[i] = c.docIds[i];
      idx.slotLen[i] = c.docLens[i];
      idx.totalLen += c.docLens[i];
    }
    idx.slotCount = docCount;
    const termsPerDoc = new Int32Array(docCount);
    for (let t = 0; t < c.terms.length; t++) {
      const pairs = c.postings[t];
      const p = new Postings(0);
      p.data = pairs;
      p.length = pairs.length >> 1;
      for (let i = 0; i < pairs.length; i += 2) termsPerDoc[pairs[i]]++;
      idx.termIds.set(c.terms[t], t);
      idx.terms.push(c.terms[t]);
      idx.postings.push(p);
      idx.df.push(p.length);
      idx.livePairs += p.length;
    }
    for (const [surface, at] of c.words) idx.dict.add(surface, c.terms[at]);
    // Per-document term lists (needed to remove a document), as views into one buffer.
    const all = new Int32Array(idx.livePairs);
    const fill = new Int32Array(docCount);
    let off = 0;
    for (let i = 0; i < docCount; i++) {
      fill[i] = off;
      off += termsPerDoc[i];
    }
    for (let i = 0; i < docCount; i++) idx.slotTerms.push(all.subarray(fill[i], fill[i] + termsPerDoc[i]));
    for (let t = 0; t < c.terms.length; t++) {
      const p = idx.postings[t];
      for (let i = 0; i < p.length * 2; i += 2) all[fill[p.data[i]]++] = t;
    }
    idx.tfScratch = new Int32Array(Math.max(64, c.terms.length));
    return idx;
  }

  // ---- internals --------------------------------------------------------------------------

  /** The best `limit` touched documents (clearing their scores for the next search). */
  private topK(nTouched: number, limit: number, filter?: (id: number) => boolean): Bm25Hit[] {
    const scores = this.scores;
    const touched = this.touched;
    const ids = this.slotId;
    const best = this.best.reset(limit);
    for (let i = 0; i < nTouched; i++) {
      const slot = touched[i];
      const score = scores[slot];
      scores[slot] = 0;
      // The filter is asked only about documents that would enter the top k.
      if (!best.wouldEnter(ids[slot], score) || (filter && !filter(ids[slot]))) continue;
      best.push(ids[slot], score);
    }
    return best.sorted();
  }

  private reserveSlots(n: number): void {
    if (n <= this.slotId.length) return;
    const cap = Math.max(n, this.slotId.length * 2);
    const ids = new Float64Array(cap);
    ids.set(this.slotId.subarray(0, this.slotCount));
    const lens = new Int32Array(cap);
    lens.set(this.slotLen.subarray(0, this.slotCount));
    this.slotId = ids;
    this.slotLen = lens;
  }

  private addCounts(id: number, termIds: Int32Array, tfs: Int32Array, len: number): void {
    const slot = this.slotCount;
    this.reserveSlots(slot + 1);
    this.slotCount++;
    this.slotId[slot] = id;
    this.slotLen[slot] = len;
    this.slotTerms.push(termIds);
    this.slotOf.set(id, slot);
    this.totalLen += len;
    for (let i = 0; i < termIds.length; i++) {
      const t = termIds[i];
      this.postings[t].push(slot, tfs[i]);
      this.df[t]++;
    }
    this.livePairs += termIds.length;
  }

  private internTerm(term: string): number {
    let t = this.termIds.get(term);
    if (t === undefined) {
      t = this.terms.length;
      this.termIds.set(term, t);
      this.terms.push(term);
      this.postings.push(new Postings());
      this.df.push(0);
      if (t >= this.tfScratch.length) {
        const s = new Int32Array(this.tfScratch.length * 2);
        s.set(this.tfScratch);
        this.tfScratch = s;
      }
    }
    return t;
  }

  private clear(): void {
    this.dict.clear();
    this.termIds = new Map();
    this.terms = [];
    this.postings = [];
    this.df = [];
    this.slotOf = new Map();
    this.slotCount = 0;
    this.slotId = new Float64Array(16);
    this.slotLen = new Int32Array(16);
    this.slotTerms = [];
    this.totalLen = 0;
    this.livePairs = 0;
    this.deadPairs = 0;
  }

  /** Rewrites slots and postings without removed documents, and drops terms nobody uses. */
  private sweep(): void {
    const slotMap = new Int32Array(this.slotCount).fill(-1);
    let live = 0;
    for (let s = 0; s < this.slotCount; s++) {
      if (this.slotLen[s] < 0) continue;
      slotMap[s] = live;
      this.slotId[live] = this.slotId[s];
      this.slotLen[live] = this.slotLen[s];
      this.slotTerms[live] = this.slotTerms[s];
      live++;
    }
    this.slotCount = live;
    this.slotTerms.length = live;
    const termMap = new Int32Array(this.terms.length).fill(-1);
    const terms: string[] = [];
    const postings: Postings[] = [];
    const df: number[] = [];
    for (let t = 0; t < this.terms.length; t++) {
      if (this.df[t] <= 0) continue;
      const p = this.postings[t];
      let w = 0;
      for (let i = 0; i < p.length * 2; i += 2) {
        const ns = slotMap[p.data[i]];
        if (ns < 0) continue;
        p.data[w++] = ns;
        p.data[w++] = p.data[i + 1];
      }
      p.length = w >> 1;
      if (p.data.length > 4 * w + 8) p.data = p.data.slice(0, Math.max(4, 2 * w));
      termMap[t] = terms.length;
      terms.push(this.terms[t]);
      postings.push(p);
      df.push(this.df[t]);
    }
    for (let s = 0; s < live; s++) {
      const ts = this.slotTerms[s]!;
      for (let i = 0; i < ts.length; i++) ts[i] = termMap[ts[i]];
    }
    this.terms = terms;
    this.postings = postings;
    this.df = df;
    this.termIds = new Map(terms.map((term, t) => [term, t]));
    const stale: string[] = [];
    for (const [surface, term] of this.dict.entries()) if (!this.termIds.has(term)) stale.push(surface);
    for (const surface of stale) this.dict.remove(surface);
    this.slotOf = new Map();
    for (let s = 0; s < live; s++) this.slotOf.set(this.slotId[s], s);
    this.deadPairs = 0;
  }
}
