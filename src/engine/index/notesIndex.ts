// The index of one notes folder: walks it, chunks and embeds what changed, keeps the passage
// index in memory and the store on disk in step. Every change is logged before it is applied,
// so a killed process restarts where it stopped; unchanged files (same size and mtime, or same
// content hash) are never re-embedded, and unchanged passages of an edited or renamed file keep
// their vectors.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Embedder as Encoder } from '../embedding/encoder';
import { chunkMarkdown } from '../notes/chunker';
import { scriptCounts, type ScriptShares } from '../text/script';
import { readNote, walkNotes, type WalkOptions } from '../notes/walker';
import { notePath } from '../notes/noteFiles';
import { NoteStore, type FileRecord, type Snapshot, type StoreOp, type StoredChunk } from '../store/noteStore';
import type { SearchHit, SearchMode, SkippedFile } from '../types';
import { PassageIndex, keywordText } from './passageIndex';
import { rankAcross, type SearchOptions } from './ranking';
import { Bm25Index } from '../search/bm25';
import { writeFileAtomicSync } from '../store/atomicFile';
import type { VectorIndexOptions } from '../vectors/vectorIndex';

export type LogLevel = 'info' | 'warn' | 'error';
export type Logger = (level: LogLevel, message: string) => void;

export interface NotesIndexOptions {
  root: string;
  /** Folder for index files; each model gets its own subfolder, so vectors never mix. */
  storeDir: string;
  encoder: Encoder | null;
  walk?: WalkOptions;
  /** Token budget of a passage; default min(256, the model's window). */
  maxTokens?: number;
  readOnly?: boolean;
  log?: Logger;
  /** Vector index tuning (exact-search threshold, HNSW parameters). */
  vectors?: VectorIndexOptions;
}

export interface SyncProgress {
  phase: 'scan' | 'index' | 'save';
  done: number;
  total: number;
  path?: string;
}

export interface SyncReport {
  files: number;
  chunks: number;
  /** Passages whose vectors were computed in this run (0 when nothing changed). */
  embedded: number;
  changed: number;
  removed: number;
  skipped: SkippedFile[];
}

export interface IndexStatus {
  root: string;
  store: string;
  model: string | null;
  files: number;
  chunks: number;
  vectors: number;
  skipped: number;
  storeBytes: number;
  /** Shares of the notes' letters by script (Hangul, Latin, other): which models can read them. */
  scripts: ScriptShares;
}

/** What an index folder holds, written beside the per-model store folders. */
export interface NotesSearchResult {
  /** `source`: the position, in the indexes searched, of the one the hit came from. */
  hits: (SearchHit & { source: number })[];
  /** The ranking used: keyword when the model could not read the query (see `notice`). */
  ranking: SearchMode;
  notice?: string;
}

export interface StoreInfo {
  root: string;
  model: string | null;
  folder: string;
  fingerprint: string;
  dims: number;
}

const STORE_INFO = 'index.json';

/**
 * A related passage must sit this many standard deviations above what the other notes offer at
 * best (typicalNoteSimilarity). On the STS dev sets (each first sentence against all 3,000 others,
 * every sentence a note) 1.0 keeps 100 % of paraphrase pairs (gold ≥ 4) and 95 % of related ones
 * (2–4) and drops about 30 % of the pairs rated unrelated (≤ 1), with static-en-v2 and static-ko
 * alike; 1.5 drops half of them but, with the static models, empties the view of most small
 * folders, where their cosines barely separate a real neighbour from the rest.
 */
const STANDS_OUT_Z = 1;
/** Below this many other notes the typical cosine is not known well enough to filter by. */
const MIN_TYPICAL_NOTES = 5;
/** Passages read to learn the typical cosine (an even sample in larger folders). */
const TYPICAL_SAMPLE = 20_000;

/** How many passages to gather across files before one embedding call. */
const EMBED_BATCH = 256;

export class NotesIndex {
  readonly passages: PassageIndex;
  private readonly files = new Map<string, FileRecord>();
  private skippedFiles = new Map<string, SkippedFile>();
  private nextId: number;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private scriptCache: { version: number; shares: ScriptShares } | null = null;

  private constructor(
    readonly opts: NotesIndexOptions,
    private readonly store: NoteStore,
    readonly storePath: string,
  ) {
    this.passages = new PassageIndex({ dims: opts.encoder ? opts.encoder.dims : null, vectors: opts.vectors });
    this.nextId = 1;
  }

