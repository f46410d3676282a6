// 7. Peers. Our passage index against the local search engines a notes tool could embed instead:
// Orama (full-text, vector, hybrid), LanceDB (FTS index, vector, hybrid with its RRF reranker),
// vectra (file-backed vectors, BM25 appended as its hybrid), MiniSearch as Omnisearch sets it up
// (keywords only) and exact brute-force cosine (vectors only). SciFact test; every engine gets the
// same passages (eval/runners.ts chunking, title as heading, the text our BM25 reads) and the same
// vectors (semantic-notes/static-en-v2, corpus and queries embedded once, up front), so no engine's
// figures include the encoder. Per engine and mode: nDCG@10 and Recall@100 (a document ranks at
// its best passage, as in scoreRetrieval), query p50/p95 with the engines timed query by query in
// rotating order, index build time (median of interleaved builds) and the memory of each index
// (built alone in a fresh process).
// Peers are dev dependencies for this benchmark only; they never ship (.vscodeignore).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type * as LanceDb from '@lancedb/lancedb';
import type * as Orama from '@orama/orama';
import MiniSearch, { type SearchOptions as MiniOptions } from 'minisearch';
import type * as Vectra from 'vectra';
import type { Embedder } from '../src/engine/embedding/encoder';
import { ndcgAtK, recallAtK } from '../src/engine/eval/metrics';
import { buildEvalCorpus } from '../src/engine/eval/runners';
import { PassageIndex, keywordText } from '../src/engine/index/passageIndex';
import type { StoredChunk } from '../src/engine/store/noteStore';
import { TopK } from '../src/engine/util/topK';
import { VectorIndex } from '../src/engine/vectors/vectorIndex';
import { bar, dataDir, encoder, fmt, median, nowMs, percentile, quick, table, writeResult } from './lib';

const MODEL = 'semantic-notes/static-en-v2';
/** Passages asked of every engine per query: enough for Recall@100. */
const K = 100;
const QUERIES = quick ? 50 : Infinity;
const BUILD_REPS = quick ? 1 : 3;
const WARMUP = 5;
/** vectra's hybrid slows down from about the 16th query in one process and breaks at the 21st (see its limits below). */
const VECTRA_HYBRID_QUERIES = 12;
/**
 * Orama drops vector hits below `similarity` (default 0.8). At 0.8 some queries get no vector
 * candidate at all (37 of 300 on SciFact test with static-en-v2; the run prints the count), so
 * 0 is used: every passage that shares any meaning with the query, as in our own dense list
 * (cosine > 0).
 */
const ORAMA_SIMILARITY = 0;
/** Omnisearch's options, as bench/keyword.ts derives them (prefix on every term, fuzziness by length). */
const OMNISEARCH: MiniOptions = { prefix: true, fuzzy: (term: string) => (term.length <= 3 ? 0 : term.length <= 5 ? 0.05 : 0.1) };

type Mode = 'keyword' | 'vector' | 'hybrid';
const MODES: Mode[] = ['keyword', 'vector', 'hybrid'];
/** Our own names for the modes. */
const OUR_MODE = { keyword: 'keyword', vector: 'semantic', hybrid: 'hybrid' } as const;

interface Passage {
  chunk: StoredChunk;
  text: string;
  vector: Float32Array;
  array: number[];
}

interface Query {
  id: string;
  text: string;
  vector: Float32Array;
  array: number[];
}

/** Passage ids best first; `variants` are other orderings of the same call's results. */
type Ranked = { ids: number[]; variants?: Record<string, number[]> };

interface Engine {
  search: Partial<Record<Mode, (q: Query) => Promise<Ranked>>>;
  /** Keeps a build-only index alive until it is measured. */
  hold?: unknown;
  dispose(): Promise<void>;
}

interface Peer {
  name: string;
  /** Why a mode is missing. */
  na: Partial<Record<Mode, string>>;
  /** A mode that can only run a few queries per process, and why. */
  limits?: Partial<Record<Mode, { queries: number; why: string }>>;
  build(): Promise<Engine>;
  /** Which of our builds its build time is compared with. */
  buildVs: 'ours' | 'ours keyword-only' | 'ours vectors-only';
}

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});

interface PeerModules {
  lancedb: typeof LanceDb;
  orama: typeof Orama;
  vectra: typeof Vectra;
  englishStopwords: string[];
}

