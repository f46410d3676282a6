#!/usr/bin/env node
// How the keyword-search defaults were chosen (tokenizer choices, BM25 k1 and b). Everything here
// runs on SciFact TRAIN only (809 queries over the shared corpus); the test split is scored once,
// by test/engine/search/scifact.test.ts, after the defaults are frozen.
// Korean choices have no SciFact signal, so two Korean proxies are scored as well: KorSTS dev
// paraphrase retrieval (sentence1 → its sentence2 among all 1,500 sentence2s, pairs with gold ≥ 4)
// and, when the notes corpus is extracted, tldr-ko known-item search (a page's summary line →
// the page body without it).
// `tolerant` tunes prefix and fuzzy matching (TOLERANT_DEFAULTS in bm25.ts) on three query sets built
// from the TRAIN queries with a fixed seed (clean, last word half-typed, typos; eval/queryNoise.ts),
// through the product's passage index (eval/runners.ts buildEvalCorpus).
// Usage: npx tsc -p . && node scripts/tune-bm25.js [scifact] [korean] [tolerant] [--notes /tmp/notes/notes-corpus]
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const out = path.join(__dirname, '..', 'out', 'src', 'engine');
const tok = require(path.join(out, 'search', 'tokenize.js'));
const { porterStem } = require(path.join(out, 'search', 'stem.js'));
const { Bm25Index } = require(path.join(out, 'search', 'bm25.js'));
const { loadBeir, loadSts } = require(path.join(out, 'eval', 'datasets.js'));
const { ndcgAtK, recallAtK, mrrAtK } = require(path.join(out, 'eval', 'metrics.js'));

const args = process.argv.slice(2);
const dataDir = path.join(__dirname, '..', '..', 'shared', 'data');
const notesDir = args.includes('--notes') ? args[args.indexOf('--notes') + 1] : null;
/**
 * Tokenizer variants as TokenizerParts (the product's is tok.PRODUCT_TOKENIZER): English words
 * with or without stopwords, identifier parts and a stemmer.
 */
function englishParts({ stopwords = false, identifierParts = false, stem = null }) {
  return {
    ...tok.PRODUCT_TOKENIZER,
    identifierParts,
    processTerm: (w) => {
      if (stopwords && tok.STOPWORDS.has(w)) return null;
      return stem && w.length > 2 && /^[a-z]+$/.test(w) ? stem(w) : w;
    },
  };
}

/** Harman's S stemmer (1991): -ies → -y, -es → -e, -s → "" with the classic exceptions. */
function sStem(w) {
  const n = w.length;
  if (n < 3 || w.charCodeAt(n - 1) !== 0x73 /* s */) return w;
  if (w.endsWith('ies') && !w.endsWith('eies') && !w.endsWith('aies')) return w.slice(0, -3) + 'y';
  if (w.endsWith('es') && !w.endsWith('aes') && !w.endsWith('ees') && !w.endsWith('oes')) return w.slice(0, -1);
  if (w.endsWith('us') || w.endsWith('ss')) return w;
  return w.slice(0, -1);
}

/** Bigrams and every syllable as well. */
function withUnigrams(run, emit, shareWeight) {
  tok.bigrams(run, emit, shareWeight);
  const n = [...run].length;
  if (n > 1) for (const c of run) emit(c, shareWeight ? 1 / (n - 1) : 1);
}

/** A keyword index over `docs` with the given analyzer (Bm25Index's option: no patching). */
function build(docs, analyzer = tok.DEFAULT_ANALYZER) {
  const idx = new Bm25Index({ analyzer });
  docs.forEach((d, i) => idx.add(i, d));
  return idx;
}

/** Whitespace-and-punctuation words, lowercased: the baseline every choice is measured against. */
const plainWords = (t) => t.normalize('NFKC').toLowerCase().split(/[^\p{L}\p{M}\p{N}_]+/u).filter(Boolean);
const PLAIN_ANALYZER = {
  version: 0,
  index: (t) => {
    const tokens = plainWords(t);
    return { tokens, surfaces: tokens.map(() => '') };
  },
  query: (t) => {
    const terms = [...new Set(plainWords(t))];
    return { terms, weights: terms.map(() => 1) };
  },
};

/** Mean metrics over the judged queries. */
function scoreRun(idx, queries, qrels, docIds, k1, b) {
  idx.k1 = k1; // readonly in TypeScript; the tuner sweeps it on one built index
  idx.b = b;
  let ndcg = 0, r100 = 0, mrr = 0, n = 0;
  {
    for (const q of queries) {
      const rel = qrels.get(q.id);
      if (!rel) continue;
      // Exact matching: these experiments chose the tokenizer and k1, b before tolerant matching.
      const ranked = idx.search(q.text, 100, undefined, { prefix: false, fuzzy: false }).map((h) => docIds[h.id]);
      ndcg += ndcgAtK(ranked, rel, 10);
      r100 += recallAtK(ranked, rel, 100);
      mrr += mrrAtK(ranked, rel, 10);
      n++;
    }
  }
  return { ndcg10: ndcg / n, recall100: r100 / n, mrr10: mrr / n, n };
}

