// The background service: serves the protocol over a message connection, owning the engine
// session and one notes index per workspace folder. Runs in its own process so model loading,
// embedding and indexing never block the editor.
import * as fs from 'node:fs';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { CancellationToken, ResponseError, type MessageConnection, type RequestType, type RequestType0 } from 'vscode-jsonrpc';
import { NotesIndex } from '../engine/index/notesIndex';
import { NoteFilter } from '../engine/notes/noteFiles';
import { FillMaskInputError } from '../engine/mlm/fillMask';
import { DEFAULT_EMBEDDING_MODEL, EngineSession, type EngineConfig } from '../engine/session';
import type { WalkOptions } from '../engine/notes/walker';
import { recommendedModel } from '../engine/models/catalog';
import { queryMatcher } from '../engine/search/highlight';
import type { CrossEncoder } from '../engine/rerank/crossEncoder';
import { ModelUpgrade } from './modelUpgrade';
import { atLeast, settingsChange } from './settingsEffects';
import {
  ErrorCodes,
  isOneOf,
  METRICS,
  Notifications,
  POOLINGS,
  Requests,
  type FolderHit,
  type FolderSpec,
  type FileChanges,
  type FolderStatus,
  type IndexSummary,
  type ModelKind,
  type ModelReport,
  type ModelState,
  type SearchParams,
  type SearchResult,
  type ServiceConfig,
  type UpgradeEvent,
} from '../protocol/protocol';

interface OpenFolder {
  spec: FolderSpec;
  index: NotesIndex;
  indexing: boolean;
  /** Whether a path belongs to the index (extensions, include/exclude, .gitignore). */
  accepts: (rel: string) => boolean;
}

const MAX_QUERY_CHARS = 10_000;
const MAX_MASK_TEXT_CHARS = 1_000_000;

export class Server {
  private config: ServiceConfig | null = null;
  private session: EngineSession | null = null;
  private readonly folders = new Map<string, OpenFolder>();
  /** The rerank model's state as last reported (null: not tried since the settings changed). */
  private rerankState: ModelState | null = null;
  /** A model being prepared to take over (downloaded, then indexed beside the current one). */
  private upgrade: ModelUpgrade | null = null;
  /** The last model that could not take over, and why (reported with configure). */
  private failedUpgrade: UpgradeEvent | null = null;
  /** Aborts the syncs under way, so that a shutdown saves at once instead of waiting for them. */
  private readonly syncs = new AbortController();
  private stopping: Promise<void> | null = null;

