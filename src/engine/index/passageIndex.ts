// The in-memory search core over passages: a BM25 keyword index and an optional dense vector
// index, ranked by ranking.ts. It knows nothing of files on disk, so the evaluation harness and
// the notes index share it.
import { Bm25Index, type Bm25Options } from '../search/bm25';
import type { Embedder } from '../embedding/encoder';
import type { StoredChunk } from '../store/noteStore';
import type { SearchHit } from '../types';
import { keywordText, rankAcross, type RankedPassage, type SearchOptions } from './ranking';
import { VectorIndex, type VectorIndexOptions } from '../vectors/vectorIndex';
import { makeSnippet } from './snippet';

export { DEFAULT_FUSION, SEARCH_DEFAULTS, keywordText, type RankedPassage, type SearchOptions, type SearchOutcome } from './ranking';

export interface PassageIndexOptions {
  /** Vector dimension; null for a keyword-only index (no embedding model available). */
  dims: number | null;
  bm25?: Bm25Options;
  vectors?: VectorIndexOptions;
}

export class PassageIndex {
  readonly chunks = new Map<number, StoredChunk>();
  readonly byPath = new Map<string, number[]>();
  bm25: Bm25Index;
  readonly vectors: VectorIndex | null;
  /** Bumped on every add and remove, so derived figures know when to be computed again. */
  version = 0;

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
    this.version++;
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
    this.version++;
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
  async search(query: string, encoder: Embedder | null, opts: SearchOptions = {}): Promise<RankedPassage[]> {
    return (await rankAcross([this], query, encoder, opts)).passages;
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
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