const f4 = (x) => x.toFixed(4);
const base = { stem: 'none', stopwords: false, identifierParts: false, cjk: 'bigram' };

async function scifact() {
  const dir = path.join(dataDir, 'scifact');
  const data = await loadBeir({ corpus: path.join(dir, 'corpus.jsonl'), queries: path.join(dir, 'train', 'queries.jsonl'), qrels: path.join(dir, 'train', 'qrels.tsv') });
  const texts = data.corpus.map((d) => `${d.title}\n${d.text}`);
  const ids = data.corpus.map((d) => d.id);
  console.log(`SciFact TRAIN: ${data.queries.length} queries, ${texts.length} docs; nDCG@10 / R@100 / MRR@10 at k1=0.9 b=0.4`);
  const variants = [
    ['plain words (\\w+-like)', englishParts({})],
    ['+ stopwords', englishParts({ stopwords: true })],
    ['+ stopwords + identifier parts', englishParts({ stopwords: true, identifierParts: true })],
    ['+ stopwords + parts + S-stemmer', englishParts({ stopwords: true, identifierParts: true, stem: sStem })],
    ['+ stopwords + parts + Porter', englishParts({ stopwords: true, identifierParts: true, stem: porterStem })],
    ['Porter, no stopwords', englishParts({ identifierParts: true, stem: porterStem })],
  ];
  for (const [name, p] of variants) {
    const idx = build(texts, tok.analyzerWith(p));
    const r = scoreRun(idx, data.queries, data.qrels, ids, 0.9, 0.4);
    console.log(`  ${name.padEnd(36)} ${f4(r.ndcg10)}  ${f4(r.recall100)}  ${f4(r.mrr10)}`);
  }
  // Query-term repetition: each distinct term once (the default) vs weighted by its count in the
  // query (Lucene/Anserini: one clause per occurrence).
  const final = tok.PRODUCT_TOKENIZER;
  const idx = build(texts, tok.analyzerWith(final));
  const once = scoreRun(idx, data.queries, data.qrels, ids, 0.9, 0.4);
  const byCount = build(texts, {
    ...tok.analyzerWith(final),
    query: (t) => {
      const counts = new Map();
      for (const x of tok.tokenize(t, final)) counts.set(x, (counts.get(x) ?? 0) + 1);
      return { terms: [...counts.keys()], weights: [...counts.values()] };
    },
  });
  const qtf = scoreRun(byCount, data.queries, data.qrels, ids, 0.9, 0.4);
  console.log(`  defaults, repeated query terms once     ${f4(once.ndcg10)}  ${f4(once.recall100)}  ${f4(once.mrr10)}`);
  console.log(`  defaults, repeated query terms × count  ${f4(qtf.ndcg10)}  ${f4(qtf.recall100)}  ${f4(qtf.mrr10)}`);

  const k1s = [0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.5, 2.0];
  const bs = [0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.75, 0.8, 0.9, 1.0];
  console.log(`\nGrid (defaults tokenizer), nDCG@10 on TRAIN; rows k1, columns b = ${bs.join(' ')}`);
  let best = null;
  const grid = k1s.map((k1) => {
    const row = bs.map((b) => {
      const r = scoreRun(idx, data.queries, data.qrels, ids, k1, b);
      if (!best || r.ndcg10 > best.ndcg10) best = { k1, b, ...r };
      return r.ndcg10;
    });
    console.log(`  k1=${String(k1).padEnd(4)} ${row.map(f4).join(' ')}`);
    return row;
  });
  console.log(`  best single cell: k1=${best.k1} b=${best.b} nDCG@10 ${f4(best.ndcg10)}`);
  // The surface is flat near the top, so the default is the centre of the best 3×3 neighbourhood
  // (mean nDCG@10 of the cell and its grid neighbours), not a noisy single cell.
  let centre = null;
  for (let i = 1; i < k1s.length - 1; i++) {
    for (let j = 1; j < bs.length - 1; j++) {
      let sum = 0;
      for (let di = -1; di <= 1; di++) for (let dj = -1; dj <= 1; dj++) sum += grid[i + di][j + dj];
      if (!centre || sum / 9 > centre.mean) centre = { k1: k1s[i], b: bs[j], mean: sum / 9 };
    }
  }
  const c = scoreRun(idx, data.queries, data.qrels, ids, centre.k1, centre.b);
  const a = scoreRun(idx, data.queries, data.qrels, ids, 0.9, 0.4);
  console.log(`  best 3×3 neighbourhood centre: k1=${centre.k1} b=${centre.b} (neighbourhood mean ${f4(centre.mean)}): nDCG@10 ${f4(c.ndcg10)} R@100 ${f4(c.recall100)} MRR@10 ${f4(c.mrr10)}`);
  console.log(`  Anserini's k1=0.9 b=0.4 for comparison:                 nDCG@10 ${f4(a.ndcg10)} R@100 ${f4(a.recall100)} MRR@10 ${f4(a.mrr10)}`);
}

