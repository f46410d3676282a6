// 3 + 4b + 7. Query latency of keyword, semantic and hybrid search at 1k, 10k and 100k distinct
// real passages; the quantized scan (the product's search from exactThresholdFor(dims) vectors on)
// against exact brute-force cosine at 10k and 100k with held-out queries, beside the HNSW graph
// (hnswlib-node) it replaced; memory per passage against the raw size of what the index holds.
//
// Passages: the notes corpus (chunked as the product does) minus every 40th file, then SciFact
// sentences and titles, STS-B + KorSTS sentences, KorQuAD paragraphs and sentences, whole SciFact
// abstracts: distinct texts, and vectors deduplicated, so no two passages tie exactly. Queries
// never come from the index: SciFact claims, KorQuAD questions and headings of the held-out files.
// The model is the product default, semantic-notes/bilingual-static (Hangul read by static-ko, the
// rest by static-en-v2): static-en-v2 alone reads Hangul as unknown tokens (300 KorSTS sentences
// gave 33 distinct vectors), which would fill the index with near-ties. BENCH_SCALE_MODEL picks
// another.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Embedder } from '../src/engine/embedding/encoder';
import { RoutedEncoder } from '../src/engine/embedding/routedEncoder';
import { CATALOG, DEFAULT_MODELS, routesOf } from '../src/engine/models/catalog';
import { PassageIndex } from '../src/engine/index/passageIndex';
import { chunkMarkdown } from '../src/engine/notes/chunker';
import { NoteReads, walkNotes } from '../src/engine/notes/noteReader';
import type { StoredChunk } from '../src/engine/store/noteStore';
import { HierarchicalNSW } from 'hnswlib-node';
import { VectorIndex } from '../src/engine/vectors/vectorIndex';
import { bar, dataDir, encoder, fmt, median, nowMs, notesCorpus, percentile, quick, table, writeResult } from './lib';

export const MODEL = process.env.BENCH_SCALE_MODEL ?? DEFAULT_MODELS.embedding;
/**
 * The HNSW graph the product searched with before the quantized scan (M 32, efConstruction 500,
 * ef 1,024 at 10k growing as n^0.3: 2,043 at 100k), measured beside it (hnswlib-node is a dev
 * dependency for this bench only).
 */
export const HNSW = { m: 32, efConstruction: 500, seed: 100 };
export function hnswEf(n: number): number {
  return Math.round(Math.min(4096, Math.max(64, 1024 * Math.pow(Math.max(n, 1) / 10_000, 0.3))));
}
const HELD_OUT_EVERY = 40;

/** A single model, or a routed pair put together as the engine session does. */
export async function benchEncoder(id = MODEL): Promise<Embedder> {
  const routes = routesOf(id);
  if (!routes) return encoder(id);
  const [hangul, other] = await Promise.all([encoder(routes.hangul), encoder(routes.other)]);
  const { kind: _k, routes: _r, ...own } = CATALOG[id];
  return new RoutedEncoder({ id, hangul, other, profile: own });
}

export interface Passage {
  chunk: Omit<StoredChunk, 'id'>;
  text: string; // what is embedded
  source: string;
}

export interface Query {
  text: string;
  source: string;
}

function jsonl<T>(file: string): T[] {
  return fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as T);
}

function sentences(text: string): string[] {
  return text.split(/(?<=[.!?])\s+/).map((s) => s.trim()).filter((s) => s.length >= 20);
}

/** Evenly spread picks, so a subset covers the whole list. */
function spread<T>(xs: T[], n: number): T[] {
  if (xs.length <= n) return xs;
  return Array.from({ length: n }, (_, i) => xs[Math.floor((i * xs.length) / n)]);
}

