// The ranking modes over one or several passage indexes (one per workspace folder): keyword
// (BM25), semantic (cosine) and hybrid (fusion of the two), with an optional cross-encoder rerank.
//
// Several folders are ranked as one collection: each folder gives its keyword and dense
// candidates with their raw scores, the lists are merged by score and fused once. Fusing per
// folder and then merging would compare numbers that mean different things in each folder (an
// RRF score depends only on rank, so every folder's first hit would tie with every other's).
import type { Embedder } from '../embedding/encoder';
import { convexFusion, reciprocalRankFusion, type FusionSettings, type ScoredCandidate } from '../search/fusion';
import type { CrossEncoder } from '../rerank/crossEncoder';
import type { StoredChunk } from '../store/noteStore';
import type { SearchMode } from '../types';
import type { PassageIndex } from './passageIndex';

export interface SearchOptions {
  mode?: SearchMode;
  k?: number;
  /**
   * How hybrid mode fuses the two rankings. Unset fields come from the model's profile (its
   * `fusion`), then DEFAULT_FUSION.
   */
  fusion?: Partial<FusionSettings>;
  /** How many candidates each list contributes before fusion. */
  candidates?: number;
  reranker?: CrossEncoder | null;
  rerankTop?: number;
  filter?: (chunk: StoredChunk) => boolean;
  signal?: AbortSignal;
}

export interface RankedPassage {
  chunk: StoredChunk;
  score: number;
}

/** A ranked passage and the index (of those searched) it came from. */
export interface SourcedPassage extends RankedPassage {
  source: number;
}

/** The outcome of a search: the ranking, and what it rests on when that is not what was asked. */
export interface SearchOutcome<P extends RankedPassage = RankedPassage> {
  passages: P[];
  /** The ranking actually used: semantic and hybrid become keyword when the model cannot read the query. */
  ranking: SearchMode;
  /** Why the ranking differs from the mode asked for, in a sentence a user can read. */
  notice?: string;
}

/**
 * Fusion for a model that states none: an even convex combination. The models measured here state
 * their own (catalog.ts), because the right share depends on the model.
 */
export const DEFAULT_FUSION: Readonly<FusionSettings> = Object.freeze({ method: 'convex', semanticWeight: 0.5, rrfK: 60 });

export const SEARCH_DEFAULTS = { mode: 'hybrid' as SearchMode, k: 10, candidates: 100, rerankTop: 30 };

/** Below this norm a query vector carries nothing: every token was unknown to the model. */
const BLANK_NORM = 1e-6;
/** Cosines of the candidates that differ by less than this do not rank anything. */
const FLAT_SPREAD = 1e-4;

/**
 * Ranks the passages of several indexes as one collection. A query the model cannot read (every
 * token unknown to it, so its vector is zero, or cosines that do not separate the candidates) is
 * ranked by keywords alone: semantic mode says so in `notice`, hybrid quietly becomes keyword
 * search, so an arbitrary dense list never dilutes the keyword ranking.
 */
export async function rankAcross(sources: PassageIndex[], query: string, encoder: Embedder | null, opts: SearchOptions = {}): Promise<SearchOutcome<SourcedPassage>> {
  const o = { ...SEARCH_DEFAULTS, ...opts };
  const q = query.trim();
  if (!q) return { passages: [], ranking: o.mode };
  const pool = Math.max(o.candidates, o.k, opts.reranker ? o.rerankTop : 0);
  if (o.mode === 'semantic' && !encoder) throw new Error('semantic search needs an embedding model; keyword search works without one');
  // Keywords see the query as typed: a trailing space tells them the last word is finished (no prefix match).
  const keyword = () => merged(sources.map((s) => s.keyword(query, pool, chunkFilter(s, opts.filter))), pool);
  const canEmbed = !!encoder && sources.some((s) => (s.vectors?.size ?? 0) > 0);
  let out: SearchOutcome<SourcedPassage>;
  if (o.mode === 'keyword' || !canEmbed) {
    out = { passages: keyword(), ranking: 'keyword' };
  } else {
    const [qv] = await encoder!.embed([q], { role: 'query', priority: 'interactive', signal: opts.signal });
    // An index without vectors of this model's size (opened keyword-only) takes part by keywords only.
    // A cosine of 0 or less shares no meaning with the query (in the bilingual model, a Korean
    // passage and an English query): such a passage is no semantic match, whatever its rank.
    const dense = vectorNorm(qv) < BLANK_NORM ? [] : merged(sources.map((s) => (s.vectors?.dims === qv.length ? s.dense(qv, pool, chunkFilter(s, opts.filter)).filter((r) => r.score > 0) : [])), pool);
    if (!separates(dense)) {
      out = { passages: keyword(), ranking: 'keyword' };
      if (o.mode === 'semantic') out.notice = `the embedding model (${encoder!.id}) cannot read this query: none of its words mean anything to it. These are keyword matches.`;
    } else if (o.mode === 'semantic') {
      out = { passages: dense, ranking: 'semantic' };
    } else {
      const fusion = { ...DEFAULT_FUSION, ...encoder!.profile.fusion, ...opts.fusion };
      out = { passages: fuse(sources, keyword(), dense, qv, fusion), ranking: fusion.semanticWeight === 0 ? 'keyword' : 'hybrid' };
    }
  }
  if (opts.reranker && out.passages.length > 1) out.passages = await rerank(q, out.passages.slice(0, o.rerankTop), opts.reranker, opts.signal);
  out.passages = out.passages.slice(0, o.k);
  return out;
}

