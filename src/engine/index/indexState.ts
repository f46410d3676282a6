// What one folder's index holds in memory: the notes (file records), their passages in the
// search core, and the next chunk id. The store's snapshot is restored into it and its log
// replayed through apply(), the same function every live change goes through after being
// logged, so a restarted process ends up exactly where the killed one stopped.
import { Bm25Index } from '../search/bm25';
import type { FileRecord, Snapshot, SnapshotWriter, StoreOp } from '../store/noteStore';
import type { VectorIndexOptions } from '../vectors/vectorIndex';
import { PassageIndex, keywordText } from './passageIndex';

export type LogLevel = 'info' | 'warn' | 'error';
export type Logger = (level: LogLevel, message: string) => void;

export class IndexState {
  readonly files = new Map<string, FileRecord>();
  readonly passages: PassageIndex;
  nextId = 1;

  constructor(readonly config: { dims: number | null; vectors?: VectorIndexOptions }) {
    this.passages = new PassageIndex({ dims: config.dims, vectors: config.vectors });
  }

  /** Applies one logged change (live, or replayed from the log at open). */
  apply(op: StoreOp): void {
    if (op.op === 'touch') {
      const rec = this.files.get(op.path);
      if (rec) this.files.set(op.path, { ...rec, size: op.size, mtimeMs: op.mtimeMs });
      return;
    }
    this.passages.removePath(op.path);
    this.files.delete(op.path);
    if (op.op === 'del') return;
    op.chunks.forEach((c, i) => {
      this.passages.add(c, op.vectors?.[i] ?? null);
      this.nextId = Math.max(this.nextId, c.id + 1);
    });
    this.files.set(op.path, { hash: op.hash, size: op.size, mtimeMs: op.mtimeMs, chunker: op.chunker, chunkIds: op.chunks.map((c) => c.id) });
  }

  /** Loads a snapshot: the saved keyword index is adopted when it matches. */
  restore(s: Snapshot, log: Logger): void {
    for (const [p, rec] of s.files) this.files.set(p, rec);
    let bm25: Bm25Index | null = null;
    if (s.bm25) {
      try {
        bm25 = Bm25Index.deserialize(s.bm25);
      } catch (err) {
        log('warn', `keyword index could not be read (${(err as Error).message}); rebuilding it from the stored text`);
      }
    }
    if (bm25 && bm25.size !== s.chunks.length) {
      log('warn', 'keyword index does not match the stored passages; rebuilding it');
      bm25 = null;
    }
    if (bm25) this.passages.bm25 = bm25;
    const vi = this.passages.vectors;
    // The stored vectors go in as one block (no add() per vector).
    if (s.vectors && vi) {
      try {
        vi.adopt(s.vectors.ids, s.vectors.data);
      } catch (err) {
        log('warn', `stored vectors are damaged (${(err as Error).message}); the passages are embedded again`);
      }
    }
    for (const c of s.chunks) {
      this.passages.add(c, null, !bm25);
      this.nextId = Math.max(this.nextId, c.id + 1);
    }
    // A vector whose passage is not stored has nothing to answer with.
    if (vi) for (const id of [...vi.ids()]) if (!this.passages.chunks.has(id)) vi.remove(id);
  }

  /** The vectors of a note's passages by passage text, for passages that reappear unchanged. */
  vectorsOf(rel: string): Map<string, Float32Array> {
    const out = new Map<string, Float32Array>();
    const vi = this.passages.vectors;
    if (!vi) return out;
    for (const c of this.passages.chunksOf(rel)) {
      const v = vi.get(c.id);
      if (v) out.set(keywordText(c), v.slice());
    }
    return out;
  }

  /** Everything a snapshot holds. */
  snapshot(): SnapshotWriter {
    const vi = this.passages.vectors;
    return {
      files: this.files,
      chunks: this.passages.chunks.values(),
      vectors: vi ? vi.exportVectorParts() : null,
      bm25: this.passages.bm25.serialize(),
      nextId: this.nextId,
    };
  }

  /** The same notes, passages and vectors under ids 1…n (note by note, in line order). */
  renumbered(): IndexState {
    const next = new IndexState(this.config);
    const passages = next.passages;
    for (const [p, rec] of this.files) {
      const chunkIds: number[] = [];
      for (const c of this.passages.chunksOf(p)) {
        const id = next.nextId++;
        const v = this.passages.vectors?.get(c.id);
        passages.add({ ...c, id }, v ? v.slice() : null);
        chunkIds.push(id);
      }
      next.files.set(p, { ...rec, chunkIds });
    }
    return next;
  }
}
