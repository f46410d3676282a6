// One place that owns the models and the open indexes, for both the CLI and the background
// service: models are resolved and loaded once, lazily, and share one scheduler so a fill-mask
// or rerank request never runs a model pass concurrently with indexing. The session owns the
// ONNX sessions it loads: dispose() (or reconfigure(), for the fill-mask and rerank models)
// releases them, since a replaced model is otherwise kept in native memory.
import { Encoder, type Embedder } from './embedding/encoder';
import { RoutedEncoder } from './embedding/routedEncoder';
import { ModelScheduler } from './embedding/scheduler';
import { similarityMatrix } from './embedding/similarity';
import { NotesIndex, type Logger } from './index/notesIndex';
import { FillMasker, fillMaskModelFor, type FillMaskCandidate } from './mlm/fillMask';
import { CATALOG, DEFAULT_MODELS, routesOf } from './models/catalog';
import { loadModel } from './models/load';
import { resolveModel } from './models/resolve';
import { CrossEncoder } from './rerank/crossEncoder';
import type { WalkOptions } from './notes/walker';
import type { Metric, Pooling } from './types';

export interface EngineConfig {
  /** Local models folder (transformers.js layout): CLI --models-dir, env SEMANTIC_NOTES_MODELS, or a setting. */
  modelsDir?: string;
  cacheDir?: string;
  allowDownloads?: boolean;
  remoteHost?: string;
  embeddingModel: string;
  /** The English default (or empty) means: chosen per sentence by its script (fillMaskModelFor). */
  fillMaskModel: string;
  crossEncoderModel: string;
  /** Overrides the embedding model's own pooling. */
  pooling?: Pooling;
  log?: Logger;
  onDownload?: (e: { model: string; file: string; loaded: number; total: number; status: string }) => void;
}

/** Bundled with the product: static-ko for Hangul, static-en-v2 for the rest (catalog routes). */
export const DEFAULT_EMBEDDING_MODEL = DEFAULT_MODELS.embedding;
export const DEFAULT_FILL_MASK_MODEL = DEFAULT_MODELS.fillMask;
export const DEFAULT_CROSS_ENCODER_MODEL = DEFAULT_MODELS.crossEncoder;

type Kind = 'embedding' | 'fill-mask' | 'cross-encoder';

type OnnxModel = Awaited<ReturnType<typeof loadModel>>['model'];

export class EngineSession {
  readonly scheduler = new ModelScheduler();
  private readonly loading = new Map<string, Promise<unknown>>();
  /** The ONNX models loaded so far, by the key of the load that made them (kind:id). */
  private readonly loaded = new Map<string, OnnxModel>();
  private disposed = false;
  private lastEncoderError = '';
  private cfg: EngineConfig;

  constructor(config: EngineConfig) {
    this.cfg = config;
  }

  get config(): EngineConfig {
    return this.cfg;
  }

  /**
   * Takes new settings that keep the embedding model (same id and pooling): its loaded encoder
   * stays, the fill-mask and cross-encoder models are released and load again on next use (from
   * the new sources or under new ids).
   */
  async reconfigure(next: EngineConfig): Promise<void> {
    if (next.embeddingModel !== this.cfg.embeddingModel || next.pooling !== this.cfg.pooling) throw new Error('reconfigure keeps the embedding model; open a new session for another one');
    this.cfg = next;
    await this.release((key) => key.startsWith('fill-mask:') || key.startsWith('cross-encoder:'));
  }

  /**
   * Releases every ONNX session this engine session loaded, after the model passes already
   * queued. Nothing may use it (or an index opened with it) afterwards.
   */
  async dispose(): Promise<void> {
    this.disposed = true;
    await this.release(() => true);
  }

  /** Number of ONNX models held now (what dispose would release). */
  get loadedModels(): number {
    return this.loaded.size;
  }

  private async release(which: (key: string) => boolean): Promise<void> {
    const keys = [...this.loading.keys()].filter(which);
    const pending = keys.map((k) => this.loading.get(k)!.catch(() => undefined));
    for (const k of keys) this.loading.delete(k);
    await Promise.all(pending);
    const models = [...this.loaded].filter(([k]) => which(k));
    for (const [k] of models) this.loaded.delete(k);
    if (!models.length) return;
    await this.scheduler.schedule('background', async () => {
      for (const [, m] of models) await m.dispose().catch((err: Error) => this.cfg.log?.('warn', `could not release a model: ${err.message}`));
    });
  }