/**
 * The peers are loaded when this part runs, not when bench/run.ts imports every part: the other
 * parts' figures (memory above all) should not carry their modules.
 */
function loadPeers(): PeerModules {
  // LanceDB logs a deprecation notice to stderr on every projected search; keep errors only.
  process.env.LANCEDB_LOG ??= 'error';
  return { lancedb: require('@lancedb/lancedb'), orama: require('@orama/orama'), vectra: require('vectra'), englishStopwords: require('@orama/stopwords/english').stopwords };
}

export async function run(): Promise<void> {
  const enc = await encoder(MODEL);
  const corpus = await buildEvalCorpus(path.join(dataDir, 'scifact'), { mode: 'hybrid', encoder: enc });
  const { data, index, docOf } = corpus;
  const passages: Passage[] = [...index.chunks.values()].map((chunk) => {
    const vector = Float32Array.from(index.vectors!.get(chunk.id)!);
    return { chunk, text: keywordText(chunk), vector, array: Array.from(vector) };
  });
  const judged = data.queries.filter((q) => data.qrels.has(q.id)).slice(0, QUERIES);
  const qv = await enc.embed(judged.map((q) => q.text.trim()), { role: 'query' });
  const queries: Query[] = judged.map((q, i) => ({ id: q.id, text: q.text, vector: qv[i], array: Array.from(qv[i]) }));
  const dims = enc.dims;
  const emb = precomputed(enc, new Map(queries.map((q) => [q.text.trim(), q.vector])));
  const peers = engines(passages, dims, emb, loadPeers());
  console.log(`${passages.length} passages of ${data.corpus.length} documents, ${queries.length} queries, ${dims}-d vectors of ${MODEL}`);
  // What Orama's default similarity threshold (0.8) would have left: passages at or above it per query.
  const atDefault = queries.map((q) => passages.filter((p) => cosine(q.vector, p.vector) >= 0.8).length);
  const oramaDefaultSimilarity = { queriesWithAnyHit: atDefault.filter((n) => n > 0).length, meanHits: atDefault.reduce((a, b) => a + b, 0) / queries.length };
  console.log(`Orama's default similarity 0.8 would find a passage for ${oramaDefaultSimilarity.queriesWithAnyHit} of ${queries.length} queries (${fmt(oramaDefaultSimilarity.meanHits, 2)} per query); run with ${ORAMA_SIMILARITY}`);

  // Build time: every engine built BUILD_REPS times, the order rotating, each build thrown away.
  const buildMs: Record<string, number[]> = Object.fromEntries(peers.map((p) => [p.name, []]));
  for (let r = 0; r < BUILD_REPS; r++) {
    for (let j = 0; j < peers.length; j++) {
      const p = peers[(r + j) % peers.length];
      gc();
      const t = nowMs();
      const e = await p.build();
      buildMs[p.name].push(nowMs() - t);
      await e.dispose();
    }
  }
  console.log(`built every engine ${BUILD_REPS}× (${peers.map((p) => `${p.name} ${fmt(median(buildMs[p.name]), 0)} ms`).join(', ')})`);
  const memory = memoryOfEach(peers.map((p) => p.name), passages, dims);
  console.log(`memory measured, each engine built in a fresh process`);
  const built: Record<string, Engine> = {};
  for (const p of peers) built[p.name] = await p.build();

  const results: Record<string, Partial<Record<Mode, ModeFigures>>> = {};
  const perQuery: Record<string, Partial<Record<Mode, PerQuery>>> = {};
  for (const mode of MODES) {
    const t = nowMs();
    const taking = peers.filter((p) => built[p.name].search[mode]).map((p) => ({ name: p.name, search: built[p.name].search[mode]!, limit: p.limits?.[mode]?.queries }));
    const out = await sideBySide(taking, queries, (ids) => docsOf(ids, docOf), data.qrels);
    for (const [n, { fig, perQuery: pq }] of Object.entries(out)) {
      (results[n] ??= {})[mode] = fig;
      (perQuery[n] ??= {})[mode] = pq;
    }
    console.log(`${mode}: ${taking.length} engines searched (${((nowMs() - t) / 1000).toFixed(0)} s)`);
  }
  for (const e of Object.values(built)) await e.dispose();

  const build = Object.fromEntries(Object.entries(buildMs).map(([n, xs]) => [n, median(xs)]));
  const report = peers.map((p) => {
    const modes = Object.fromEntries(
      MODES.map((m) => {
        const f = results[p.name]?.[m];
        if (!f) return [m, { na: p.na[m] ?? 'not offered' }];
        // A peer that ran fewer queries is set beside ours on the same queries.
        const ours = figures(perQuery.ours[m]!, f.queries);
        const limited = p.limits?.[m];
        return [m, { ...f, p95VsOurs: f.p95Ms / ours.p95Ms, p50VsOurs: f.p50Ms / ours.p50Ms, ...(limited ? { limitedTo: limited, oursOnTheseQueries: ours, msPerQuery: perQuery[p.name][m]!.ms } : {}) }];
      }),
    );
    return { engine: p.name, buildMs: build[p.name], buildVsOurs: build[p.name] / build[p.buildVs], buildComparedWith: p.buildVs, memory: memory[p.name], modes };
  });

  const rows: Record<string, string>[] = [];
  for (const r of report) {
    if (r.engine.startsWith('ours ')) continue;
    for (const m of MODES) {
      const f = r.modes[m] as ModeFigures & { p95VsOurs: number; na?: string };
      rows.push({
        engine: r.engine,
        mode: m,
        queries: f.na ? '' : String(f.queries),
        'nDCG@10': f.na ? 'n/a' : fmt(f.ndcg10, 4),
        'R@100': f.na ? 'n/a' : fmt(f.recall100, 4),
        'p50 / p95 ms': f.na ? 'n/a' : `${fmt(f.p50Ms, 2)} / ${fmt(f.p95Ms, 2)}`,
        'p95 ÷ ours': f.na ? 'n/a' : fmt(f.p95VsOurs, 2),
        'build ms (÷ ours)': m === 'keyword' ? `${fmt(r.buildMs, 0)} (${r.engine === 'ours' ? '1' : fmt(r.buildVsOurs, 2)}${r.buildComparedWith === 'ours' ? '' : ` vs ${r.buildComparedWith}`})` : '',
        'RSS / heap MiB': m === 'keyword' ? `${fmt(r.memory.rssBytes / 2 ** 20, 1)} / ${fmt(r.memory.heapBytes / 2 ** 20, 1)}` : '',
      });
    }
  }
  table(rows);
  console.log(`our builds: full ${fmt(build.ours, 0)} ms, keyword-only ${fmt(build['ours keyword-only'], 0)} ms (vs MiniSearch), vectors-only ${fmt(build['ours vectors-only'], 0)} ms (vs exact cosine)`);
  for (const p of peers) for (const [m, l] of Object.entries(p.limits ?? {})) console.log(`${p.name} ${m}: first ${l.queries} queries only: ${l.why}`);
  console.log('n/a: ' + report.flatMap((r) => MODES.filter((m) => (r.modes[m] as { na?: string }).na).map((m) => `${r.engine} ${m}: ${(r.modes[m] as { na: string }).na}`)).join('; '));
  const vectraByScore = results.vectra?.hybrid?.variants?.['by score'];
  if (vectraByScore) console.log(`vectra hybrid sorted by score (as its LocalDocumentIndex orders documents): nDCG@10 ${fmt(vectraByScore.ndcg10, 4)}, R@100 ${fmt(vectraByScore.recall100, 4)}`);

  // The bars, per peer: its best mode for quality and the same mode for speed (hybrid where it has one).
  const bars = report
    .filter((r) => !r.engine.startsWith('ours'))
    .map((r) => {
      const has = (m: Mode) => !(r.modes[m] as { na?: string }).na;
      const mode: Mode = has('hybrid') ? 'hybrid' : has('vector') ? 'vector' : 'keyword';
      const theirs = r.modes[mode] as ModeFigures;
      const ours = figures(perQuery.ours[mode]!, theirs.queries);
      return {
        peer: r.engine,
        mode,
        qualityMet: ours.ndcg10 >= bestNdcg(theirs),
        p95Met: ours.p95Ms <= theirs.p95Ms,
        buildMet: r.buildVsOurs >= 1,
        queries: theirs.queries,
        ours: { ndcg10: ours.ndcg10, p95Ms: ours.p95Ms, buildMs: build[r.buildComparedWith] },
        theirs: { ndcg10: bestNdcg(theirs), p95Ms: theirs.p95Ms, buildMs: r.buildMs },
      };
    });
  table(
    bars.map((b) => ({
      peer: b.peer,
      'compared in': `${b.mode} (ours: ${OUR_MODE[b.mode]}), ${b.queries} queries`,
      'our nDCG@10 ≥ theirs': `${fmt(b.ours.ndcg10, 4)} vs ${fmt(b.theirs.ndcg10, 4)}: ${bar(b.qualityMet)}`,
      'our p95 ≤ theirs': `${fmt(b.ours.p95Ms, 2)} vs ${fmt(b.theirs.p95Ms, 2)} ms: ${bar(b.p95Met)}`,
      'our build ≤ theirs': `${fmt(b.ours.buildMs, 0)} vs ${fmt(b.theirs.buildMs, 0)} ms: ${bar(b.buildMet)}`,
    })),
  );
  writeResult('peers', {
    dataset: 'SciFact test',
    model: MODEL,
    passages: passages.length,
    documents: data.corpus.length,
    queries: queries.length,
    dims,
    k: K,
    buildReps: BUILD_REPS,
    oramaDefaultSimilarity,
    memoryNote: 'each engine built alone in a fresh Node process holding the same passages and vectors; rssBytes: growth of the process RSS over the build (after gc), native memory (LanceDB) and allocator slack included; heapBytes: growth of V8 heap used + external',
    settings: {
      ours: 'PassageIndex with product defaults (model fusion: convex, semantic weight 0.3)',
      orama: `defaults (BM25; every query term also matches as a prefix, Orama's radix-tree lookup; threshold 1, tolerance 0), similarity ${ORAMA_SIMILARITY}, hybridWeights default 0.5 / 0.5`,
      'orama (English, our weights)': 'the same with tokenizer language english, stemming, @orama/stopwords English list, and hybridWeights text 0.7 / vector 0.3 (the share our model uses)',
      lancedb: 'FTS index with default tokenizer settings, flat (exact) vector search with cosine distance, hybrid with RRFReranker (k = 60)',
      vectra: 'LocalIndex, BM25 hybrid via queryItems(isBm25); vectra 0.12.3 (the last release for Node 20); its BM25 reads the text of each passage from a .txt file in the index folder (written as part of its timed build, as its layout requires)',
      minisearch: "Omnisearch's options (prefix, fuzzy by term length), one text field",
      'exact cosine': 'brute-force cosine over a Float32Array, top-k heap',
    },
    engines: report,
    bars,
  });
}