/** Seeded shuffle (mulberry32), so every size is the same mix of sources in every run. */
function shuffle<T>(xs: T[], seed = 11): T[] {
  const out = [...xs];
  const rnd = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** Candidate passages (distinct texts, in the order above) and held-out queries. */
export async function realCorpus(): Promise<{ passages: Passage[]; queries: Query[] }> {
  const passages: Passage[] = [];
  const headings: string[] = [];
  const walked = await walkNotes(notesCorpus());
  const files = [...walked.files].sort((a, b) => a.path.localeCompare(b.path));
  const reads = new NoteReads(files.map((f) => f.absPath));
  for (let i = 0; i < files.length; i++) {
    const r = await reads.next();
    if (!r.ok) continue;
    for (const c of chunkMarkdown(files[i].path, r.text)) {
      if (i % HELD_OUT_EVERY === 0) {
        if (c.heading) headings.push(c.heading.split(' › ').pop()!);
      } else passages.push({ chunk: c, text: c.heading ? `${c.heading}\n${c.text}` : c.text, source: 'notes' });
    }
  }
  const doc = (source: string, p: string, heading: string, text: string): Passage => ({ chunk: { path: p, startLine: 1, endLine: 1, heading, text }, text: heading ? `${heading}\n${text}` : text, source });
  const scifact = jsonl<{ id: string; title: string; text: string }>(path.join(dataDir, 'scifact', 'corpus.jsonl'));
  const korquad = jsonl<{ id: string; title: string; text: string }>(path.join(dataDir, 'korquad-a', 'corpus.jsonl'));
  const sts = [...jsonl<{ sentence1: string; sentence2: string }>(path.join(dataDir, 'stsb', 'dev.jsonl')), ...jsonl<{ sentence1: string; sentence2: string }>(path.join(dataDir, 'korsts', 'dev.jsonl'))];
  for (const d of scifact) sentences(d.text).forEach((s, j) => passages.push(doc('scifact sentences', `scifact/${d.id}-${j}.md`, '', s)));
  for (const d of scifact) passages.push(doc('scifact titles', `scifact/${d.id}-title.md`, '', d.title));
  sts.forEach((p, j) => {
    passages.push(doc('sts sentences', `sts/${j}a.md`, '', p.sentence1));
    passages.push(doc('sts sentences', `sts/${j}b.md`, '', p.sentence2));
  });
  for (const d of korquad) passages.push(doc('korquad paragraphs', `korquad/${d.id}.md`, d.title, d.text));
  for (const d of korquad) sentences(d.text).forEach((s, j) => passages.push(doc('korquad sentences', `korquad/${d.id}-${j}.md`, '', s)));
  for (const d of scifact) passages.push(doc('scifact abstracts', `scifact/${d.id}.md`, d.title, d.text));
  const seen = new Set<string>();
  const distinct = passages.filter((p) => !seen.has(p.text) && seen.add(p.text));
  // Queries: never a text the index holds.
  const fresh = (q: Query) => !seen.has(q.text) && q.text.trim().length >= 3;
  const claims = [...jsonl<{ text: string }>(path.join(dataDir, 'scifact', 'queries.jsonl')), ...jsonl<{ text: string }>(path.join(dataDir, 'scifact', 'train', 'queries.jsonl'))].map((q) => ({ text: q.text, source: 'scifact claims' })).filter(fresh);
  const questions = jsonl<{ text: string }>(path.join(dataDir, 'korquad-a', 'queries.jsonl')).map((q) => ({ text: q.text, source: 'korquad questions' })).filter(fresh);
  const held = [...new Set(headings)].map((text) => ({ text, source: 'held-out headings' })).filter(fresh);
  const per = quick ? [80, 60, 60] : [400, 300, 300];
  const queries = [...claims.slice(0, per[0]), ...spread(questions, per[1]), ...spread(held, per[2])];
  return { passages: distinct, queries };
}

export interface Embedded {
  passages: Passage[];
  vectors: Float32Array[];
  queries: Query[];
  qvecs: Float32Array[];
  dims: number;
  dropped: { sameVector: number; blank: number };
  embedded: number;
  embedMs: number;
}

/**
 * Embeds the candidates, keeps one passage per distinct vector (an exact tie would make recall
 * ambiguous) and no blank ones: `want` of them, in a seeded random order of the candidates.
 */
export async function embedCorpus(enc: Embedder, want: number): Promise<Embedded> {
  // BENCH_SCALE_CACHE=dir keeps the vectors between runs (tuning); the embedding rate is then unknown.
  const cache = process.env.BENCH_SCALE_CACHE ? path.join(process.env.BENCH_SCALE_CACHE, `${enc.id.replace(/\W/g, '_')}-${want}${quick ? '-quick' : ''}`) : null;
  if (cache && fs.existsSync(`${cache}.json`)) {
    const meta = JSON.parse(fs.readFileSync(`${cache}.json`, 'utf8')) as Omit<Embedded, 'vectors' | 'qvecs'>;
    const buf = fs.readFileSync(`${cache}.bin`);
    const all = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
    const at = (i: number) => all.slice(i * meta.dims, (i + 1) * meta.dims);
    const n = meta.passages.length;
    return { ...meta, embedMs: NaN, vectors: meta.passages.map((_, i) => at(i)), qvecs: meta.queries.map((_, i) => at(n + i)) };
  }
  const { passages, queries } = await realCorpus();
  const order = shuffle(passages);
  const seen = new Set<string>();
  const kept: Passage[] = [];
  const vectors: Float32Array[] = [];
  const dropped = { sameVector: 0, blank: 0 };
  let embedded = 0;
  let embedMs = 0;
  // Embed in slices, only as many as it takes to keep `want` (a quick run embeds a tenth).
  while (kept.length < want && embedded < order.length) {
    const slice = order.slice(embedded, embedded + Math.max(1000, Math.ceil((want - kept.length) * 1.05)));
    const t0 = nowMs();
    const vecs = await enc.embed(slice.map((p) => p.text), { role: 'passage' });
    embedMs += nowMs() - t0;
    embedded += slice.length;
    vecs.forEach((v, i) => {
      if (kept.length >= want) return;
      if (!v.some((x) => x !== 0)) return void dropped.blank++;
      const key = createHash('sha1').update(Buffer.from(v.buffer, v.byteOffset, v.byteLength)).digest('base64');
      if (seen.has(key)) return void dropped.sameVector++;
      seen.add(key);
      kept.push(slice[i]);
      vectors.push(v);
    });
  }
  if (kept.length < want) console.log(`only ${kept.length} distinct passage vectors for ${want} wanted`);
  const qvecs = await enc.embed(queries.map((q) => q.text), { role: 'query' });
  const e = { passages: kept, vectors, queries, qvecs, dims: enc.dims, dropped, embedded, embedMs };
  if (cache) {
    fs.mkdirSync(path.dirname(cache), { recursive: true });
    fs.writeFileSync(`${cache}.bin`, Buffer.concat([...vectors, ...qvecs].map((v) => Buffer.from(v.buffer, v.byteOffset, v.byteLength))));
    fs.writeFileSync(`${cache}.json`, JSON.stringify({ ...e, vectors: undefined, qvecs: undefined }));
  }
  return e;
}

export interface DenseResult {
  method: 'quantized scan' | 'HNSW';
  params: string;
  passages: number;
  recall10: number;
  recallBySource: Record<string, number>;
  /** Queries whose exact 10th and 11th scores are within 1e-6 (where recall could be ambiguous). */
  tiedAtCut: number;
  p50: number;
  exactP50: number;
  speedup: number;
  /** Building the graph, or loading the vectors into the scan (quantizing them) as a restart does. */
  buildMs: number;
  /** What the method holds beside the float vectors. */
  bytesPerPassage: number;
}

/** The first n vectors packed as a store's vector file holds them (ids 1…n). */
function packed(e: Embedded, n: number): { ids: Int32Array; data: Float32Array } {
  const data = new Float32Array(n * e.dims);
  for (let i = 0; i < n; i++) data.set(e.vectors[i], i * e.dims);
  return { ids: Int32Array.from({ length: n }, (_, i) => i + 1), data };
}

/** The product's index over the first n vectors with the scan on at any size (as from exactThresholdFor(dims) on). */
export function scanIndex(e: Embedded, n: number): { vi: VectorIndex; buildMs: number } {
  const { ids, data } = packed(e, n);
  const vi = new VectorIndex(e.dims, { exactThreshold: 1 });
  const t0 = nowMs();
  vi.adopt(ids, data);
  return { vi, buildMs: nowMs() - t0 };
}

export function hnswGraph(e: Embedded, n: number): { g: HierarchicalNSW; buildMs: number; bytes: number } {
  const g = new HierarchicalNSW('cosine', e.dims);
  const t0 = nowMs();
  g.initIndex({ maxElements: n, m: HNSW.m, efConstruction: HNSW.efConstruction, randomSeed: HNSW.seed });
  for (let i = 0; i < n; i++) g.addPoint(Array.from(e.vectors[i]), i + 1);
  const buildMs = nowMs() - t0;
  const tmp = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sn-scale-')), 'graph.bin');
  g.writeIndexSync(tmp);
  // The file holds the vectors too: what the graph adds is the rest.
  const bytes = fs.statSync(tmp).size - n * e.dims * 4;
  fs.rmSync(path.dirname(tmp), { recursive: true, force: true });
  g.setEf(hnswEf(n));
  return { g, buildMs, bytes };
}

/**
 * Each query runs through `search` and exactly, alternating which goes first, and recall@10
 * counts the exact top 10 ids it returned.
 */
export function denseRun(e: Embedded, exact: VectorIndex, search: (q: Float32Array) => { id: number }[], about: Pick<DenseResult, 'method' | 'params' | 'buildMs' | 'bytesPerPassage'>): DenseResult {
  const ta: number[] = [];
  const te: number[] = [];
  const found = new Map<string, { hits: number; total: number }>();
  let tiedAtCut = 0;
  e.qvecs.forEach((qv, qi) => {
    let approx: { id: number }[] = [];
    let truth: { id: number; score: number }[] = [];
    for (const first of qi % 2 ? [false, true] : [true, false]) {
      const t = nowMs();
      if (first) approx = search(qv);
      else truth = exact.exactSearch(qv, 11);
      (first ? ta : te).push(nowMs() - t);
    }
    if (truth.length > 10 && truth[9].score - truth[10].score < 1e-6) tiedAtCut++;
    const top = new Set(truth.slice(0, 10).map((h) => h.id));
    const s = found.get(e.queries[qi].source) ?? { hits: 0, total: 0 };
    s.hits += approx.filter((h) => top.has(h.id)).length;
    s.total += top.size;
    found.set(e.queries[qi].source, s);
  });
  const all = [...found.values()].reduce((a, s) => ({ hits: a.hits + s.hits, total: a.total + s.total }), { hits: 0, total: 0 });
  return {
    ...about,
    passages: exact.size,
    recall10: all.hits / all.total,
    recallBySource: Object.fromEntries([...found].map(([k, s]) => [k, s.hits / s.total])),
    tiedAtCut,
    p50: median(ta),
    exactP50: median(te),
    speedup: median(te) / median(ta),
  };
}

export async function run(): Promise<void> {
  const enc = await benchEncoder();
  const sizes = quick ? [1_000, 10_000] : [1_000, 10_000, 100_000];
  const e = await embedCorpus(enc, sizes[sizes.length - 1]);
  const bySource: Record<string, number> = {};
  for (const p of e.passages) bySource[p.source] = (bySource[p.source] ?? 0) + 1;
  const qBySource: Record<string, number> = {};
  for (const q of e.queries) qBySource[q.source] = (qBySource[q.source] ?? 0) + 1;
  console.log(`model ${MODEL} (${e.dims} dims); ${e.passages.length} passages: ${JSON.stringify(bySource)}; dropped ${JSON.stringify(e.dropped)}; ${e.queries.length} queries: ${JSON.stringify(qBySource)}`);

  // Dense: the quantized scan beside the HNSW graph it replaced, both against exact search.
  const dense: DenseResult[] = [];
  const graphs: DenseResult[] = [];
  const denseRows: Record<string, unknown>[] = [];
  for (const n of sizes.filter((x) => x >= 10_000)) {
    if (global.gc) global.gc();
    const { vi, buildMs } = scanIndex(e, n);
    const scan = denseRun(e, vi, (q) => vi.search(q, 10), { method: 'quantized scan', params: 'first stage 2 % (≥ 2,000), second 40', buildMs, bytesPerPassage: vi.scanBytes / n });
    dense.push(scan);
    const h = hnswGraph(e, n);
    const graph = denseRun(e, vi, (q) => h.g.searchKnn(Array.from(q), 10).neighbors.map((id) => ({ id })), { method: 'HNSW', params: `M ${HNSW.m}, efC ${HNSW.efConstruction}, ef ${hnswEf(n)}`, buildMs: h.buildMs, bytesPerPassage: h.bytes / n });
    graphs.push(graph);
    for (const r of [scan, graph]) {
      denseRows.push({ passages: n.toLocaleString('en-US'), method: `${r.method} (${r.params})`, 'recall@10': fmt(r.recall10, 4), 'by source': Object.entries(r.recallBySource).map(([k, v]) => `${k} ${fmt(v, 3)}`).join(', '), 'p50 ms': fmt(r.p50, 3), 'exact p50 ms': fmt(r.exactP50), speedup: fmt(r.speedup, 1), 'build s': fmt(r.buildMs / 1000, 2), 'B/passage': fmt(r.bytesPerPassage, 0), 'tied at cut': r.tiedAtCut });
    }
  }
  table(denseRows);

  const rows: Record<string, unknown>[] = [];
  const latency: Record<string, Record<string, { p50: number; p95: number }>> = {};
  let memory: Record<string, number> = {};
  const queries = e.queries.map((q) => q.text).filter((_, i) => i % (quick ? 1 : 5) === 0);
  for (const n of sizes) {
    if (global.gc) global.gc();
    const rssBefore = process.memoryUsage().rss;
    const idx = new PassageIndex({ dims: enc.dims });
    let textBytes = 0;
    for (let i = 0; i < n; i++) {
      const b = e.passages[i];
      // Fresh string copies: the real index holds each passage's own text, not shared references.
      const chunk = { ...b.chunk, text: Buffer.from(b.chunk.text).toString(), id: i + 1 };
      textBytes += Buffer.byteLength(chunk.text) + Buffer.byteLength(chunk.heading) + Buffer.byteLength(chunk.path);
      idx.add(chunk, e.vectors[i]);
    }
    if (global.gc) global.gc();
    const rssAfter = process.memoryUsage().rss;
    latency[n] = {};
    for (const mode of ['keyword', 'semantic', 'hybrid'] as const) {
      const times: number[] = [];
      for (const q of queries) {
        const t = nowMs();
        await idx.search(q, enc, { mode, k: 10 });
        times.push(nowMs() - t);
      }
      latency[n][mode] = { p50: percentile(times, 50), p95: percentile(times, 95) };
      rows.push({ passages: n.toLocaleString('en-US'), mode, 'p50 ms': fmt(latency[n][mode].p50), 'p95 ms': fmt(latency[n][mode].p95) });
    }
    if (n === sizes[sizes.length - 1]) {
      const vectorBytes = n * enc.dims * 4;
      // What the quantized scan needs: a bit and a byte per dimension.
      const scanBytes = n * (Math.ceil(enc.dims / 8) + enc.dims);
      const raw = vectorBytes + scanBytes + textBytes;
      memory = { passages: n, rssGrowth: rssAfter - rssBefore, raw, ratio: (rssAfter - rssBefore) / raw, bytesPerPassage: (rssAfter - rssBefore) / n };
    }
  }
  table(rows);
  const last = dense[dense.length - 1];
  const graph = graphs[graphs.length - 1];
  const growth = latency[100_000] ? latency[100_000].hybrid.p95 / latency[10_000].hybrid.p95 : NaN;
  table([
    { what: 'hybrid p95 growth 10k → 100k', value: fmt(growth), bar: `≤ 3×: ${bar(growth <= 3)}` },
    { what: `quantized scan vs exact cosine speed-up at ${last.passages}`, value: fmt(last.speedup, 1), bar: `≥ 20×: ${bar(last.speedup >= 20)}` },
    { what: 'quantized scan recall@10 against exact (held-out queries)', value: fmt(last.recall10, 4), bar: `≥ 0.99: ${bar(last.recall10 >= 0.99)}` },
    { what: `HNSW it replaced (${graph.params})`, value: `${fmt(graph.recall10, 4)} at ${fmt(graph.speedup, 1)}×`, bar: `built in ${fmt(graph.buildMs / 1000, 1)} s, ${fmt(graph.bytesPerPassage, 0)} B/passage` },
    { what: 'quantized scan load (restart) / its bytes per passage', value: `${fmt(last.buildMs / 1000, 2)} s / ${fmt(last.bytesPerPassage, 0)} B`, bar: '' },
    { what: `memory growth / raw size at ${memory.passages}`, value: fmt(memory.ratio), bar: `≤ 2×: ${bar(memory.ratio <= 2)}` },
    { what: 'bytes per passage', value: fmt(memory.bytesPerPassage, 0), bar: '' },
  ]);
  writeResult('scale', {
    model: MODEL,
    corpusPassages: e.passages.length,
    passageSources: bySource,
    querySources: qBySource,
    embedPassagesPerSecond: (e.embedded / e.embedMs) * 1000,
    latency,
    hybridP95Growth10kTo100k: growth,
    dense: last,
    denseBySize: dense,
    hnsw: { params: HNSW, bySize: graphs },
    memory,
    queries: e.queries.length,
  });
}