  get encoder(): Encoder | null {
    return this.opts.encoder;
  }

  /** Opens the index of `root`, restoring what the store holds and replaying its log. */
  static open(opts: NotesIndexOptions): NotesIndex {
    const fingerprint = opts.encoder ? opts.encoder.fingerprint : 'keyword-only';
    const dims = opts.encoder ? opts.encoder.dims : 0;
    const folder = storeFolderName(opts.encoder?.id ?? null, fingerprint);
    const index = NotesIndex.openFolder(opts, folder, fingerprint, dims);
    if (!opts.readOnly) {
      const info: StoreInfo = { root: path.resolve(opts.root), model: opts.encoder?.id ?? null, folder, fingerprint, dims };
      try {
        writeFileAtomicSync(path.join(opts.storeDir, STORE_INFO), JSON.stringify(info, null, 1));
      } catch (err) {
        // Only the CLI's read-only open needs it; a full disk must not keep the index from opening.
        if (!isDiskFull(err)) throw err;
        opts.log?.('warn', diskFullError(opts.storeDir).message);
      }
    }
    return index;
  }

  /**
   * Opens, read-only, the index last written in `storeDir` (for CLI search and related). With no
   * encoder the passages are searchable by keyword only; an encoder of another model is refused.
   */
  static openStored(storeDir: string, encoder: Encoder | null, log?: Logger): NotesIndex {
    const info = NotesIndex.describeStore(storeDir);
    if (encoder && encoder.fingerprint !== info.fingerprint) {
      throw new Error(`the index in ${storeDir} was built with ${info.model ?? 'no model (keyword only)'}, not ${encoder.id}: search with --model ${info.model ?? '(none)'} or index again`);
    }
    const index = NotesIndex.openFolder({ root: info.root, storeDir, encoder, readOnly: true, log }, info.folder, info.fingerprint, info.dims);
    if (index.files.size === 0) throw new Error(`the index in ${storeDir} is empty or damaged: run "semantic-notes index ${info.root} --store ${storeDir}" again`);
    return index;
  }

