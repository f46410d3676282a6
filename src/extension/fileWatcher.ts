// Follows note files on disk: create/change/delete from a FileSystemWatcher and renames from the
// workspace, gathered per folder and sent as one applyChanges batch after a quiet ~500 ms.
// Which files are notes is noteFiles.ts's call, the same module the service's walk asks: events
// in folders the walk skips (node_modules, ignored or excluded folders) are dropped here before
// any file access, so an `npm install` costs no stat and no resync.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { NOTE_GLOB, NoteFilter, hasNoteExtension, type NoteFileRules } from '../engine/notes/noteFiles';
import type { FileChanges } from '../protocol/protocol';
import { locate } from './results';

const isNote = (p: string) => hasNoteExtension(p);
const DEBOUNCE_MS = 500;
/** Watcher events come in bursts: .gitignore files read for one serve the rest of the burst. */
const GITIGNORE_CACHE_MS = 2000;
/** A storm that never pauses (a sync tool, a build writing notes) still flushes this often. */
const MAX_WAIT_MS = 3000;

interface Batch {
  changed: Set<string>;
  deleted: Set<string>;
  renamed: { from: string; to: string }[];
}

export class NoteWatcher implements vscode.Disposable {
  private readonly pending = new Map<string, Batch>();
  /** Folders where a whole directory moved: an incremental sync finds its notes (vectors reused). */
  private readonly resync = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  /** When the oldest event of the pending batch arrived. */
  private firstPendingAt = 0;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly flushed = new vscode.EventEmitter<{ changes: FileChanges[]; resync: string[] }>();
  /** After a batch was applied to the index. */
  readonly onDidFlush = this.flushed.event;

  /** Per workspace folder; made again after a settings change. */
  private readonly filters = new Map<string, NoteFilter>();

  /** `rules` gives the current file rules (include, exclude), as sent to the service. */
  constructor(
    private readonly apply: (changes: FileChanges[], resync: string[]) => Promise<void>,
    private readonly rules: () => NoteFileRules = () => ({}),
    private readonly debounceMs = DEBOUNCE_MS,
  ) {
    const watcher = vscode.workspace.createFileSystemWatcher(NOTE_GLOB);
    // A folder deleted or moved in reports the folder only, not the notes in it: those events
    // (any path that is not a note) make the folder sync, which finds what is gone or new.
    const folders = vscode.workspace.createFileSystemWatcher('**/*', false, true, false);
    this.disposables.push(
      this.flushed,
      watcher,
      watcher.onDidCreate((u) => this.queue(u, 'changed')),
      watcher.onDidChange((u) => this.queue(u, 'changed')),
      watcher.onDidDelete((u) => this.queue(u, 'deleted')),
      folders,
      folders.onDidCreate((u) => !isNote(u.path) && this.resyncIfFolder(u)),
      folders.onDidDelete((u) => !isNote(u.path) && this.queueResync(u)),
      vscode.workspace.onDidRenameFiles((e) => e.files.forEach((f) => this.queueRename(f.oldUri, f.newUri))),
      vscode.workspace.onDidChangeConfiguration(() => this.filters.clear()),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.filters.clear()),
    );
  }

  /** Sends what is queued now instead of after the debounce (tests and rebuilds call it). */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.firstPendingAt = 0;
    const batches = [...this.pending].map(([folderId, b]): FileChanges => {
      // The watcher also reports a rename as a delete and a create: the rename covers both.
      const moved = new Set(b.renamed.flatMap((r) => [r.from, r.to]));
      return { folderId, changed: [...b.changed].filter((p) => !moved.has(p)), deleted: [...b.deleted].filter((p) => !moved.has(p)), renamed: b.renamed };
    });
    const resync = [...this.resync];
    this.pending.clear();
    this.resync.clear();
    if (!batches.length && !resync.length) return;
    await this.apply(batches, resync);
    this.flushed.fire({ changes: batches, resync });
  }

  private queue(uri: vscode.Uri, kind: 'changed' | 'deleted'): void {
    const loc = locate(uri);
    if (!loc) return;
    const filter = this.filterOf(loc.folderId);
    // A note that is not (or no longer) in the index is the service's to drop; skipped folders never reach it.
    if (kind === 'changed' ? !filter.accepts(loc.rel) : !filter.walksDir(path.posix.dirname(loc.rel))) return;
    const b = this.batch(loc.folderId);
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
    const a = locate(from);
    const b = locate(to);
    const fromNote = isNote(from.path);
    const toNote = isNote(to.path);
    if (a && b && a.folderId === b.folderId && fromNote && toNote) {
      // Same folder: the service moves the passages and keeps their vectors.
      const batch = this.batch(a.folderId);
      batch.changed.delete(b.rel);
      batch.deleted.delete(a.rel);
      batch.renamed.push({ from: a.rel, to: b.rel });
    } else if (!fromNote && !toNote) {
      // Maybe a folder of notes moved: then an incremental sync finds them under the new name.
      if (a) this.queueResync(from);
      this.resyncIfFolder(to);
      return;
    } else {
      if (a && fromNote) this.batch(a.folderId).deleted.add(a.rel);
      if (b && toNote) this.batch(b.folderId).changed.add(b.rel);
    }
    this.schedule();
  }

  private queueResync(uri: vscode.Uri): void {
    const loc = this.walkedFolder(uri);
    if (!loc) return;
    this.resync.add(loc.folderId);
    this.schedule();
  }

  private resyncIfFolder(uri: vscode.Uri): void {
    const loc = this.walkedFolder(uri);
    // Once a folder resyncs, nothing else created there needs a look before the batch goes.
    if (!loc || this.resync.has(loc.folderId)) return;
    void vscode.workspace.fs.stat(uri).then(
      (s) => s.type & vscode.FileType.Directory && this.queueResync(uri),
      () => undefined,
    );
  }

  /**
   * The folder and path of something created or deleted where the walk goes; null when the walk
   * skips it (excluded, ignored, node_modules) or it is a dot folder (.git, .vscode: no notes).
   */
  private walkedFolder(uri: vscode.Uri): { folderId: string; rel: string } | null {
    const loc = locate(uri);
    if (!loc) return null;
    const filter = this.filterOf(loc.folderId);
    if (path.posix.basename(loc.rel) === '.gitignore') filter.forget();
    if (loc.rel.split('/').some((p) => p.startsWith('.'))) return null;
    return filter.walksDir(loc.rel) ? loc : null;
  }

  private filterOf(folderId: string): NoteFilter {
    let filter = this.filters.get(folderId);
    if (!filter) {
      filter = new NoteFilter(vscode.Uri.parse(folderId).fsPath, this.rules(), { gitignoreCacheMs: GITIGNORE_CACHE_MS });
      this.filters.set(folderId, filter);
    }
    return filter;
  }

  private batch(folderId: string): Batch {
    let b = this.pending.get(folderId);
    if (!b) this.pending.set(folderId, (b = { changed: new Set(), deleted: new Set(), renamed: [] }));
    return b;
  }

  private schedule(): void {
    clearTimeout(this.timer);
    const now = Date.now();
    if (!this.firstPendingAt) this.firstPendingAt = now;
    const wait = Math.max(0, Math.min(this.debounceMs, this.firstPendingAt + MAX_WAIT_MS - now));
    this.timer = setTimeout(() => void this.flush(), wait);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.disposables.forEach((d) => d.dispose());
  }
}
