// The index of one notes folder: keeps the in-memory passages and the store on disk in step.
// Every change is logged before it is applied, so a killed process restarts where it stopped.
// This file is the index's face — open, sync, live changes, search, related, status, close —
// and each job behind it has its own file:
//   syncPipeline.ts  walk, read, chunk, embed, log (what changed since the last sync)
//   indexState.ts    what the snapshot restores and the log replays into
//   compaction.ts    folding the log into a snapshot (and renumbering chunk ids)
//   storeInfo.ts     store folder naming and the index.json description
//   related.ts       related passages
import type { Embedder as Encoder } from '../embedding/encoder';
import { scriptCounts, type ScriptShares } from '../text/script';
import type { WalkOptions } from '../notes/walker';
import { NoteStore, type StoreOp } from '../store/noteStore';
import { diskFullError, guardDisk, isDiskFull } from '../store/diskFull';
import type { SearchHit, SearchMode, SkippedFile } from '../types';
import type { PassageIndex } from './passageIndex';
import { rankAcross, type SearchOptions } from './ranking';
import type { VectorIndexOptions } from '../vectors/vectorIndex';
import { IndexState, type Logger } from './indexState';
import { compact, maybeCompact } from './compaction';
import { readStoreInfo, storeFolderName, writeStoreInfo, type StoreInfo } from './storeInfo';
import { indexNotes, noteRef, syncFolder, type SyncTarget } from './syncPipeline';
import { relatedPassages } from './related';
import * as path from 'node:path';

/** Words put into the typo and prefix lookup tree per event-loop turn (1–5 ms each on the notes corpus). */
const WARM_STEP_WORDS = 1024;

export { DiskFullError } from '../store/diskFull';
export { RENUMBER_ABOVE } from './compaction';
export { storeFolderName, type StoreInfo } from './storeInfo';
export type { LogLevel, Logger } from './indexState';

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
  /** Vector index tuning (the exact-search threshold). */
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

export interface NotesSearchResult {
  /** `source`: the position, in the indexes searched, of the one the hit came from. */
  hits: (SearchHit & { source: number })[];
  /** The ranking used: keyword when the model could not read the query (see `notice`). */
  ranking: SearchMode;
  notice?: string;
}

export class NotesIndex {
  private state: IndexState;
  private readonly skippedFiles = new Map<string, SkippedFile>();
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private warming: Promise<void> | null = null;
  private scriptCache: { version: number; shares: ScriptShares } | null = null;
  /** What the sync pipeline works on: always the current state (compaction may replace it). */
  private readonly target: SyncTarget;

  private constructor(
    readonly opts: NotesIndexOptions,
    private readonly store: NoteStore,
    readonly storePath: string,
  ) {
    this.state = new IndexState({ dims: opts.encoder ? opts.encoder.dims : null, vectors: this.opts.vectors });
    const self = this;
    this.target = {
      opts,
      get state() {
        return self.state;
      },
      skipped: this.skippedFiles,
      log: (...ops) => this.log(...ops),
    };
  }

  /** The in-memory search core (replaced as a whole when a compaction renumbers the passages). */
  get passages(): PassageIndex {
    return this.state.passages;
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
        writeStoreInfo(opts.storeDir, info);
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
    if (index.state.files.size === 0) throw new Error(`the index in ${storeDir} is empty or damaged: run "semantic-notes index ${info.root} --store ${storeDir}" again`);
    return index;
  }

  static describeStore(storeDir: string): StoreInfo {
    return readStoreInfo(storeDir);
  }

  private static openFolder(opts: NotesIndexOptions, folder: string, fingerprint: string, storeDims: number): NotesIndex {
    const log = opts.log ?? (() => {});
    const storePath = path.join(opts.storeDir, folder);
    const opened = NoteStore.open(storePath, fingerprint, storeDims, { readOnly: opts.readOnly });
    const index = new NotesIndex(opts, opened.store, storePath);
    for (const w of opened.warnings) log('warn', w);
    index.state.restore(opened.snapshot, log);
    for (const op of opened.ops) index.state.apply(op);
    index.state.nextId = Math.max(opened.nextId, index.state.nextId);
    return index;
  }