  static describeStore(storeDir: string): StoreInfo {
    const file = path.join(storeDir, STORE_INFO);
    let info: StoreInfo;
    try {
      info = JSON.parse(fs.readFileSync(file, 'utf8')) as StoreInfo;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`no index in ${storeDir}: create one with "semantic-notes index <folder> --store ${storeDir}"`);
      throw new Error(`the index description ${file} is unreadable (${(err as Error).message}): index the folder again`);
    }
    if (typeof info.root !== 'string' || typeof info.folder !== 'string' || typeof info.fingerprint !== 'string') {
      throw new Error(`the index description ${file} is damaged: index the folder again`);
    }
    return info;
  }

  private static openFolder(opts: NotesIndexOptions, folder: string, fingerprint: string, storeDims: number): NotesIndex {
    const log = opts.log ?? (() => {});
    const storePath = path.join(opts.storeDir, folder);
    const opened = NoteStore.open(storePath, fingerprint, storeDims, { readOnly: opts.readOnly });
    const index = new NotesIndex(opts, opened.store, storePath);
    for (const w of opened.warnings) log('warn', w);
    index.restore(opened.snapshot, log);
    for (const op of opened.ops) index.apply(op);
    index.nextId = Math.max(opened.nextId, index.nextId);
    return index;
  }

  /** Brings the index in line with the folder on disk. */
  sync(opts: { onProgress?: (p: SyncProgress) => void; signal?: AbortSignal } = {}): Promise<SyncReport> {
    return this.exclusive(() => this.doSync(opts));
  }

  /** Re-reads one file (created or changed). Paths are relative to the root. */
  updateFile(rel: string): Promise<'indexed' | 'unchanged' | 'skipped'> {
    return this.exclusive(async () => {
      const ref = noteRef(this.opts.root, rel);
      const r = await this.indexFiles([ref], new Map(), () => {});
      this.maybeCompact();
      return r.changed ? 'indexed' : this.skippedFiles.has(ref.rel) ? 'skipped' : 'unchanged';
    });
  }

  removeFile(rel: string): Promise<boolean> {
    rel = this.files.has(rel) ? rel : noteRef(this.opts.root, rel).rel; // a deleted NFD twin keeps its own key
    return this.exclusive(async () => {
      this.skippedFiles.delete(rel);
      if (!this.files.has(rel)) return false;
      this.log({ op: 'del', path: rel });
      this.maybeCompact();
      return true;
    });
  }

  /** A rename keeps the vectors of the moved passages: nothing is re-embedded. */
  renameFile(from: string, to: string): Promise<void> {
    from = this.files.has(from) ? from : noteRef(this.opts.root, from).rel;
    return this.exclusive(async () => {
      const reuse = this.vectorsOf(from);
      if (this.files.has(from)) this.log({ op: 'del', path: from });
      this.skippedFiles.delete(from);
      await this.indexFiles([noteRef(this.opts.root, to)], reuse, () => {});
      this.maybeCompact();
    });
  }

  async search(query: string, opts: SearchOptions = {}): Promise<SearchHit[]> {
    return (await NotesIndex.searchMany([this], query, opts)).hits;
  }

  /**
   * Searches several folders' indexes as one collection (one ranking across all of them, see
   * ranking.ts); each hit names the index it came from by its position in `indexes`. They share
   * the service's one embedding model; an index opened without it takes part by keywords only.
   */
  static async searchMany(indexes: NotesIndex[], query: string, opts: SearchOptions = {}): Promise<NotesSearchResult> {
    const encoder = indexes.find((i) => i.encoder)?.encoder ?? null;
    const outcome = await rankAcross(
      indexes.map((i) => i.passages),
      query,
      encoder,
      opts,
    );
    return {
      hits: outcome.passages.map((r) => ({ ...indexes[r.source].passages.toHit(r, query), source: r.source })),
      ranking: outcome.ranking,
      ...(outcome.notice ? { notice: outcome.notice } : {}),
    };
  }

  /**
   * Passages of other notes nearest to a note (or to the passage at `line` in it), or to a text,
   * keeping only those that stand out from the folder: a cosine at least STANDS_OUT_Z standard
   * deviations above the source's typical cosine with this folder's passages. Without an
   * embedding model, or for a text the model cannot read, it falls back to keyword similarity.
   */
  async related(target: { path: string; line?: number } | { text: string }, k = 10): Promise<SearchHit[]> {
    const exclude = 'path' in target ? target.path : null;
    const filter = exclude ? (id: number) => this.passages.chunks.get(id)?.path !== exclude : undefined;
    let sources: { vector: Float32Array | null; text: string }[];
    if ('path' in target) {
      let chunks = this.passages.chunksOf(target.path);
      if (target.line !== undefined) {
        const at = chunks.find((c) => target.line! >= c.startLine && target.line! <= c.endLine);
        chunks = at ? [at] : chunks;
      }
      sources = chunks.slice(0, 32).map((c) => ({ vector: this.passages.vectors?.isBlank(c.id) === false ? this.passages.vectors.get(c.id)!.slice() : null, text: keywordText(c) }));
    } else {
      const vector = this.opts.encoder ? (await this.opts.encoder.embed([target.text], { role: 'passage', priority: 'interactive' }))[0] : null;
      sources = [{ vector: vector && vector.some((x) => x !== 0) ? vector : null, text: target.text }];
    }
    // Each passage of the note asks for its neighbours; a neighbour keeps its best score.
    const best = new Map<number, number>();
    for (const s of sources) {
      let hits = s.vector ? this.passages.dense(s.vector, k, filter) : this.passages.keyword(s.text.slice(0, 2000), k, filter);
      if (s.vector) {
        const typical = this.typicalNoteSimilarity(s.vector, exclude);
        // Too few notes to know what is typical: show the nearest ones.
        if (typical.n >= MIN_TYPICAL_NOTES) hits = hits.filter((h) => h.score - typical.mean >= STANDS_OUT_Z * Math.max(typical.std, 1e-3));
      }
      for (const h of hits) best.set(h.chunk.id, Math.max(best.get(h.chunk.id) ?? -Infinity, h.score));
    }
    return [...best]
      .sort((a, b) => b[1] - a[1] || a[0] - b[0])
      .slice(0, k)
      .map(([id, score]) => this.passages.toHit({ chunk: this.passages.chunks.get(id)!, score }));
  }

  /**
   * How similar the rest of the notes are to a vector: mean and spread, over the other notes, of
   * each note's best passage cosine. A related passage has to stand out from what every note
   * offers at best, not from all passages (most of which are unrelated filler, so any note's best
   * would look exceptional). Orthogonal notes (another script under the bilingual model) share
   * nothing to compare and are left out. Large folders are sampled evenly.
   */
  private typicalNoteSimilarity(v: Float32Array, exclude: string | null): { mean: number; std: number; n: number } {
    const vectors = this.passages.vectors;
    if (!vectors) return { mean: 0, std: 0, n: 0 };
    const bestOf = new Map<string, number>();
    const stride = Math.max(1, Math.floor(this.passages.size / TYPICAL_SAMPLE));
    let i = 0;
    for (const c of this.passages.chunks.values()) {
      if (i++ % stride !== 0 || c.path === exclude) continue;
      const cos = vectors.similarity(v, c.id);
      if (cos !== null && cos > 0 && cos > (bestOf.get(c.path) ?? -Infinity)) bestOf.set(c.path, cos);
    }
    let sum = 0;
    let sumSq = 0;
    for (const x of bestOf.values()) {
      sum += x;
      sumSq += x * x;
    }
    const n = bestOf.size;
    const mean = n ? sum / n : 0;
    return { mean, std: n > 1 ? Math.sqrt(Math.max(sumSq / n - mean * mean, 0)) : 0, n };
  }

  status(): IndexStatus {
    return {
      root: this.opts.root,
      store: this.storePath,
      model: this.opts.encoder?.id ?? null,
      files: this.files.size,
      chunks: this.passages.size,
      vectors: this.passages.vectors?.size ?? 0,
      skipped: this.skippedFiles.size,
      storeBytes: this.store.snapshotBytes + this.store.walBytes,
      scripts: this.scripts(),
    };
  }

  /** Script shares over every passage, computed again only after the passages changed. */
  private scripts(): ScriptShares {
    const p = this.passages;
    if (this.scriptCache?.version !== p.version) {
      let hangul = 0;
      let latin = 0;
      let other = 0;
      for (const c of p.chunks.values()) {
        const n = scriptCounts(c.text);
        hangul += n.hangul;
        latin += n.latin;
        other += n.other;
      }
      const letters = hangul + latin + other || 1;
      const round = (x: number) => Math.round((x / letters) * 1e4) / 1e4;
      this.scriptCache = { version: p.version, shares: { hangul: round(hangul), latin: round(latin), other: round(other) } };
    }
    return this.scriptCache.shares;
  }

  coverage(): { indexed: { path: string; chunks: number }[]; skipped: SkippedFile[] } {
    const indexed = [...this.files].map(([p, r]) => ({ path: p, chunks: r.chunkIds.length })).sort((a, b) => a.path.localeCompare(b.path));
    return { indexed, skipped: [...this.skippedFiles.values()].sort((a, b) => a.path.localeCompare(b.path)) };
  }

  hasFile(rel: string): boolean {
    return this.files.has(rel);
  }

  /** Writes a fresh snapshot now (also done automatically when the log grows large). */
  flush(): Promise<void> {
    return this.exclusive(async () => this.compact());
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.exclusive(async () => {
      if (!this.opts.readOnly && this.store.walBytes > 0) this.compact();
    }).catch((err) => this.opts.log?.('error', `could not save the index: ${(err as Error).message}`));
    this.store.close();
    this.closed = true;
  }

  private async doSync(opts: { onProgress?: (p: SyncProgress) => void; signal?: AbortSignal }): Promise<SyncReport> {
    const onProgress = opts.onProgress ?? (() => {});
    onProgress({ phase: 'scan', done: 0, total: 0 });
    const walked = await walkNotes(this.opts.root, { ...this.opts.walk, signal: opts.signal });
    const present = new Set(walked.files.map((f) => f.path));
    this.skippedFiles = new Map(walked.skipped.map((s) => [s.path, s]));
    // Vectors of removed files may serve renamed copies of them below.
    const reuse = new Map<string, Float32Array>();
    let removed = 0;
    for (const p of [...this.files.keys()]) {
      if (present.has(p)) continue;
      for (const [k, v] of this.vectorsOf(p)) reuse.set(k, v);
      this.log({ op: 'del', path: p });
      removed++;
    }
    // Notes whose passages lack a vector (a damaged vector file was dropped) are embedded again.
    const vectors = this.passages.vectors;
    const unembedded = new Set(vectors ? [...this.files].filter(([, rec]) => rec.chunkIds.some((id) => !vectors.has(id))).map(([p]) => p) : []);
    const todo = walked.files.filter((f) => {
      const rec = this.files.get(f.path);
      return !rec || rec.size !== f.size || rec.mtimeMs !== f.mtimeMs || unembedded.has(f.path);
    });
    const r = await this.indexFiles(
      todo.map((f) => ({ rel: f.path, abs: f.absPath })),
      reuse,
      (done, p) => onProgress({ phase: 'index', done, total: todo.length, path: p }),
      opts.signal,
      unembedded,
    );
    onProgress({ phase: 'save', done: 0, total: 1 });
    this.maybeCompact();
    return {
      files: this.files.size,
      chunks: this.passages.size,
      embedded: r.embedded,
      changed: r.changed,
      removed,
      skipped: [...this.skippedFiles.values()],
    };
  }

  /** Reads, chunks and embeds files, logging one change per file as soon as its vectors exist. */
  private async indexFiles(
    notes: { rel: string; abs: string }[],
    reuse: Map<string, Float32Array>,
    onFile: (done: number, path: string) => void,
    signal?: AbortSignal,
    reembed: Set<string> = new Set(),
  ): Promise<{ changed: number; embedded: number }> {
    const enc = this.opts.encoder;
    const maxTokens = this.opts.maxTokens ?? Math.min(256, (enc?.profile.maxTokens ?? 512) - 2);
    const countTokens = enc ? (t: string) => enc.countTokens(t) : undefined;
    let changed = 0;
    let embedded = 0;
    let done = 0;
    type Pending = { rel: string; hash: string; size: number; mtimeMs: number; chunks: StoredChunk[] };
    let pending: Pending[] = [];
    let pendingChunks = 0;

    const flush = async () => {
      if (pending.length === 0) return;
      let vectorsByFile: (Float32Array[] | null)[] = pending.map(() => null);
      if (enc) {
        // Passages whose text is unchanged keep their old vector.
        const need: { f: number; c: number; text: string }[] = [];
        vectorsByFile = pending.map((p, f) =>
          p.chunks.map((c, ci) => {
            const text = keywordText(c);
            const old = reuse.get(text);
            if (old) return old;
            need.push({ f, c: ci, text });
            return new Float32Array(0);
          }),
        );
        if (need.length) {
          const vecs = await enc.embed(need.map((n) => n.text), { role: 'passage', signal });
          need.forEach((n, i) => (vectorsByFile[n.f]![n.c] = vecs[i]));
          embedded += need.length;
        }
      }
      pending.forEach((p, i) => {
        this.log({ op: 'put', path: p.rel, hash: p.hash, size: p.size, mtimeMs: p.mtimeMs, chunks: p.chunks, vectors: vectorsByFile[i] });
        changed++;
        onFile(++done, p.rel);
      });
      pending = [];
      pendingChunks = 0;
    };

    for (const { rel, abs } of notes) {
      signal?.throwIfAborted();
      const readAt = Date.now();
      const res = await readNote(abs, this.opts.walk?.maxFileBytes, { root: this.opts.root, links: this.opts.walk?.links });
      if (!res.ok) {
        if (this.files.has(rel)) this.log({ op: 'del', path: rel });
        // A note deleted or renamed since the walk is gone, not "unreadable".
        if (res.reason === 'unreadable' && res.detail === 'ENOENT') this.skippedFiles.delete(rel);
        else this.skippedFiles.set(rel, { path: rel, reason: res.reason, detail: res.detail });
        onFile(++done, rel);
        continue;
      }
      // A file written within the last 2 s may change again without its mtime moving (coarse
      // clocks, FAT, a save storm): record no mtime, so the next sync re-reads and compares its
      // hash (git's "racily clean" rule).
      const stat = { size: res.size, mtimeMs: readAt - res.mtimeMs < 2000 ? -1 : res.mtimeMs };
      this.skippedFiles.delete(rel);
      const rec = this.files.get(rel);
      if (rec && rec.hash === res.hash && !reembed.has(rel)) {
        // Touched but not changed (e.g. a git checkout): remember the new mtime only.
        if (rec.size !== stat.size || rec.mtimeMs !== stat.mtimeMs) this.log({ op: 'touch', path: rel, size: stat.size, mtimeMs: stat.mtimeMs });
        onFile(++done, rel);
        continue;
      }
      for (const [k, v] of this.vectorsOf(rel)) reuse.set(k, v);
      const chunks = chunkMarkdown(rel, res.text, { maxTokens, countTokens }).map((c) => ({ ...c, id: this.nextId++ }));
      pending.push({ rel, hash: res.hash, size: stat.size, mtimeMs: stat.mtimeMs, chunks });
      pendingChunks += chunks.length;
      if (pendingChunks >= EMBED_BATCH) await flush();
    }
    await flush();
    return { changed, embedded };
  }

  /** Logs a change, then applies it: the log is the source of truth after a crash. */
  private log(op: StoreOp): void {
    if (this.opts.readOnly) throw new Error('the index is open read-only');
    this.guardDisk(() => this.store.append(op));
    this.apply(op);
  }

  private apply(op: StoreOp): void {
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
    this.files.set(op.path, { hash: op.hash, size: op.size, mtimeMs: op.mtimeMs, chunkIds: op.chunks.map((c) => c.id) });
  }

  private restore(s: Snapshot, log: Logger): void {
    for (const [p, rec] of s.files) this.files.set(p, rec);
    const vectorOf = new Map<number, Float32Array>();
    const dims = this.passages.vectors?.dims ?? 0;
    if (s.vectors && dims) s.vectors.ids.forEach((id, i) => vectorOf.set(id, s.vectors!.data.subarray(i * dims, (i + 1) * dims)));
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
    this.passages.vectors?.deferGraph(true);
    for (const c of s.chunks) {
      this.passages.add(c, vectorOf.get(c.id) ?? null, !bm25);
      this.nextId = Math.max(this.nextId, c.id + 1);
    }
    const warning = this.passages.vectors?.deferGraph(false, s.graphFile);
    if (warning) log('warn', warning);
  }

  private vectorsOf(rel: string): Map<string, Float32Array> {
    const out = new Map<string, Float32Array>();
    const vi = this.passages.vectors;
    if (!vi) return out;
    for (const c of this.passages.chunksOf(rel)) {
      const v = vi.get(c.id);
      if (v) out.set(keywordText(c), v.slice());
    }
    return out;
  }

  /** Snapshot when the log has grown past a quarter of the snapshot (or 4 MiB). */
  private maybeCompact(): void {
    const wal = this.store.walBytes;
    if (wal === 0) return;
    if (wal > Math.max(4 << 20, this.store.snapshotBytes / 4)) this.compact();
    else this.guardDisk(() => this.store.sync());
  }

  private compact(): void {
    if (this.opts.readOnly) return;
    const vi = this.passages.vectors;
    this.guardDisk(() => this.store.compact({
      files: this.files,
      chunks: this.passages.chunks.values(),
      vectors: vi ? vi.exportVectors() : null,
      bm25: this.passages.bm25.serialize(),
      writeGraph: vi ? (f) => vi.writeGraph(f) : null,
      nextId: this.nextId,
    }));
  }

  /** A full disk is the user's to fix: say so plainly. The store keeps its last good state. */
  private guardDisk(write: () => void): void {
    try {
      write();
    } catch (err) {
      throw isDiskFull(err) ? diskFullError(this.storePath) : err;
    }
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error('the index is closed'));
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => {});
    return run;
  }
}

export class DiskFullError extends Error {
  override name = 'DiskFullError';
  readonly code = 'ENOSPC';
}

function isDiskFull(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}

function diskFullError(where: string): DiskFullError {
  return new DiskFullError(`the disk holding the index (${where}) is full: the index is kept as it was, and indexing resumes once space is freed`);
}

/**
 * Index keys are NFC, except for a name whose NFC twin also exists on disk (notePath). The name on
 * disk may be NFD (macOS writes Hangul so; a synced folder keeps it on Linux) while the caller — a
 * watcher, a command — may give either form: read the file by whichever form exists.
 */
function noteRef(root: string, rel: string): { rel: string; abs: string } {
  const p = notePath(root, rel);
  return { rel: p.key, abs: p.abs };
}

export function storeFolderName(modelId: string | null, fingerprint: string): string {
  if (!modelId) return 'keyword-only';
  const slug = modelId.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 60);
  return `${slug}-${crypto.createHash('sha256').update(fingerprint).digest('hex').slice(0, 10)}`;
}