interface ModeFigures {
  ndcg10: number;
  recall100: number;
  p50Ms: number;
  p95Ms: number;
  queries: number;
  variants?: Record<string, { ndcg10: number; recall100: number }>;
}

function bestNdcg(f: ModeFigures): number {
  return Math.max(f.ndcg10, ...Object.values(f.variants ?? {}).map((v) => v.ndcg10));
}

/** A document ranks at its best passage. */
function docsOf(ids: number[], docOf: Map<number, string>): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const id of ids) {
    const d = docOf.get(id);
    if (d !== undefined && !seen.has(d)) {
      seen.add(d);
      out.push(d);
    }
  }
  return out;
}

interface PerQuery {
  ms: number[];
  ndcg: number[];
  recall: number[];
}

/**
 * Per-query latency of each engine, query by query with the order rotating, scored from the same
 * calls. An engine with a `limit` runs only the first `limit` queries and skips the warm-up.
 */
async function sideBySide(
  engines: { name: string; search: (q: Query) => Promise<Ranked>; limit?: number }[],
  queries: Query[],
  toDocs: (ids: number[]) => string[],
  qrels: Map<string, Map<string, number>>,
): Promise<Record<string, { fig: ModeFigures; perQuery: PerQuery }>> {
  for (const q of queries.slice(0, WARMUP)) for (const e of engines) if (e.limit === undefined) await e.search(q);
  const per: Record<string, Record<string, PerQuery>> = {};
  for (let i = 0; i < queries.length; i++) {
    const q = queries[i];
    const judged = qrels.get(q.id) ?? new Map();
    for (let j = 0; j < engines.length; j++) {
      const e = engines[(i + j) % engines.length];
      if (e.limit !== undefined && i >= e.limit) continue;
      const t = nowMs();
      const r = await e.search(q);
      const ms = nowMs() - t;
      for (const [v, ids] of Object.entries({ '': r.ids, ...r.variants })) {
        const s = ((per[e.name] ??= {})[v] ??= { ms: [], ndcg: [], recall: [] });
        const docs = toDocs(ids);
        s.ms.push(ms);
        s.ndcg.push(ndcgAtK(docs, judged, 10));
        s.recall.push(recallAtK(docs, judged, 100));
      }
    }
  }
  return Object.fromEntries(
    engines.map(({ name }) => {
      const { '': main, ...variants } = per[name];
      const fig = figures(main);
      if (Object.keys(variants).length) fig.variants = Object.fromEntries(Object.entries(variants).map(([v, s]) => [v, { ndcg10: figures(s).ndcg10, recall100: figures(s).recall100 }]));
      return [name, { fig, perQuery: main }];
    }),
  );
}