  constructor(private readonly conn: MessageConnection) {
    // Handlers are registered with the typed requests of protocol.ts, so the compiler checks that
    // each takes the params and returns the result the client expects.
    const on = <P, R>(type: RequestType<P, R, void>, fn: (p: P, token: CancellationToken) => Promise<R>) =>
      conn.onRequest(type, (p, token) => fn(p, token).catch((err: unknown) => Promise.reject(toResponseError(err))));
    const on0 = <R>(type: RequestType0<R, void>, fn: () => Promise<R>) => conn.onRequest(type, () => fn().catch((err: unknown) => Promise.reject(toResponseError(err))));
    on(Requests.configure, (c) => this.configure(c));
    on(Requests.openFolder, (s) => this.openFolder(s));
    on(Requests.closeFolder, (p) => this.closeFolder(p.folderId));
    on(Requests.sync, (p) => this.sync(p.folderId));
    on(Requests.rebuild, (p) => this.rebuild(p.folderId));
    on(Requests.applyChanges, (p) => this.applyChanges(p));
    on0(Requests.status, async () => [...this.folders.values()].map((f) => this.statusOf(f)));
    on(Requests.coverage, async (p) => {
      const c = this.folder(p.folderId).index.coverage();
      return { indexed: c.indexed.length, skipped: c.skipped };
    });
    on(Requests.search, (p, token) => this.search(p, token));
    on(Requests.related, async (p) => {
      const f = this.folder(p.folderId);
      if (!f.index.hasFile(p.path)) return [];
      return (await f.index.related({ path: p.path, line: p.line }, clampK(p.k))).map((x) => ({ ...x, folderId: f.spec.id }));
    });
    on(Requests.relatedText, async (p) => {
      const text = checkText(p.text, 'text');
      const all: FolderHit[] = [];
      for (const f of this.folders.values()) all.push(...(await f.index.related({ text }, clampK(p.k))).map((x) => ({ ...x, folderId: f.spec.id })));
      return all.sort((a, b) => b.score - a.score).slice(0, clampK(p.k));
    });
    on(Requests.similarity, async (p) => {
      if (!Array.isArray(p.texts) || p.texts.length === 0 || p.texts.length > 64) throw new ResponseError(ErrorCodes.badInput, 'give between 1 and 64 sentences');
      const texts = p.texts.map((t) => checkText(t, 'sentence'));
      const metric = checkChoice(METRICS, p.metric, 'metric');
      // Absent (or empty, as a settings value would be): the model's own pooling.
      const own = p.pooling === undefined || p.pooling === null || (p.pooling as string) === '';
      const pooling = own ? undefined : checkChoice(POOLINGS, p.pooling, 'pooling');
      const r = await this.requireSession().similarity(texts, metric, pooling);
      return { texts, matrix: r.matrix, model: r.model, pooling: r.pooling, metric };
    });
    on(Requests.mask, async (p) => {
      // Not cut like a query: the mask may sit anywhere in a long note; the engine reads a window around it.
      const lists = await this.requireSession().mask(checkWholeText(p.text, 'text', MAX_MASK_TEXT_CHARS), clampK(p.k, 20));
      return lists.map((l) => l.map((c) => ({ token: c.token, score: c.score, sequence: c.sequence })));
    });
    on(Requests.prepareModels, (p) => this.prepareModels(p.kinds));
    on0(Requests.shutdown, () => this.shutdown());
  }

  /** Takes new settings and does what their change needs (settingsEffects.ts); says what that was. */
  async configure(c: ServiceConfig): Promise<ModelReport> {
    const old = this.config;
    this.config = c;
    const { effect, changed } = settingsChange(old, c);
    const has = (...keys: (keyof ServiceConfig)[]) => keys.some((k) => changed.includes(k));
    // The rerank model is tried again (and its state reported again) under new settings.
    if (has('crossEncoderModel', 'modelsDir', 'cacheDir', 'allowDownloads', 'remoteHost')) this.rerankState = null;
    if (!this.session || atLeast(effect, 'reembed')) {
      await this.chooseEmbedding(c);
    } else if (has('allowDownloads', 'remoteHost') && c.allowDownloads && !this.serves(c)) {
      // Downloads now allowed for a chosen model that is not serving: fetch it in the background.
      await this.chooseEmbedding(c);
    } else if (has('fillMaskModel', 'crossEncoderModel', 'allowDownloads', 'remoteHost')) {
      await this.session.reconfigure(this.engineConfig({ ...c, embeddingModel: this.servingModel(), pooling: this.session.config.pooling ?? '' }));
    }
    const embedding = await this.embeddingState();
    if (old && has('include', 'exclude', 'maxFileBytes', 'trusted')) {
      // Reopen every folder under the new file rules; the client syncs them.
      for (const f of [...this.folders.values()]) await this.openFolder(f.spec);
    }
    return { ...this.report(embedding), effect };
  }

  private report(embedding: ModelState): ModelReport {
    const upgrade = this.upgrade?.last ?? this.failedUpgrade;
    return { embedding, ...(upgrade ? { upgrade } : {}) };
  }

