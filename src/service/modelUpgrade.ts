// A better embedding model taking over without a gap. The model is resolved (downloaded when
// allowed), then every open folder is indexed with it in a store of its own, beside the index
// that keeps answering searches; file changes reach both meanwhile. When every folder is
// complete, one last incremental sync catches up and the service switches all folders at once.
// Until then nothing the user sees changes, except the progress this job reports.
import type { Embedder } from '../engine/embedding/encoder';
import type { NotesIndex } from '../engine/index/notesIndex';
import type { WalkOptions } from '../engine/notes/walker';
import { EngineSession, type EngineConfig } from '../engine/session';
import type { FolderSpec, UpgradeEvent } from '../protocol/protocol';

export interface UpgradeFolders {
  /** The folders open now (the set may change while the job runs). */
  list(): { spec: FolderSpec; walk: WalkOptions }[];
}

export interface UpgradeResult {
  session: EngineSession;
  encoder: Embedder;
  /** The new index of each folder, complete and caught up. */
  indexes: Map<string, NotesIndex>;
}

export class ModelUpgrade {
  private readonly controller = new AbortController();
  private readonly built = new Map<string, NotesIndex>();
  private readonly progress = new Map<string, { done: number; total: number }>();
  private resolveLoaded!: (e: Embedder) => void;
  private rejectLoaded!: (err: Error) => void;
  /** Settles when the model is loaded (after its download), or fails. */
  readonly loaded = new Promise<Embedder>((res, rej) => {
    this.resolveLoaded = res;
    this.rejectLoaded = rej;
  });
  /** The finished job, or null when it failed or was cancelled (the current model keeps serving). */
  readonly finished: Promise<UpgradeResult | null>;
  last: UpgradeEvent;

  constructor(
    readonly config: EngineConfig,
    private readonly serving: string | null,
    private readonly folders: UpgradeFolders,
    private readonly notify: (e: UpgradeEvent) => void,
  ) {
    this.loaded.catch(() => {});
    this.last = { target: config.embeddingModel, serving, phase: 'download', done: 0, total: 0 };
    this.finished = this.run();
  }

  get target(): string {
    return this.config.embeddingModel;
  }

  /** The index being built for a folder, so that file changes reach it too. */
  indexOf(folderId: string): NotesIndex | undefined {
    return this.built.get(folderId);
  }

  /** Stops the job and drops what it built; the current model stays. */
  async cancel(): Promise<void> {
    this.controller.abort();
    await this.finished.catch(() => null);
  }

  private emit(e: Omit<UpgradeEvent, 'target' | 'serving'>): void {
    this.last = { target: this.target, serving: this.serving, ...e };
    this.notify(this.last);
  }

  private async run(): Promise<UpgradeResult | null> {
    const signal = this.controller.signal;
    const session = new EngineSession({
      ...this.config,
      onDownload: (d) => {
        this.config.onDownload?.(d);
        this.emit({ phase: 'download', done: d.loaded, total: d.total });
      },
    });
    let encoder: Embedder;
    try {
      this.emit({ phase: 'download', done: 0, total: 0 });
      encoder = await session.encoder();
      signal.throwIfAborted();
      this.resolveLoaded(encoder);
    } catch (err) {
      this.rejectLoaded(err as Error);
      await session.dispose();
      if (!signal.aborted) this.emit({ phase: 'failed', done: 0, total: 0, message: (err as Error).message, missing: (err as Error).name === 'ModelNotFoundError' });
      return null;
    }
    try {
      // Folders opened while this runs are picked up by the next round.
      for (let pending = this.todo(); pending.length; pending = this.todo()) {
        for (const f of pending) {
          signal.throwIfAborted();
          const index = await session.openIndex(f.spec.root, f.spec.storeDir, { walk: f.walk });
          this.built.set(f.spec.id, index);
          await index.sync({
            signal,
            onProgress: (p) => {
              if (p.phase !== 'index') return;
              this.progress.set(f.spec.id, { done: p.done, total: p.total });
              let done = 0;
              let total = 0;
              for (const x of this.progress.values()) {
                done += x.done;
                total += x.total;
              }
              this.emit({ phase: 'index', done, total });
            },
          });
        }
      }
      // Catch up with what changed on disk while the folders were indexed (watcher changes were
      // applied to both indexes already; this covers anything the watcher missed).
      for (const index of this.built.values()) {
        signal.throwIfAborted();
        await index.sync({ signal });
      }
      signal.throwIfAborted();
      return { session, encoder, indexes: new Map(this.built) };
    } catch (err) {
      for (const index of this.built.values()) await index.close().catch(() => {});
      this.built.clear();
      await session.dispose();
      if (!signal.aborted) this.emit({ phase: 'failed', done: 0, total: 0, message: `could not index the notes with ${this.target}: ${(err as Error).message}` });
      return null;
    }
  }

  private todo(): { spec: FolderSpec; walk: WalkOptions }[] {
    return this.folders.list().filter((f) => !this.built.has(f.spec.id));
  }
}