/** Means and latency percentiles over the first `n` queries (all by default). */
function figures(pq: PerQuery, n = pq.ms.length): ModeFigures {
  const mean = (xs: number[]) => Math.round((xs.slice(0, n).reduce((a, b) => a + b, 0) / Math.max(n, 1)) * 1e4) / 1e4;
  const ms = pq.ms.slice(0, n);
  return { ndcg10: mean(pq.ndcg), recall100: mean(pq.recall), p50Ms: percentile(ms, 50), p95Ms: percentile(ms, 95), queries: ms.length };
}

/**
 * The real encoder's description with the query vectors computed up front: the passage index
 * embeds the query itself, and here it gets the very vectors the peers get.
 */
function precomputed(enc: Embedder, vectors: Map<string, Float32Array>): Embedder {
  return {
    id: enc.id,
    dims: enc.dims,
    fingerprint: enc.fingerprint,
    profile: enc.profile,
    countTokens: (t) => enc.countTokens(t),
    embed: async (texts) =>
      texts.map((t) => {
        const v = vectors.get(t);
        if (!v) throw new Error(`no precomputed vector for query ${JSON.stringify(t)}`);
        return v;
      }),
  };
}

const ids = (xs: { id: number | string }[]) => xs.map((x) => Number(x.id));

function tempDir(name: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `sn-peers-${name}-`));
}