  /**
   * Which model serves, and whether another is prepared in the background. A model that is at
   * hand (models folder, cache, bundled) serves at once when nothing serves yet. Otherwise the
   * model serving now (or the bundled default) keeps answering while the wanted one is
   * downloaded and indexed beside it (ModelUpgrade), so the user never waits on an empty index.
   */
  private async chooseEmbedding(c: ServiceConfig, forceDownload = false): Promise<void> {
    this.failedUpgrade = null;
    if (this.serves(c) && !forceDownload) {
      // The serving model stays loaded; new sources and task models are taken in place.
      await this.cancelUpgrade();
      await this.session!.reconfigure(this.engineConfig(c));
      return;
    }
    if (!this.session || this.folders.size === 0) {
      // Nothing to keep serving from: the wanted model serves now if it is at hand and loads.
      const wanted = this.makeSession(c);
      let used = false;
      if (await wanted.embeddingAtHand()) {
        const loaded = await wanted.encoder().then(
          () => null,
          (err: Error) => err,
        );
        if (!loaded || c.embeddingModel === DEFAULT_EMBEDDING_MODEL) {
          await this.cancelUpgrade();
          await this.switchSession(wanted);
          return;
        }
        // A broken model: say so, and keep meaning with the bundled one.
        this.failUpgrade(c.embeddingModel, loaded);
      }
      if (!this.session) {
        used = c.embeddingModel === DEFAULT_EMBEDDING_MODEL;
        await this.switchSession(used ? wanted : this.makeSession({ ...c, embeddingModel: DEFAULT_EMBEDDING_MODEL, pooling: '' }));
      }
      if (!used) await wanted.dispose();
      if (this.failedUpgrade) return;
    }
    if (this.serves(c) && !forceDownload) return;
    await this.startUpgrade(forceDownload ? { ...c, allowDownloads: true } : c);
  }

  /** Reports (once) that a wanted model cannot serve; the current one goes on. */
  private failUpgrade(target: string, err: Error): void {
    const serving = this.session ? this.servingModel() : DEFAULT_EMBEDDING_MODEL;
    this.failedUpgrade = { target, serving, phase: 'failed', done: 0, total: 0, message: err.message, missing: err.name === 'ModelNotFoundError' };
    this.log('warn', `${err.message} Search keeps using ${serving}.`);
    this.conn.sendNotification(Notifications.upgrade, this.failedUpgrade);
  }

  /** Whether the model serving now is the one `c` asks for (same id and pooling). */
  private serves(c: ServiceConfig): boolean {
    return !!this.session && this.servingModel() === c.embeddingModel && this.session.config.pooling === (c.pooling || undefined);
  }

  /** The id of the embedding model that answers searches now. */
  private servingModel(): string {
    return this.session!.config.embeddingModel;
  }

  private makeSession(c: ServiceConfig): EngineSession {
    return new EngineSession(this.engineConfig(c));
  }

  /** The engine's configuration for the service's settings (the one place that maps them). */
  private engineConfig(c: ServiceConfig): EngineConfig {
    return {
      modelsDir: c.modelsDir || undefined,
      cacheDir: c.cacheDir || undefined,
      allowDownloads: c.allowDownloads,
      remoteHost: c.remoteHost,
      embeddingModel: c.embeddingModel,
      fillMaskModel: c.fillMaskModel,
      crossEncoderModel: c.crossEncoderModel,
      pooling: c.pooling || undefined,
      log: (level, message) => this.log(level, message),
      onDownload: (e) => this.conn.sendNotification(Notifications.download, e),
    };
  }

  /**
   * Serves from `next` now: every open folder is reopened with its model (its own store), and
   * the models of the session it replaces are released.
   */
  private async switchSession(next: EngineSession): Promise<void> {
    const before = this.session;
    this.session = next;
    for (const f of [...this.folders.values()]) await this.openFolder(f.spec);
    if (before && before !== next) await retire(before);
  }