  /**
   * The embedding model, loaded on first use: one model, or a routed pair (catalog routes) whose
   * parts are resolved and loaded like any model. Rejects with a clear error when it cannot be had.
   */
  encoder(): Promise<Embedder> {
    const id = this.config.embeddingModel;
    const routes = routesOf(id);
    if (!routes) return this.singleEncoder(id);
    return this.memo(`routed:${id}`, async () => {
      const [hangul, other] = await Promise.all([this.singleEncoder(routes.hangul), this.singleEncoder(routes.other)]);
      const { kind: _k, routes: _r, ...own } = CATALOG[id];
      return new RoutedEncoder({ id, hangul, other, profile: own });
    });
  }

  private singleEncoder(id: string): Promise<Encoder> {
    return this.once('embedding', id, async (m) => {
      const profile = this.config.pooling ? { ...m.profile, pooling: this.config.pooling } : m.profile;
      // A pooling override changes the vectors, so it is part of the store key.
      const fingerprint = this.config.pooling ? `${m.fingerprint}|pooling=${this.config.pooling}` : m.fingerprint;
      const enc = new Encoder({ ...m, profile, fingerprint }, this.scheduler);
      if (!enc.dims) await enc.embed(['dimension probe']);
      return enc;
    });
  }

  /**
   * Whether the embedding model (each part of a routed one) is already on this machine — models
   * folder, cache or bundled — so that it can serve without a download. Reads no weights.
   */
  async embeddingAtHand(): Promise<boolean> {
    const id = this.config.embeddingModel;
    const routes = routesOf(id);
    const ids = routes ? [routes.hangul, routes.other] : [id];
    try {
      for (const part of ids) await resolveModel(part, { modelsDir: this.config.modelsDir, cacheDir: this.config.cacheDir, allowDownload: false });
      return true;
    } catch {
      return false;
    }
  }

  /** The embedding model, or null (logged once) when it is missing: keyword search still works. */
  async tryEncoder(): Promise<Embedder | null> {
    try {
      return await this.encoder();
    } catch (err) {
      // Every folder (re)open asks again; the user needs the reason once, not once per folder.
      const message = (err as Error).message;
      if (message !== this.lastEncoderError) this.config.log?.('warn', message);
      this.lastEncoderError = message;
      return null;
    }
  }

  /** The masked-LM for a sentence (by its script unless the user chose one), loaded on first use. */
  fillMasker(text = ''): Promise<FillMasker> {
    return this.once('fill-mask', fillMaskModelFor(text, this.config.fillMaskModel), async (m) => new FillMasker(m, this.scheduler));
  }

  crossEncoder(): Promise<CrossEncoder> {
    return this.once('cross-encoder', this.config.crossEncoderModel, async (m) => new CrossEncoder(m, this.scheduler));
  }

  async similarity(texts: string[], metric: Metric, pooling?: Pooling): Promise<{ matrix: number[][]; pooling: Pooling; model: string }> {
    if (texts.length === 0) throw new Error('give at least one text');
    const enc = await this.encoder();
    const p = pooling ?? enc.profile.pooling;
    const vectors = await enc.embed(texts, { pooling: p, priority: 'interactive' });
    return { matrix: similarityMatrix(vectors, metric), pooling: p, model: enc.id };
  }

  async mask(text: string, k: number): Promise<FillMaskCandidate[][]> {
    return (await this.fillMasker(text)).predict(text, k);
  }

  /** Opens the index of a notes folder with the embedding model when there is one. */
  async openIndex(root: string, storeDir: string, opts: { walk?: WalkOptions; readOnly?: boolean; keywordOnly?: boolean } = {}): Promise<NotesIndex> {
    const encoder = opts.keywordOnly ? null : await this.tryEncoder();
    return NotesIndex.open({ root, storeDir, encoder, walk: opts.walk, readOnly: opts.readOnly, log: this.config.log });
  }

  private once<T>(kind: Kind, id: string, make: (m: Awaited<ReturnType<typeof loadModel>>) => Promise<T>): Promise<T> {
    const key = `${kind}:${id}`;
    return this.memo(key, async () => {
      if (this.disposed) throw new Error('the engine session was closed');
      const location = await resolveModel(id, {
        modelsDir: this.config.modelsDir,
        cacheDir: this.config.cacheDir,
        allowDownload: this.config.allowDownloads ?? false,
        remoteHost: this.config.remoteHost,
        onProgress: (e) => this.config.onDownload?.({ model: id, ...e }),
      });
      const m = await loadModel(location, kind);
      if (this.disposed) {
        await m.model.dispose();
        throw new Error('the engine session was closed');
      }
      this.loaded.set(key, m.model);
      return make(m);
    });
  }

  private memo<T>(key: string, make: () => Promise<T>): Promise<T> {
    let p = this.loading.get(key) as Promise<T> | undefined;
    if (!p) {
      p = make();
      this.loading.set(key, p);
      // A failed load is not cached: the user may fix the folder or allow downloads and retry.
      const mine = p;
      p.catch(() => this.loading.get(key) === mine && this.loading.delete(key));
    }
    return p;
  }
}