function engines(passages: Passage[], dims: number, emb: Embedder | null, { lancedb, orama, vectra, englishStopwords }: PeerModules): Peer[] {
  const ours = (name: Peer['name'], keywordOnly: boolean): Peer => ({
    name,
    na: {},
    buildVs: 'ours',
    async build() {
      const index = new PassageIndex({ dims: keywordOnly ? null : dims });
      for (const p of passages) index.add(p.chunk, keywordOnly ? null : p.vector);
      const search = (mode: 'keyword' | 'semantic' | 'hybrid') => async (q: Query) => ({ ids: (await index.search(q.text, mode === 'keyword' ? null : emb!, { mode, k: K })).map((r) => r.chunk.id) });
      return { search: keywordOnly ? {} : { keyword: search('keyword'), vector: search('semantic'), hybrid: search('hybrid') }, hold: index, dispose: async () => {} };
    },
  });
  /**
   * Orama as it comes, and with the English analysis its docs describe (Porter stemming, its
   * English stop words from @orama/stopwords) plus the keyword / vector share our model uses.
   */
  const oramaPeer = (name: string, tuned: boolean): Peer => ({
    name,
    na: {},
    buildVs: 'ours',
    async build() {
      const docs = passages.map((p) => ({ id: String(p.chunk.id), text: p.text, embedding: p.array }));
      const schema = { text: 'string', embedding: `vector[${dims}]` } as const;
      const db = tuned ? orama.create({ schema, components: { tokenizer: { language: 'english', stemming: true, stopWords: englishStopwords } } }) : orama.create({ schema });
      await orama.insertMultiple(db, docs);
      const vector = (q: Query) => ({ value: q.array, property: 'embedding' });
      return {
        search: {
          keyword: async (q: Query) => ({ ids: ids((await orama.search(db, { term: q.text, properties: ['text'], limit: K })).hits) }),
          vector: async (q: Query) => ({ ids: ids((await orama.search(db, { mode: 'vector', vector: vector(q), similarity: ORAMA_SIMILARITY, limit: K })).hits) }),
          hybrid: async (q: Query) => ({ ids: ids((await orama.search(db, { mode: 'hybrid', term: q.text, vector: vector(q), similarity: ORAMA_SIMILARITY, limit: K, ...(tuned ? { hybridWeights: { text: 0.7, vector: 0.3 } } : {}) })).hits) }),
        },
        dispose: async () => {},
      };
    },
  });
  return [
    ours('ours', false),
    { ...ours('ours keyword-only', true), buildVs: 'ours keyword-only' },
    {
      name: 'ours vectors-only',
      na: {},
      buildVs: 'ours vectors-only',
      async build() {
        const v = new VectorIndex(dims);
        for (const p of passages) v.add(p.chunk.id, p.vector);
        return { search: {}, hold: v, dispose: async () => {} };
      },
    },
    oramaPeer('orama', false),
    oramaPeer('orama (English, our weights)', true),
    {
      name: 'lancedb',
      na: {},
      buildVs: 'ours',
      async build() {
        const dir = tempDir('lancedb');
        const rows = passages.map((p) => ({ id: p.chunk.id, text: p.text, vector: p.array }));
        const db = await lancedb.connect(dir);
        const tbl = await db.createTable('passages', rows);
        await tbl.createIndex('text', { config: lancedb.Index.fts() });
        // Below ~100k rows LanceDB's docs advise no vector index: flat search is exact.
        const rrf = await lancedb.rerankers.RRFReranker.create();
        const rowsOf = async (q: { toArray(): Promise<{ id: number }[]> }) => ({ ids: ids(await q.toArray()) });
        return {
          search: {
            keyword: (q: Query) => rowsOf(tbl.query().fullTextSearch(q.text).select(['id']).limit(K)),
            vector: (q: Query) => rowsOf(tbl.query().nearestTo(q.vector).distanceType('cosine').select(['id']).limit(K)),
            hybrid: (q: Query) => rowsOf(tbl.query().fullTextSearch(q.text).nearestTo(q.vector).distanceType('cosine').rerank(rrf).select(['id']).limit(K)),
          },
          dispose: async () => {
            tbl.close();
            db.close();
            fs.rmSync(dir, { recursive: true, force: true });
          },
        };
      },
    },
    {
      name: 'vectra',
      na: { keyword: 'LocalIndex has no keyword-only query: BM25 results come only appended to a vector query (isBm25)' },
      limits: {
        hybrid: {
          queries: VECTRA_HYBRID_QUERIES,
          why: 'each isBm25 query makes a new winkNLP, and wink-eng-lite-web-model re-stringifies its entity model on every load, longer each time: from about the 16th such query in a process each one is slower than the last, and the 21st throws RangeError: Invalid string length (seen with 0.15; 0.12.3 sets up its BM25 the same way, setupbm25 per query), and each one takes about 20 s',
        },
      },
      buildVs: 'ours',
      async build() {
        const dir = tempDir('vectra');
        // vectra's BM25 reads each passage's text from <documentId>.txt in the index folder (0.12.3,
        // the last release that supports Node 20; 0.15's docReader option needs Node 22).
        const index = new vectra.LocalIndex(dir);
        await index.createIndex({ version: 1, deleteIfExists: true });
        for (const p of passages) fs.writeFileSync(path.join(dir, `${p.chunk.id}.txt`), p.text);
        const items = passages.map((p) => ({ id: String(p.chunk.id), vector: p.array, metadata: { documentId: String(p.chunk.id), startPos: 0, endPos: p.text.length - 1 } }));
        await index.batchInsertItems(items);
        return {
          search: {
            vector: async (q: Query) => ({ ids: ids((await index.queryItems(q.array, '', K)).map((r) => r.item)) }),
            // Its hybrid returns the vector top k, then BM25's top k of the other passages appended:
            // ranked as returned, and (a variant) by score, as LocalDocumentIndex sorts documents.
            hybrid: async (q: Query) => {
              const res = await index.queryItems(q.array, q.text, K, undefined, true);
              return { ids: ids(res.map((r) => r.item)), variants: { 'by score': ids([...res].sort((a, b) => b.score - a.score).map((r) => r.item)) } };
            },
          },
          dispose: async () => fs.rmSync(dir, { recursive: true, force: true }),
        };
      },
    },
    {
      name: 'minisearch (Omnisearch)',
      na: { vector: 'keyword engine, no vectors', hybrid: 'keyword engine, no vectors' },
      buildVs: 'ours keyword-only',
      async build() {
        const mini = new MiniSearch<{ id: number; text: string }>({ fields: ['text'], storeFields: [] });
        mini.addAll(passages.map((p) => ({ id: p.chunk.id, text: p.text })));
        return { search: { keyword: async (q: Query) => ({ ids: ids(mini.search(q.text, OMNISEARCH).slice(0, K)) }) }, dispose: async () => {} };
      },
    },
    {
      name: 'exact cosine',
      na: { keyword: 'vectors only', hybrid: 'vectors only' },
      buildVs: 'ours vectors-only',
      async build() {
        const n = passages.length;
        const matrix = new Float32Array(n * dims);
        const norms = new Float32Array(n);
        const idOf = new Float64Array(n);
        passages.forEach((p, i) => {
          matrix.set(p.vector, i * dims);
          let s = 0;
          for (const x of p.vector) s += x * x;
          norms[i] = Math.sqrt(s);
          idOf[i] = p.chunk.id;
        });
        const top = new TopK(K);
        return {
          search: {
            vector: async (q: Query) => {
              let qn = 0;
              for (const x of q.vector) qn += x * x;
              qn = Math.sqrt(qn);
              top.reset(K);
              for (let i = 0; i < n; i++) {
                let dot = 0;
                const base = i * dims;
                for (let d = 0; d < dims; d++) dot += matrix[base + d] * q.vector[d];
                top.push(idOf[i], norms[i] > 0 && qn > 0 ? dot / (norms[i] * qn) : 0);
              }
              return { ids: top.sorted().map((h) => h.id) };
            },
          },
          dispose: async () => {},
        };
      },
    },
  ];
}