function fuse(sources: PassageIndex[], keyword: SourcedPassage[], dense: SourcedPassage[], qv: Float32Array, fusion: FusionSettings): SourcedPassage[] {
  if (fusion.semanticWeight === 0) return keyword;
  const key = (r: SourcedPassage) => `${r.source}:${r.chunk.id}`;
  if (fusion.method === 'rrf') {
    const fused = reciprocalRankFusion(
      [
        { items: keyword, weight: 1 - fusion.semanticWeight },
        { items: dense, weight: fusion.semanticWeight },
      ],
      key,
      fusion.rrfK,
    );
    return fused.map((f) => ({ ...f.item, score: f.score }));
  }
  // Every candidate gets its real cosine, so a strong keyword match that the dense list missed is
  // not scored as if it meant nothing.
  const byKey = new Map<string, ScoredCandidate<SourcedPassage>>();
  for (const r of keyword) byKey.set(key(r), { item: r, keyword: r.score, semantic: null });
  for (const r of dense) {
    const c = byKey.get(key(r));
    if (c) c.semantic = r.score;
    else byKey.set(key(r), { item: r, keyword: null, semantic: r.score });
  }
  for (const c of byKey.values()) {
    const vectors = sources[c.item.source].vectors;
    if (c.semantic === null && vectors?.dims === qv.length) c.semantic = vectors.similarity(qv, c.item.chunk.id);
  }
  return convexFusion([...byKey.values()], { semanticWeight: fusion.semanticWeight }).map((f) => ({ ...f.item, score: f.score }));
}

/** One list from several sources' lists, by score (ties: earlier source, then smaller id). */
function merged(lists: RankedPassage[][], n: number): SourcedPassage[] {
  const all: SourcedPassage[] = [];
  lists.forEach((l, source) => {
    for (const r of l) all.push({ ...r, source });
  });
  if (lists.length > 1) all.sort((a, b) => b.score - a.score || a.source - b.source || a.chunk.id - b.chunk.id);
  return all.slice(0, n);
}

function chunkFilter(s: PassageIndex, filter?: (c: StoredChunk) => boolean): ((id: number) => boolean) | undefined {
  return filter ? (id: number) => filter(s.chunks.get(id)!) : undefined;
}

async function rerank<P extends RankedPassage>(query: string, top: P[], reranker: CrossEncoder, signal?: AbortSignal): Promise<P[]> {
  const scores = await reranker.score(query, top.map((r) => keywordText(r.chunk)), signal);
  return top.map((r, i) => ({ ...r, score: scores[i] })).sort((a, b) => b.score - a.score || a.chunk.id - b.chunk.id);
}

function vectorNorm(v: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i] * v[i];
  return Math.sqrt(sum);
}

/** Whether a dense list ranks anything: a positive best cosine, and hits whose cosines differ. */
function separates(dense: RankedPassage[]): boolean {
  if (dense.length === 0 || dense[0].score <= FLAT_SPREAD) return false;
  return dense.length === 1 || dense[0].score - dense[dense.length - 1].score > FLAT_SPREAD;
}

/** Headings carry words a searcher uses ("Install", a note's title), so they are indexed too. */
export function keywordText(c: { heading: string; text: string }): string {
  return c.heading ? `${c.heading}\n${c.text}` : c.text;
}
