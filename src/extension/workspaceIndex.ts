// Keeps one index per workspace folder in step with the files: opens and syncs each folder when
// the service (re)starts, follows file events (debounced) and settings, and shows progress.
import * as crypto from 'node:crypto';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Requests, type FolderStatus, type IndexSummary, type ModelState, type ProgressEvent } from '../protocol/protocol';
import type { ServiceClient } from './serviceClient';
import { SECTION, serviceConfig } from './settings';

const NOTE_GLOB = '**/*.{md,markdown,mdx,txt}';
const DEBOUNCE_MS = 500;

export class WorkspaceIndex implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly statusItem = vscode.window.createStatusBarItem('semanticNotes.status', vscode.StatusBarAlignment.Left, 10);
  private readonly pending = new Map<string, { changed: Set<string>; deleted: Set<string>; renamed: { from: string; to: string }[] }>();
  private flushTimer: NodeJS.Timeout | undefined;
  private ready: Promise<void>;
  private markStarted: () => void = () => {};
  /** Settles once the first start() has been asked for, so whenReady() never resolves too early. */
  private readonly started: Promise<void> = new Promise((r) => (this.markStarted = r));
  private readonly progress = new Map<string, ProgressEvent>();
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when an index changed (synced or a file update applied). */
  readonly onDidChange = this.changed.event;
  embedding: ModelState | null = null;
  private firstRun = true;

  constructor(private readonly ctx: vscode.ExtensionContext, private readonly service: ServiceClient, private readonly log: vscode.LogOutputChannel) {
    this.ready = this.started;
    this.statusItem.name = 'Semantic Notes';
    this.statusItem.command = 'semanticNotes.showStatus';
    this.statusItem.text = '$(search) Semantic Notes';
    this.statusItem.show();
    this.disposables.push(
      this.statusItem,
      this.changed,
      service.onStarted(() => {
        // A restarted service has no folders open: send everything again.
        if (!this.firstRun) this.ready = this.bringUp();
      }),
      service.onProgress((e) => this.onProgress(e)),
      vscode.workspace.onDidChangeWorkspaceFolders(() => (this.ready = this.ready.then(() => this.bringUp()))),
      vscode.workspace.onDidChangeConfiguration((e) => this.onConfig(e)),
    );
    const watcher = vscode.workspace.createFileSystemWatcher(NOTE_GLOB);
    this.disposables.push(
      watcher,
      watcher.onDidCreate((u) => this.queue(u, 'changed')),
      watcher.onDidChange((u) => this.queue(u, 'changed')),
      watcher.onDidDelete((u) => this.queue(u, 'deleted')),
      vscode.workspace.onDidRenameFiles((e) => e.files.forEach((f) => this.queueRename(f.oldUri, f.newUri))),
    );
  }

  /** Configures the service and indexes every folder; resolves when the first index is done. */
  start(): Promise<void> {
    this.ready = this.bringUp();
    this.markStarted();
    return this.ready;
  }

  /** Resolves when the workspace has been indexed (after activation's first start). */
  async whenReady(): Promise<void> {
    await this.started;
    let seen: Promise<void>;
    do {
      seen = this.ready;
      await seen;
    } while (seen !== this.ready);
  }

  folderIdOf(uri: vscode.Uri): { id: string; rel: string } | null {
    const f = vscode.workspace.getWorkspaceFolder(uri);
    if (!f || uri.scheme !== 'file') return null;
    return { id: f.uri.toString(), rel: path.relative(f.uri.fsPath, uri.fsPath).split(path.sep).join('/') };
  }

  uriOf(folderId: string, rel: string): vscode.Uri | null {
    const f = vscode.workspace.workspaceFolders?.find((w) => w.uri.toString() === folderId);
    if (!f) return null;
    const uri = vscode.Uri.joinPath(f.uri, ...rel.split('/'));
    // Results never point outside their folder.
    return uri.fsPath.startsWith(f.uri.fsPath + path.sep) ? uri : null;
  }

  async status(): Promise<FolderStatus[]> {
    return this.service.request(Requests.status);
  }

  async rebuild(): Promise<void> {
    await this.ready;
    for (const f of vscode.workspace.workspaceFolders ?? []) await this.withProgress(f, (id) => this.service.request<{ folderId: string }, IndexSummary>(Requests.rebuild, { folderId: id }));
    this.changed.fire();
  }

  /** Applies queued file events now (tests and saves call it instead of waiting). */
  async flush(): Promise<void> {
    clearTimeout(this.flushTimer);
    const batches = [...this.pending.entries()];
    this.pending.clear();
    for (const [folderId, b] of batches) {
      try {
        await this.service.request(Requests.applyChanges, { folderId, changed: [...b.changed], deleted: [...b.deleted], renamed: b.renamed });
      } catch (err) {
        this.log.error(`could not update the index: ${(err as Error).message}`);
      }
    }
    if (batches.length) {
      this.changed.fire();
      void this.refreshStatus();
    }
  }

  private async bringUp(): Promise<void> {
    const first = this.firstRun;
    this.firstRun = false;
    try {
      const r = await this.service.request(Requests.configure, serviceConfig(this.ctx));
      this.embedding = r.embedding;
      if (r.embedding.state !== 'ready') this.log.warn(`embedding model: ${r.embedding.state === 'loading' ? 'loading' : r.embedding.message}`);
      for (const f of vscode.workspace.workspaceFolders ?? []) {
        if (f.uri.scheme !== 'file') continue;
        const status = await this.service.request(Requests.openFolder, { id: f.uri.toString(), root: f.uri.fsPath, storeDir: this.storeDir(f) });
        // The first full index of a folder gets a notification; later syncs are quiet.
        if (status.files === 0 && first) await this.withProgress(f, (id) => this.service.request<{ folderId: string }, IndexSummary>(Requests.sync, { folderId: id }));
        else await this.service.request(Requests.sync, { folderId: f.uri.toString() });
      }
      this.changed.fire();
    } catch (err) {
      this.log.error(`indexing failed: ${(err as Error).message}`);
      this.statusItem.text = '$(warning) Semantic Notes';
      this.statusItem.tooltip = (err as Error).message;
      return;
    }
    await this.refreshStatus();
  }

  private withProgress(f: vscode.WorkspaceFolder, run: (folderId: string) => Promise<IndexSummary>): Thenable<IndexSummary> {
    const id = f.uri.toString();
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Indexing notes in {0}', f.name), cancellable: true },
      async (progress, token) => {
        let last = 0;
        const sub = this.service.onProgress((e) => {
          if (e.folderId !== id || e.phase !== 'index' || !e.total) return;
          const pct = (e.done / e.total) * 100;
          progress.report({ increment: pct - last, message: `${e.done.toLocaleString()}/${e.total.toLocaleString()}` });
          last = pct;
        });
        token.onCancellationRequested(() => void vscode.window.showInformationMessage(vscode.l10n.t('Indexing continues in the background; search works on what is indexed so far.')));
        try {
          return await run(id);
        } finally {
          sub.dispose();
        }
      },
    );
  }

  private onProgress(e: ProgressEvent): void {
    if (e.phase === 'done') this.progress.delete(e.folderId);
    else this.progress.set(e.folderId, e);
    const active = [...this.progress.values()].filter((p) => p.phase === 'index' && p.total > 0);
    if (active.length) {
      const done = active.reduce((s, p) => s + p.done, 0);
      const total = active.reduce((s, p) => s + p.total, 0);
      this.statusItem.text = `$(sync~spin) ${vscode.l10n.t('Indexing {0}/{1}', done.toLocaleString('en-US'), total.toLocaleString('en-US'))}`;
    } else if (e.phase === 'done') void this.refreshStatus();
  }

  private async refreshStatus(): Promise<void> {
    try {
      const s = await this.status();
      const files = s.reduce((n, f) => n + f.files, 0);
      const chunks = s.reduce((n, f) => n + f.chunks, 0);
      this.statusItem.text = `$(search) ${vscode.l10n.t('{0} notes', files.toLocaleString('en-US'))}`;
      const model = this.embedding?.state === 'ready' ? this.embedding.id : vscode.l10n.t('keyword search only (no embedding model)');
      this.statusItem.tooltip = `${vscode.l10n.t('{0} notes, {1} passages', files, chunks)} — ${model}`;
    } catch {
      /* service restarting */
    }
  }

  private queue(uri: vscode.Uri, kind: 'changed' | 'deleted'): void {
    const loc = this.folderIdOf(uri);
    if (!loc) return;
    const b = this.batch(loc.id);
    if (kind === 'changed') {
      b.deleted.delete(loc.rel);
      b.changed.add(loc.rel);
    } else {
      b.changed.delete(loc.rel);
      b.deleted.add(loc.rel);
    }
    this.schedule();
  }

  private queueRename(from: vscode.Uri, to: vscode.Uri): void {
    const a = this.folderIdOf(from);
    const b = this.folderIdOf(to);
    if (a && b && a.id === b.id) {
      if (!/\.(md|markdown|mdx|txt)$/i.test(b.rel)) this.batch(a.id).deleted.add(a.rel);
      else this.batch(a.id).renamed.push({ from: a.rel, to: b.rel });
    } else {
      if (a) this.batch(a.id).deleted.add(a.rel);
      if (b) this.batch(b.id).changed.add(b.rel);
    }
    this.schedule();
  }

  private batch(id: string) {
    let b = this.pending.get(id);
    if (!b) this.pending.set(id, (b = { changed: new Set(), deleted: new Set(), renamed: [] }));
    return b;
  }

  private schedule(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = setTimeout(() => void this.flush(), DEBOUNCE_MS);
  }

  private async onConfig(e: vscode.ConfigurationChangeEvent): Promise<void> {
    if (!e.affectsConfiguration(SECTION) && !e.affectsConfiguration('files.exclude')) return;
    if (e.affectsConfiguration(`${SECTION}.embeddingModel`) || e.affectsConfiguration(`${SECTION}.pooling`)) {
      const yes = vscode.l10n.t('Re-index');
      const pick = await vscode.window.showInformationMessage(vscode.l10n.t('The embedding model changed. Re-index your notes with it now?'), yes, vscode.l10n.t('Later'));
      if (pick !== yes) return;
    }
    this.ready = this.ready.then(() => this.bringUp());
  }

  private storeDir(f: vscode.WorkspaceFolder): string {
    const key = crypto.createHash('sha256').update(f.uri.toString()).digest('hex').slice(0, 16);
    const base = this.ctx.storageUri ?? vscode.Uri.joinPath(this.ctx.globalStorageUri, 'workspaces');
    return vscode.Uri.joinPath(base, 'index', key).fsPath;
  }

  dispose(): void {
    clearTimeout(this.flushTimer);
    this.disposables.forEach((d) => d.dispose());
  }
}