interface Memory {
  rssBytes: number;
  heapBytes: number;
}

/**
 * Memory of each engine's index, each built alone in a fresh process (this file, run with
 * --peers-memory) that first loads the same passages and vectors: growth over the build after
 * gc. In one process the engines' garbage and the corpus build would blur each other's figures.
 */
function memoryOfEach(names: string[], passages: Passage[], dims: number): Record<string, Memory> {
  const dir = tempDir('memory');
  try {
    fs.writeFileSync(path.join(dir, 'passages.json'), JSON.stringify(passages.map((p) => ({ chunk: p.chunk, text: p.text }))));
    const all = new Float32Array(passages.length * dims);
    passages.forEach((p, i) => all.set(p.vector, i * dims));
    fs.writeFileSync(path.join(dir, 'vectors.f32'), Buffer.from(all.buffer));
    const out: Record<string, Memory> = {};
    for (const name of names) {
      const res = spawnSync(process.execPath, ['--expose-gc', __filename, '--peers-memory', name, dir, String(dims)], { encoding: 'utf8', env: { ...process.env, LANCEDB_LOG: 'error' } });
      const last = res.stdout.trim().split('\n').pop() ?? '';
      if (res.status !== 0 || !last.startsWith('{')) throw new Error(`memory of ${name}: exit ${res.status}: ${res.stderr.slice(-500)}`);
      out[name] = JSON.parse(last) as Memory;
    }
    return out;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function memoryChild(name: string, dir: string, dims: number): Promise<void> {
  const raw = JSON.parse(fs.readFileSync(path.join(dir, 'passages.json'), 'utf8')) as { chunk: StoredChunk; text: string }[];
  const buf = fs.readFileSync(path.join(dir, 'vectors.f32'));
  const all = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
  const passages: Passage[] = raw.map((r, i) => {
    const vector = all.slice(i * dims, (i + 1) * dims);
    return { ...r, vector, array: [] as number[] };
  });
  const peer = engines(passages, dims, null, loadPeers()).find((p) => p.name === name);
  if (!peer) throw new Error(`no engine ${name}`);
  gc();
  gc();
  const before = process.memoryUsage();
  // The plain-array copies of the vectors are made inside the measured span and dropped after
  // it: an engine that keeps them (vectra does) is charged for them, one that copies is not.
  for (const p of passages) p.array = Array.from(p.vector);
  const engine = await peer.build();
  for (const p of passages) p.array = [];
  gc();
  gc();
  const after = process.memoryUsage();
  console.log(JSON.stringify({ rssBytes: after.rss - before.rss, heapBytes: after.heapUsed + after.external - before.heapUsed - before.external }));
  await engine.dispose();
}

if (require.main === module && process.argv[2] === '--peers-memory') {
  memoryChild(process.argv[3], process.argv[4], Number(process.argv[5])).catch((err) => {
    console.error(err);
    process.exit(1);
  });
}

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
}