  /** Brings the index in line with the folder on disk. */
  sync(opts: { onProgress?: (p: SyncProgress) => void; signal?: AbortSignal } = {}): Promise<SyncReport> {
    return this.exclusive(async () => {
      const r = await syncFolder(this.target, opts);
      this.maybeCompact();
      if (!this.opts.readOnly) void this.warmLookups();
      return { files: this.state.files.size, chunks: this.passages.size, embedded: r.embedded, changed: r.changed, removed: r.removed, skipped: [...this.skippedFiles.values()] };
    });
  }

  /** Re-reads one file (created or changed). Paths are relative to the root. */
  updateFile(rel: string): Promise<'indexed' | 'unchanged' | 'skipped'> {
    return this.exclusive(async () => {
      const ref = noteRef(this.opts.root, rel);
      const r = await indexNotes(this.target, [ref], new Map(), () => {});
      this.maybeCompact();
      return r.changed ? 'indexed' : this.skippedFiles.has(ref.rel) ? 'skipped' : 'unchanged';
    });
  }

  removeFile(rel: string): Promise<boolean> {
    rel = this.state.files.has(rel) ? rel : noteRef(this.opts.root, rel).rel; // a deleted NFD twin keeps its own key
    return this.exclusive(async () => {
      this.skippedFiles.delete(rel);
      if (!this.state.files.has(rel)) return false;
      this.log({ op: 'del', path: rel });
      this.maybeCompact();
      return true;
    });
  }

  /** A rename keeps the vectors of the moved passages: nothing is re-embedded. */
  renameFile(from: string, to: string): Promise<void> {
    from = this.state.files.has(from) ? from : noteRef(this.opts.root, from).rel;
    return this.exclusive(async () => {
      const reuse = this.state.vectorsOf(from);
      if (this.state.files.has(from)) this.log({ op: 'del', path: from });
      this.skippedFiles.delete(from);
      await indexNotes(this.target, [noteRef(this.opts.root, to)], reuse, () => {});
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

  /** Passages of other notes related to a note, a passage of it, or a text (see related.ts). */
  related(target: { path: string; line?: number } | { text: string }, k = 10): Promise<SearchHit[]> {
    return relatedPassages(this.passages, this.opts.encoder, target, k);
  }

  status(): IndexStatus {
    return {
      root: this.opts.root,
      store: this.storePath,
      model: this.opts.encoder?.id ?? null,
      files: this.state.files.size,
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
    const indexed = [...this.state.files].map(([p, r]) => ({ path: p, chunks: r.chunkIds.length })).sort((a, b) => a.path.localeCompare(b.path));
    return { indexed, skipped: [...this.skippedFiles.values()].sort((a, b) => a.path.localeCompare(b.path)) };
  }

  hasFile(rel: string): boolean {
    return this.state.files.has(rel);
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

  /** Logs a change, then applies it: the log is the source of truth after a crash. */
  /** Logs changes (one write), then applies them: memory never runs ahead of the log. */
  private log(...ops: StoreOp[]): void {
    if (this.opts.readOnly) throw new Error('the index is open read-only');
    guardDisk(this.storePath, () => this.store.append(...ops));
    for (const op of ops) this.state.apply(op);
  }

  private maybeCompact(): void {
    this.adopt(maybeCompact(this.state, this.store, this.opts.log));
  }

  private compact(): void {
    if (this.opts.readOnly) return;
    this.adopt(compact(this.state, this.store, this.opts.log));
  }

  /** Takes the state a compaction returned (a renumbered one replaces the passages). */
  private adopt(state: IndexState): void {
    if (state === this.state) return;
    this.state = state;
    this.scriptCache = null;
    void this.warmLookups();
  }

  /**
   * Builds the keyword index's typo and prefix lookup tree a slice per event-loop turn once the
   * folder is in sync, so the first search after opening does not wait for it (it took ~40 ms of
   * that search on the 15,848-note corpus). A search that comes first finishes it itself.
   */
  private warmLookups(): Promise<void> {
    return (this.warming ??= new Promise<void>((resolve) => {
      const step = () => {
        if (this.closed || this.passages.bm25.prepareTolerantLookups(WARM_STEP_WORDS)) {
          this.warming = null;
          resolve();
        } else setImmediate(step);
      };
      setImmediate(step);
    }));
  }

  /** Resolves when the idle-time preparation of later searches is done (benchmarks wait for it). */
  async whenWarm(): Promise<void> {
    await this.warming;
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error('the index is closed'));
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => {});
    return run;
  }
}