async function korsts() {
  const pairs = await loadSts(path.join(dataDir, 'korsts', 'dev.jsonl'));
  const docs = [...new Set(pairs.map((p) => p.sentence2))];
  const docIds = docs.map((_, i) => String(i));
  const index = new Map(docs.map((d, i) => [d, String(i)]));
  const queries = [];
  const qrels = new Map();
  pairs.forEach((p, i) => {
    if (p.score < 4 || p.sentence1 === p.sentence2) return;
    queries.push({ id: String(i), text: p.sentence1 });
    qrels.set(String(i), new Map([[index.get(p.sentence2), 1]]));
  });
  return { name: `KorSTS dev paraphrase retrieval (${queries.length} q, ${docs.length} docs)`, docs, docIds, queries, qrels };
}

function tldrKo(dir) {
  const root = path.join(dir, 'tldr-ko');
  const docs = [];
  const queries = [];
  const qrels = new Map();
  (function walk(d) {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const f = path.join(d, e.name);
      if (e.isDirectory()) walk(f);
      else if (f.endsWith('.md')) {
        const lines = fs.readFileSync(f, 'utf8').split('\n');
        const summary = lines.find((l) => l.startsWith('> ') && !/https?:|관련|참고|더 많은|See also|More information/.test(l));
        if (!summary) continue;
        const body = lines.filter((l) => !l.startsWith('>') && !l.startsWith('# ')).join('\n');
        const id = String(docs.length);
        docs.push(body);
        queries.push({ id, text: summary.slice(2) });
        qrels.set(id, new Map([[id, 1]]));
      }
    }
  })(root);
  return { name: `tldr-ko summary → page body (${queries.length} q)`, docs, docIds: docs.map((_, i) => String(i)), queries, qrels };
}

async function korean() {
  const sets = [await korsts()];
  if (notesDir) sets.push(tldrKo(notesDir));
  const def = tok.PRODUCT_TOKENIZER;
  const cjk = (segment) => ({ ...def, segment });
  const { bigrams, stripJosa } = tok;
  console.log('\nKorean proxies, nDCG@10 / R@100 / MRR@10 (k1=0.9 b=0.4)');
  for (const set of sets) {
    console.log(`  ${set.name}`);
    for (const [name, opts] of [
      ['whitespace words only (no bigrams)', null],
      ['syllable bigrams, each query bigram weight 1', cjk((run, emit) => bigrams(run, emit, false))],
      ['syllable bigrams, query word weight 1', cjk((run, emit, q) => bigrams(run, emit, q))],
      ['bigrams + all unigrams, per-bigram weight', cjk((run, emit) => withUnigrams(run, emit, false))],
      ['bigrams + all unigrams, per-word weight', cjk((run, emit, q) => withUnigrams(run, emit, q))],
      ['josa-stripped words, no bigrams', cjk((run, emit) => emit(stripJosa(run), 1))],
      ['bigrams of josa-stripped words, per-bigram', cjk((run, emit) => bigrams(stripJosa(run, 2), emit, false))],
      ['bigrams of josa-stripped words, per-word (default)', def],
      ['  same, stem may be 1 syllable (국가 → 국)', cjk((run, emit, q) => bigrams(stripJosa(run, 1), emit, q))],
      ['  same, + 1-syllable stem of 2-syllable words', cjk((run, emit, q) => {
        const st = stripJosa(run, 2);
        if (st === run && run.length === 2 && stripJosa(run, 1) !== run) emit(stripJosa(run, 1), q ? 0.5 : 1);
        bigrams(st, emit, q);
      })],
    ]) {
      const idx = build(set.docs, opts ? tok.analyzerWith(opts) : PLAIN_ANALYZER);
      const r = scoreRun(idx, set.queries, set.qrels, set.docIds, 0.9, 0.4);
      console.log(`    ${name.padEnd(50)} ${f4(r.ndcg10)}  ${f4(r.recall100)}  ${f4(r.mrr10)}`);
    }
  }
}

