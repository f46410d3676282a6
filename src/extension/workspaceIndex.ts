// The lifecycle of one index per workspace folder: the service is configured and every folder
// opened before anything else reaches a (re)started service; then the folders are synced
// (incrementally), and file events, folder changes and setting changes are applied, one step at a
// time. What the user sees of indexing is indexProgress.ts; what a settings change needs is the
// service's (settingsEffects.ts) and settingsPolicy.ts's.
import * as crypto from 'node:crypto';
import * as vscode from 'vscode';
import { Requests, type FileChanges, type FolderSpec, type FolderStatus, type IndexSummary, type SkippedFile } from '../protocol/protocol';
import { IndexActivity, withIndexProgress, type Activity } from './indexProgress';
import type { ModelStatus } from './modelStatus';
import type { Send, ServiceClient } from './serviceClient';
import { affectsService, serviceConfig } from './settings';
import { clientStepFor } from './settingsPolicy';

export type { Activity } from './indexProgress';

export class WorkspaceIndex implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  /** Index work runs one step at a time, in order (syncs, file changes, settings, rebuilds). */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly activity: IndexActivity;
  /** Folders whose store was empty when first opened this session: their first sync is announced. */
  private readonly neverIndexed = new Set<string>();
  /** Folders whose full index was announced this session (a restart does not announce it again). */
  private readonly announced = new Set<string>();
  private markFirstSync: () => void = () => {};
  private readonly firstSync = new Promise<void>((r) => (this.markFirstSync = r));
  private readonly changed = new vscode.EventEmitter<void>();
  /** The content of an index changed (sync, file changes, rebuild), or its ranking (settings). */
  readonly onDidChange = this.changed.event;
  /** Indexing started, progressed or stopped. */
  readonly onDidChangeActivity: vscode.Event<void>;

  constructor(private readonly ctx: vscode.ExtensionContext, private readonly service: ServiceClient, private readonly models: ModelStatus, private readonly log: vscode.LogOutputChannel) {
    service.setInitializer((send) => this.initialize(send));
    this.activity = new IndexActivity(service);
    this.onDidChangeActivity = this.activity.onDidChange;
    this.disposables.push(
      this.changed,
      this.activity,
      // A (re)started service has its folders open (initialize): bring them up to date.
      service.onDidStart(() => {
        void this.enqueue(async () => {
          await this.syncAll(true);
          this.markFirstSync();
        });
      }),
      vscode.workspace.onDidChangeWorkspaceFolders((e) => void this.onFolders(e)),
      vscode.workspace.onDidChangeConfiguration((e) => void this.onConfig(e)),
      // Trust lets the walk follow links inside the folders (Restricted Mode follows none).
      vscode.workspace.onDidGrantWorkspaceTrust(() => void this.onTrust()),
    );
  }

  /** Starts the service; the folders are indexed once it is up. */
  start(): Promise<void> {
    return this.service.start();
  }

  /** Resolves once the first sync of every folder has finished (or failed) and nothing is queued. */
  async whenReady(): Promise<void> {
    await this.firstSync;
    let seen: Promise<unknown>;
    do {
      seen = this.queue;
      await seen;
    } while (seen !== this.queue);
  }

  /** Whether a folder is being indexed now (hovers keep off the service meanwhile). */
  get busy(): boolean {
    return this.activity.busy;
  }

  /** Progress over the folders being indexed, or null when none is. */
  get activityNow(): Activity | null {
    return this.activity.now;
  }

  folders(): vscode.WorkspaceFolder[] {
    return (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file');
  }

  status(): Promise<FolderStatus[]> {
    return this.service.request(Requests.status);
  }

  coverage(folderId: string): Promise<{ indexed: number; skipped: SkippedFile[] }> {
    return this.service.request(Requests.coverage, { folderId });
  }

  /** Deletes and rebuilds every folder's index, with a progress notification each. */
  rebuild(): Promise<IndexSummary[]> {
    return this.enqueue(async () => {
      const out: IndexSummary[] = [];
      for (const f of this.folders()) {
        const s = await this.tracked(f, true, vscode.l10n.t('Rebuilding the index of {0}', f.name), (token) => this.service.request(Requests.rebuild, { folderId: f.uri.toString() }, token));
        if (s) out.push(s);
      }
      this.changed.fire();
      return out;
    });
  }

  /** Applies file events (from the watcher) and syncs folders where a directory moved. */
  applyChanges(changes: FileChanges[], resync: string[] = []): Promise<void> {
    return this.enqueue(async () => {
      for (const c of changes) {
        try {
          await this.service.request(Requests.applyChanges, c);
        } catch (err) {
          this.log.error(`could not update the index of ${c.folderId}: ${(err as Error).message}`);
        }
      }
      for (const id of resync) {
        const f = this.folders().find((w) => w.uri.toString() === id);
        if (f) await this.tracked(f, false, '', (token) => this.service.request(Requests.sync, { folderId: id }, token));
      }
      this.changed.fire();
    });
  }

  /** Runs on every service start, before any other request: configure, then open each folder. */
  private async initialize(send: Send): Promise<void> {
    const r = await send(Requests.configure, serviceConfig(this.ctx));
    this.models.setReport(r);
    if (r.embedding.state !== 'ready') this.log.warn(`embedding model ${r.embedding.id}: ${r.embedding.state === 'loading' ? 'loading' : r.embedding.message}`);
    for (const f of this.folders()) {
      try {
        const s = await send(Requests.openFolder, this.specOf(f));
        if (s.files === 0) this.neverIndexed.add(s.folderId);
      } catch (err) {
        this.log.error(`could not open the index of ${f.uri.fsPath}: ${(err as Error).message}`);
      }
    }
  }

  private async syncAll(announceFirst: boolean): Promise<void> {
    for (const f of this.folders()) {
      const id = f.uri.toString();
      const announce = this.neverIndexed.delete(id) && announceFirst && !this.announced.has(id);
      if (announce) this.announced.add(id);
      await this.tracked(f, announce, vscode.l10n.t('Indexing notes in {0}', f.name), (token) => this.service.request(Requests.sync, { folderId: id }, token));
    }
    this.changed.fire();
  }

  /** Runs a sync or rebuild of one folder, marked busy, optionally as a cancellable notification. */
  private async tracked(f: vscode.WorkspaceFolder, notify: boolean, title: string, run: (token?: vscode.CancellationToken) => Promise<IndexSummary>): Promise<IndexSummary | null> {
    const id = f.uri.toString();
    this.activity.begin(id);
    try {
      const s = notify ? await withIndexProgress(this.service, id, title, run) : await run();
      this.log.info(`${f.name}: ${s.files} notes, ${s.chunks} passages (${s.embedded} embedded now), ${s.skipped} skipped, model ${s.model ?? 'none (keyword search only)'}`);
      return s;
    } catch (err) {
      if (err instanceof vscode.CancellationError) {
        this.log.info(`${f.name}: indexing cancelled by the user`);
        void vscode.window.showInformationMessage(vscode.l10n.t('Indexing of {0} cancelled. The notes indexed so far are searchable; the rest are indexed on the next start or with Rebuild Index.', f.name));
      } else {
        this.log.error(`${f.name}: indexing failed: ${(err as Error).message}`);
      }
      return null;
    } finally {
      this.activity.end(id);
    }
  }

  private async onFolders(e: vscode.WorkspaceFoldersChangeEvent): Promise<void> {
    await this.enqueue(async () => {
      for (const f of e.removed) {
        this.activity.forget(f.uri.toString());
        await this.service.request(Requests.closeFolder, { folderId: f.uri.toString() }).catch((err) => this.log.warn(`closing ${f.name}: ${(err as Error).message}`));
      }
      for (const f of e.added) {
        if (f.uri.scheme !== 'file') continue;
        try {
          const s = await this.service.request(Requests.openFolder, this.specOf(f));
          await this.tracked(f, s.files === 0, vscode.l10n.t('Indexing notes in {0}', f.name), (token) => this.service.request(Requests.sync, { folderId: s.folderId }, token));
        } catch (err) {
          this.log.error(`could not open the index of ${f.uri.fsPath}: ${(err as Error).message}`);
        }
      }
      this.changed.fire();
    });
  }

  private async onConfig(e: vscode.ConfigurationChangeEvent): Promise<void> {
    if (!affectsService(e)) return;
    if (e.affectsConfiguration('semanticNotes.crossEncoderModel') || e.affectsConfiguration('semanticNotes.modelsDirectory')) this.models.resetRerank();
    await this.enqueue(async () => {
      let effect;
      try {
        // The service does what the change needs (settingsEffects.ts) and says what that was: a
        // new embedding model is prepared beside the current one and takes over when complete.
        const sentAt = this.models.eventCount;
        const r = await this.service.request(Requests.configure, serviceConfig(this.ctx));
        this.models.setReport(r, sentAt);
        effect = r.effect ?? 'nothing';
      } catch (err) {
        this.log.error(`could not apply the settings: ${(err as Error).message}`);
        return;
      }
      const upgrading = this.models.upgrade?.phase === 'download' || this.models.upgrade?.phase === 'index';
      const step = clientStepFor(effect, upgrading);
      if (step === 'sync') await this.syncAll(false);
      // Same index, other ranking: views showing results search again.
      else if (step === 'refresh') this.changed.fire();
    });
  }

  private async onTrust(): Promise<void> {
    await this.enqueue(async () => {
      try {
        this.models.setReport(await this.service.request(Requests.configure, serviceConfig(this.ctx)));
      } catch (err) {
        this.log.error(`could not apply workspace trust: ${(err as Error).message}`);
        return;
      }
      await this.syncAll(false);
    });
  }

  private enqueue<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch((err) => this.log.error(String((err as Error)?.stack ?? err)));
    return run;
  }

  private specOf(f: vscode.WorkspaceFolder): FolderSpec {
    const id = f.uri.toString();
    const key = hash(id);
    // Workspace storage when there is a workspace; otherwise global storage, keyed by the folder.
    const base = this.ctx.storageUri ?? vscode.Uri.joinPath(this.ctx.globalStorageUri, 'folders', key);
    return { id, root: f.uri.fsPath, storeDir: vscode.Uri.joinPath(base, 'index', key).fsPath };
  }

  dispose(): void {
    this.disposables.forEach((d) => d.dispose());
  }
}

function hash(s: string): string {
  return crypto.createHash('sha256').update(s).digest('hex').slice(0, 16);
}
