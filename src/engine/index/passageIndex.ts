// The in-memory search core over passages: a BM25 keyword index, an optional dense vector
// index, and the ranking modes on top (keyword, semantic, hybrid RRF, cross-encoder rerank).
// It knows nothing of files on disk, so the evaluation harness and the notes index share it.
import { Bm25Index, type Bm25Options } from '../search/bm25';
import { reciprocalRankFusion } from '../search/fusion';
import type { Embedder as Encoder } from '../embedding/encoder';
import type { CrossEncoder } from '../rerank/crossEncoder';
import type { StoredChunk } from '../store/noteStore';
import type { SearchHit, SearchMode } from '../types';
import { VectorIndex, type VectorIndexOptions } from '../vectors/vectorIndex';
import { makeSnippet } from './snippet';

export interface PassageIndexOptions {
  /** Vector dimension; null for a keyword-only index (no embedding model available). */
  dims: number | null;
  bm25?: Bm25Options;
  vectors?: VectorIndexOptions;
}

export interface SearchOptions {
  mode?: SearchMode;
  k?: number;
  /** Fusion: RRF constant and per-list weights (defaults tuned on SciFact train, see bench/). */
  rrfK?: number;
  keywordWeight?: number;
  semanticWeight?: number;
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

export const SEARCH_DEFAULTS = { mode: 'hybrid' as SearchMode, k: 10, rrfK: 60, keywordWeight: 1, semanticWeight: 1, candidates: 100, rerankTop: 30 };

export class PassageIndex {
  readonly chunks = new Map<number, StoredChunk>();
  readonly byPath = new Map<string, number[]>();
  bm25: Bm25Index;
  readonly vectors: VectorIndex | null;

  constructor(readonly opts: PassageIndexOptions) {
    this.bm25 = new Bm25Index(opts.bm25);
    this.vectors = opts.dims ? new VectorIndex(opts.dims, opts.vectors) : null;
  }

  get size(): number {
    return this.chunks.size;
  }

  /** Adds one passage. `indexKeywords: false` lets a caller that restores a saved BM25 skip re-tokenizing. */
  add(chunk: StoredChunk, vector: Float32Array | null, indexKeywords = true): void {
    if (this.chunks.has(chunk.id)) this.remove(chunk.id);
    this.chunks.set(chunk.id, chunk);
    const ids = this.byPath.get(chunk.path);
    if (ids) ids.push(chunk.id);
    else this.byPath.set(chunk.path, [chunk.id]);
    if (indexKeywords) this.bm25.add(chunk.id, keywordText(chunk));
    if (vector && this.vectors) this.vectors.add(chunk.id, vector);
  }

  remove(id: number): void {
    const chunk = this.chunks.get(id);
    if (!chunk) return;
    this.chunks.delete(id);
    const ids = this.byPath.get(chunk.path);
    if (ids) {
      const rest = ids.filter((x) => x !== id);
      if (rest.length) this.byPath.set(chunk.path, rest);
      else this.byPath.delete(chunk.path);
    }
    this.bm25.remove(id);
    this.vectors?.remove(id);
  }

  removePath(path: string): StoredChunk[] {
    const removed = (this.byPath.get(path) ?? []).map((id) => this.chunks.get(id)!);
    for (const c of removed) this.remove(c.id);
    return removed;
  }

  chunksOf(path: string): StoredChunk[] {
    return (this.byPath.get(path) ?? []).map((id) => this.chunks.get(id)!).sort((a, b) => a.startLine - b.startLine);
  }

  /** Ranked passages for a query. Semantic and hybrid modes need `encoder`. */
  async search(query: string, encoder: Encoder | null, opts: SearchOptions = {}): Promise<RankedPassage[]> {
    const o = { ...SEARCH_DEFAULTS, ...opts };
    const q = query.trim();
    if (!q) return [];
    const filter = opts.filter ? (id: number) => opts.filter!(this.chunks.get(id)!) : undefined;
    const pool = Math.max(o.candidates, o.k, opts.reranker ? o.rerankTop : 0);
    const canEmbed = !!encoder && !!this.vectors && this.vectors.size > 0;
    if ((o.mode === 'semantic' || o.mode === 'hybrid') && !encoder) {
      if (o.mode === 'semantic') throw new Error('semantic search needs an embedding model; keyword search works without one');
    }
    let ranked: RankedPassage[];
    if (o.mode === 'keyword' || !canEmbed) {
      ranked = this.keyword(q, pool, filter);
    } else {
      const [qv] = await encoder!.embed([q], { role: 'query', priority: 'interactive', signal: opts.signal });
      const dense = this.dense(qv, pool, filter);
      if (o.mode === 'semantic') {
        ranked = dense;
      } else {
        const fused = reciprocalRankFusion(
          [
            { items: this.keyword(q, pool, filter), weight: o.keywordWeight },
            { items: dense, weight: o.semanticWeight },
          ],
          (r) => r.chunk.id,
          o.rrfK,
        );
        ranked = fused.map((f) => ({ chunk: f.item.chunk, score: f.score }));
      }
    }
    if (opts.reranker && ranked.length > 1) ranked = await this.rerank(q, ranked.slice(0, o.rerankTop), opts.reranker, opts.signal);
    return ranked.slice(0, o.k);
  }

  /** Nearest passages to a vector (cosine), e.g. for related notes. */
  dense(vector: Float32Array, n: number, filter?: (id: number) => boolean): RankedPassage[] {
    if (!this.vectors) return [];
    return this.vectors.search(vector, n, filter).map((h) => ({ chunk: this.chunks.get(h.id)!, score: h.score }));
  }

  keyword(query: string, n: number, filter?: (id: number) => boolean): RankedPassage[] {
    return this.bm25.search(query, n, filter).map((h) => ({ chunk: this.chunks.get(h.id)!, score: h.score }));
  }

  toHit(r: RankedPassage, query = ''): SearchHit {
    const { path, startLine, endLine, heading, text } = r.chunk;
    return { path, startLine, endLine, heading, score: round(r.score), snippet: makeSnippet(text, query) };
  }

  private async rerank(query: string, top: RankedPassage[], reranker: CrossEncoder, signal?: AbortSignal): Promise<RankedPassage[]> {
    const scores = await reranker.score(query, top.map((r) => keywordText(r.chunk)), signal);
    return top.map((r, i) => ({ chunk: r.chunk, score: scores[i] })).sort((a, b) => b.score - a.score || a.chunk.id - b.chunk.id);
  }
}

/** Headings carry words a searcher uses ("Install", a note's title), so they are indexed too. */
export function keywordText(c: { heading: string; text: string }): string {
  return c.heading ? `${c.heading}\n${c.text}` : c.text;
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