  private async startUpgrade(c: ServiceConfig): Promise<void> {
    await this.cancelUpgrade();
    const session = this.makeSession(c);
    const upgrade = new ModelUpgrade(
      session.config,
      this.session ? this.servingModel() : null,
      { list: () => [...this.folders.values()].map((f) => ({ spec: f.spec, walk: this.walkOptions() })) },
      (e) => this.conn.sendNotification(Notifications.upgrade, e),
    );
    this.upgrade = upgrade;
    void upgrade.finished.then(async (done) => {
      if (this.upgrade !== upgrade) {
        // Superseded while finishing: drop what it built.
        for (const index of done?.indexes.values() ?? []) await index.close();
        await done?.session.dispose();
        return;
      }
      this.upgrade = null;
      if (!done) {
        if (upgrade.last.phase === 'failed') {
          this.failedUpgrade = upgrade.last;
          this.log('warn', `${upgrade.last.message} Search keeps using ${upgrade.last.serving}.`);
        }
        return;
      }
      // The switch: every folder at once, each to an index that is complete and caught up.
      const replaced = this.session;
      this.session = done.session;
      for (const [id, index] of done.indexes) {
        const f = this.folders.get(id);
        if (!f) {
          await index.close();
          continue;
        }
        const before = f.index;
        f.index = index;
        await before.close();
      }
      // The old indexes are closed: nothing uses the replaced models any more.
      if (replaced) await retire(replaced);
      this.log('info', `search now uses ${upgrade.target}`);
      const state = await this.embeddingState();
      this.conn.sendNotification(Notifications.modelState, { embedding: state });
      this.conn.sendNotification(Notifications.upgrade, { ...upgrade.last, phase: 'done', serving: upgrade.target });
    });
  }

  private async cancelUpgrade(): Promise<void> {
    const u = this.upgrade;
    this.upgrade = null;
    await u?.cancel();
  }

  private walkOptions(): WalkOptions {
    const c = this.config!;
    // An untrusted workspace follows no symbolic link (trusted unless the client says otherwise).
    return { include: c.include.length ? c.include : undefined, exclude: c.exclude, maxFileBytes: c.maxFileBytes, links: c.trusted === false ? 'never' : 'inside' };
  }

  private async embeddingState(): Promise<ModelState> {
    const s = this.requireSession();
    const id = s.config.embeddingModel;
    try {
      const enc = await s.encoder();
      return { state: 'ready', id, dims: enc.dims };
    } catch (err) {
      return stateOfFailure(id, err as Error);
    }
  }

  async openFolder(spec: FolderSpec): Promise<FolderStatus> {
    const s = this.requireSession();
    if (!fs.existsSync(spec.root)) throw new ResponseError(ErrorCodes.badInput, `folder ${spec.root} does not exist`);
    await this.closeFolder(spec.id);
    const walk = this.walkOptions();
    const index = await s.openIndex(spec.root, spec.storeDir, { walk });
    const filter = new NoteFilter(spec.root, walk);
    const f: OpenFolder = { spec, index, indexing: false, accepts: (rel) => filter.accepts(rel) };
    this.folders.set(spec.id, f);
    return this.statusOf(f);
  }

  async closeFolder(id: string): Promise<void> {
    const f = this.folders.get(id);
    if (!f) return;
    this.folders.delete(id);
    await f.index.close();
  }

  async sync(folderId: string): Promise<IndexSummary> {
    const f = this.folder(folderId);
    f.indexing = true;
    try {
      const r = await f.index.sync({
        signal: this.syncs.signal,
        onProgress: throttle((p) => this.conn.sendNotification(Notifications.progress, { folderId, ...p })),
      });
      this.conn.sendNotification(Notifications.progress, { folderId, phase: 'done', done: r.files, total: r.files });
      return { folderId, files: r.files, chunks: r.chunks, embedded: r.embedded, skipped: r.skipped.length, model: f.index.encoder?.id ?? null };
    } finally {
      f.indexing = false;
    }
  }

  async rebuild(folderId: string): Promise<IndexSummary> {
    const f = this.folder(folderId);
    const store = f.index.storePath;
    await this.closeFolder(folderId);
    fs.rmSync(store, { recursive: true, force: true });
    await this.openFolder(f.spec);
    return this.sync(folderId);
  }