async function tolerant() {
  const { buildEvalCorpus } = require(path.join(out, 'eval', 'runners.js'));
  const { noisyQueries, NOISE_SEED } = require(path.join(out, 'eval', 'queryNoise.js'));
  const { TOLERANT_DEFAULTS } = require(path.join(out, 'search', 'bm25.js'));
  const corpus = await buildEvalCorpus(path.join(dataDir, 'scifact', 'train'), { mode: 'keyword', encoder: null });
  const { data, index, docOf } = corpus;
  const sets = ['clean', 'half-typed', 'typos'].map((kind) => ({ kind, queries: noisyQueries(data.queries, kind, NOISE_SEED) }));
  // The ranking PassageIndex.keyword() returns, scored by document (a document ranks at its best passage).
  const ndcg = (queries, match) => {
    let sum = 0, n = 0;
    for (const q of queries) {
      const rel = data.qrels.get(q.id);
      if (!rel) continue;
      const docs = [];
      const seen = new Set();
      for (const h of index.bm25.search(q.text, 100, undefined, match)) {
        const d = docOf.get(h.id);
        if (!seen.has(d)) { seen.add(d); docs.push(d); }
      }
      sum += ndcgAtK(docs, rel, 10);
      n++;
    }
    return sum / n;
  };
  const row = (name, match) => {
    const r = sets.map((s) => ndcg(s.queries, match));
    console.log(`  ${name.padEnd(58)} ${r.map(f4).join('  ')}  mean ${f4((r[0] + r[1] + r[2]) / 3)}`);
    return r;
  };
  console.log(`SciFact TRAIN through the passage index, ${data.queries.length} queries; nDCG@10 clean / half-typed / typos`);
  row('exact only', { prefix: false, fuzzy: false });
  row('prefix only (defaults)', { fuzzy: false });
  row('fuzzy only (defaults)', { prefix: false });
  row('both (defaults)', {});
  const T = TOLERANT_DEFAULTS;
  console.log('\nPrefix (half-typed set; clean shown to check it costs nothing):');
  let bestP = null;
  for (const prefixWeight of [0.3, 0.5, 0.7, 0.8, 0.9])
    for (const minPrefixLength of [2, 3])
      for (const maxPrefixTerms of [4, 8, 32]) {
        const tuning = { ...T, prefixWeight, minPrefixLength, maxPrefixTerms };
        const r = row(`w ${prefixWeight} min ${minPrefixLength} max ${maxPrefixTerms}`, { fuzzy: false, tuning });
        if (!bestP || r[1] + r[0] > bestP.score) bestP = { score: r[1] + r[0], prefixWeight, minPrefixLength, maxPrefixTerms };
      }
  console.log('  best:', JSON.stringify(bestP));
  console.log('\nContext: how many of the rest of the query\'s best passages choose the completions and variants, and the share exponent:');
  for (const contextPassages of [0, 10, 15, 20, 30, 50])
    for (const contextExponent of [0, 0.5, 1]) row(`passages ${contextPassages} exponent ${contextExponent}`, { tuning: { ...T, contextPassages, contextExponent } });
  for (const prefixWeight of [0.9, 0.95, 0.98, 1]) row(`context defaults, prefix weight ${prefixWeight}`, { tuning: { ...T, prefixWeight } });
  console.log('\nFuzzy (typo set; clean must not drop):');
  let bestF = null;
  // Fuzzy lookups for every query word cost a tree walk each (and measured little better than
  // only for words the index lacks or barely has: 0.6743 vs 0.6726 on typos at weight 0.5, with
  // clean queries 0.7020 vs 0.7035), so the grid keeps to rare words.
  for (const fuzzyWeight of [0.5, 0.7, 0.8, 0.9])
    for (const fuzzyMaxExactDf of [0, 2])
      for (const fuzzy1MinLength of [4, 5])
        for (const fuzzy2MinLength of [8, 10, 99]) {
          const tuning = { ...T, fuzzyWeight, fuzzyMaxExactDf, fuzzy1MinLength, fuzzy2MinLength };
          const r = row(`w ${fuzzyWeight} df≤${fuzzyMaxExactDf} d1≥${fuzzy1MinLength} d2≥${fuzzy2MinLength}`, { prefix: false, tuning });
          if (!bestF || r[2] + r[0] > bestF.score) bestF = { score: r[2] + r[0], fuzzyWeight, fuzzyMaxExactDf, fuzzy1MinLength, fuzzy2MinLength };
        }
  console.log('  best:', JSON.stringify(bestF));
  for (const maxFuzzyTerms of [2, 4, 8, 16, 32]) row(`best fuzzy, max ${maxFuzzyTerms} terms`, { prefix: false, tuning: { ...T, ...bestF, maxFuzzyTerms } });
}

const parts = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--notes');
(async () => {
  if (!parts.length || parts.includes('scifact')) await scifact();
  if (!parts.length || parts.includes('korean')) await korean();
  if (!parts.length || parts.includes('tolerant')) await tolerant();
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