  async applyChanges(p: FileChanges): Promise<void> {
    const f = this.folder(p.folderId);
    // Watchers report every file; only what the walk would index goes in, and a file that no
    // longer qualifies (now ignored or excluded) leaves the index. An index being built under a
    // new model gets the same changes.
    const next = this.upgrade?.indexOf(p.folderId);
    for (const index of next ? [f.index, next] : [f.index]) {
      for (const r of p.renamed ?? []) {
        if (f.accepts(r.to)) await index.renameFile(r.from, r.to);
        else await index.removeFile(r.from);
      }
      for (const d of p.deleted ?? []) await index.removeFile(d);
      for (const c of p.changed ?? []) {
        if (f.accepts(c)) await index.updateFile(c);
        else await index.removeFile(c);
      }
    }
  }

  async search(p: SearchParams, token: CancellationToken): Promise<SearchResult> {
    const query = checkText(p.query, 'query');
    const k = clampK(p.k);
    const controller = new AbortController();
    const sub = token.onCancellationRequested(() => controller.abort());
    try {
      const reranker = p.rerank ? await this.reranker() : null;
      const folders = [...this.folders.values()].filter((f) => !p.folderIds || p.folderIds.includes(f.spec.id));
      // Without an embedding model every mode falls back to keywords rather than failing.
      const mode = folders.some((f) => f.index.encoder) ? p.mode : 'keyword';
      const fusion = typeof this.config?.semanticWeight === 'number' ? { semanticWeight: this.config.semanticWeight } : undefined;
      // One ranking across the folders: a folder's best hit is not first just for being a folder's best.
      const r = await NotesIndex.searchMany(
        folders.map((f) => f.index),
        query,
        { mode, k, reranker, fusion, signal: controller.signal },
      );
      // Highlights are computed here, so the editor's host never runs the tokenizer.
      const matcher = queryMatcher(query);
      const hits = r.hits.map(({ source, ...h }) => ({
        ...h,
        folderId: folders[source].spec.id,
        marks: { heading: matcher.ranges(h.heading || h.path), snippet: matcher.ranges(h.snippet) },
      }));
      return { hits, ranking: r.ranking, ...(r.notice ? { notice: r.notice } : {}) };
    } finally {
      sub.dispose();
    }
  }

  /** The cross-encoder, or null when it cannot be had (said once, as a typed state and a log line). */
  private async reranker(): Promise<CrossEncoder | null> {
    const session = this.requireSession();
    const id = session.config.crossEncoderModel;
    let state: ModelState;
    let ce: CrossEncoder | null = null;
    try {
      ce = await session.crossEncoder();
      state = { state: 'ready', id, dims: ce.labels };
    } catch (err) {
      state = stateOfFailure(id, err as Error);
    }
    const before = this.rerankState;
    if (JSON.stringify(before) !== JSON.stringify(state)) {
      this.rerankState = state;
      if (state.state === 'missing' || state.state === 'error') this.log('warn', `rerank is off: ${state.message}`);
      this.conn.sendNotification(Notifications.rerankState, state);
    }
    return ce;
  }

  async prepareModels(kinds: ModelKind[]): Promise<ModelReport> {
    this.requireSession();
    // An explicit request from the user: downloads are allowed for this call.
    // Loaded there once to fetch them into the cache; the serving session loads them from it.
    const dl = this.makeSession({ ...this.config!, allowDownloads: true });
    try {
      for (const k of kinds) {
        if (k === 'fill-mask') await dl.fillMasker();
        else if (k === 'cross-encoder') await dl.crossEncoder();
      }
    } finally {
      await dl.dispose();
    }
    if (kinds.includes('embedding') && !this.serves(this.config!)) {
      // Downloaded now, indexed in the background while the current model keeps serving.
      if (this.upgrade?.target !== this.config!.embeddingModel || this.upgrade.last.phase === 'failed') await this.chooseEmbedding(this.config!, true);
      await this.upgrade?.loaded;
    }
    return this.report(await this.embeddingState());
  }

  /** Cancels the work under way and saves and closes every index; once, however often asked. */
  shutdown(): Promise<void> {
    this.stopping ??= (async () => {
      this.syncs.abort();
      await this.cancelUpgrade();
      for (const id of [...this.folders.keys()]) await this.closeFolder(id);
      await this.session?.dispose();
    })();
    return this.stopping;
  }

  private statusOf(f: OpenFolder): FolderStatus {
    const status = f.index.status();
    return { folderId: f.spec.id, ...status, indexing: f.indexing, recommendedModel: recommendedModel(status.scripts) };
  }

  private folder(id: string): OpenFolder {
    const f = this.folders.get(id);
    if (!f) throw new ResponseError(ErrorCodes.folderUnknown, `folder ${id} is not open`);
    return f;
  }

  private requireSession(): EngineSession {
    if (!this.session) throw new ResponseError(ErrorCodes.badInput, 'the service is not configured yet');
    return this.session;
  }

  log(level: 'info' | 'warn' | 'error', message: string): void {
    this.conn.sendNotification(Notifications.log, { level, message });
  }
}

function checkText(v: unknown, what: string): string {
  // Very long input (a pasted file) is cut rather than refused: the model reads a window anyway.
  const text = checkWholeText(v, what, Infinity);
  return text.length > MAX_QUERY_CHARS ? text.slice(0, MAX_QUERY_CHARS) : text;
}

function checkWholeText(v: unknown, what: string, max: number): string {
  if (typeof v !== 'string' || !v.trim()) throw new ResponseError(ErrorCodes.badInput, `the ${what} is empty`);
  if (v.length > max) throw new ResponseError(ErrorCodes.badInput, `the ${what} is too long (${v.length} characters; at most ${max})`);
  return v;
}

function stateOfFailure(id: string, err: Error): ModelState {
  return err.name === 'ModelNotFoundError' ? { state: 'missing', id, message: err.message } : { state: 'error', id, message: err.message };
}

function checkChoice<T extends string>(choices: readonly T[], v: unknown, what: string): T {
  if (!isOneOf(choices, v)) throw new ResponseError(ErrorCodes.badInput, `the ${what} must be one of ${choices.join(', ')}, not ${JSON.stringify(v)}`);
  return v;
}

function clampK(k: unknown, max = 100): number {
  const n = Number(k);
  return Number.isInteger(n) && n > 0 ? Math.min(n, max) : 10;
}

function toResponseError(err: unknown): ResponseError<void> {
  if (err instanceof ResponseError) return err;
  const e = err as Error;
  if (e?.name === 'ModelNotFoundError') return new ResponseError(ErrorCodes.modelMissing, e.message);
  if (err instanceof FillMaskInputError) return new ResponseError(ErrorCodes.badInput, e.message);
  return new ResponseError(-32603, e?.message ?? String(err));
}

/** At most one progress notification per 100 ms (the first and last always pass). */
function throttle<T extends { done: number; total: number }>(fn: (p: T) => void): (p: T) => void {
  let last = 0;
  return (p) => {
    const now = Date.now();
    if (now - last >= 100 || p.done === p.total || p.done === 0) {
      last = now;
      fn(p);
    }
  };
}

/**
 * Releases a replaced session: its ONNX sessions now, and with one full garbage collection the
 * rest (the tokenizer's tables and buffers), which V8 otherwise kept for many switches: the
 * process sat 30-70 MiB above its level after 10 switches between two models. A switch is rare
 * and already slow, so the collection is cheap here.
 */
async function retire(session: EngineSession): Promise<void> {
  await session.dispose();
  collectGarbage();
}

let gc: (() => void) | undefined;
/** A full collection without launch flags: the service owns this need, not whoever starts it (as Jest's leak detection does). */
function collectGarbage(): void {
  if (!gc) {
    v8.setFlagsFromString('--expose-gc');
    gc = vm.runInNewContext('gc') as () => void;
    v8.setFlagsFromString('--no-expose-gc');
  }
  gc();
}
