// What the user sees of indexing: which folders are being indexed and how far (the status bar and
// hovers read it), and the cancellable notification shown for a folder's first full index.
import * as vscode from 'vscode';
import type { ProgressEvent } from '../protocol/protocol';
import type { ServiceClient } from './serviceClient';
import { percent } from './statusBar';

export interface Activity {
  /** Files done and to do across the folders being indexed (0/0 while scanning). */
  done: number;
  total: number;
}

/** The folders being indexed now, from the requests under way and the service's progress events. */
export class IndexActivity implements vscode.Disposable {
  private readonly syncing = new Set<string>();
  private readonly progress = new Map<string, ProgressEvent>();
  private readonly emitter = new vscode.EventEmitter<void>();
  /** Indexing started, progressed or stopped. */
  readonly onDidChange = this.emitter.event;
  private readonly subs: vscode.Disposable[];

  constructor(service: ServiceClient) {
    this.subs = [
      this.emitter,
      service.onProgress((e) => {
        if (e.phase === 'done') this.progress.delete(e.folderId);
        else this.progress.set(e.folderId, e);
        this.emitter.fire();
      }),
      // A service that died mid-sync sends no 'done': forget its progress.
      service.onDidChangeState((st) => {
        if (st !== 'restarting' || !this.progress.size) return;
        this.progress.clear();
        this.emitter.fire();
      }),
    ];
  }

  /** Whether a folder is being indexed now (hovers keep off the service meanwhile). */
  get busy(): boolean {
    return this.syncing.size > 0 || [...this.progress.values()].some((p) => p.phase !== 'done');
  }

  /** Progress over the folders being indexed, or null when none is. */
  get now(): Activity | null {
    if (!this.busy) return null;
    let done = 0;
    let total = 0;
    for (const p of this.progress.values()) {
      if (p.phase === 'index') {
        done += p.done;
        total += p.total;
      }
    }
    return { done, total };
  }

  /** A sync or rebuild of a folder starts. */
  begin(folderId: string): void {
    this.syncing.add(folderId);
    this.emitter.fire();
  }

  /** It ended: a failed sync sends no 'done' (a cancelled one that goes on sends more progress). */
  end(folderId: string): void {
    this.syncing.delete(folderId);
    this.progress.delete(folderId);
    this.emitter.fire();
  }

  /** A folder left the workspace. */
  forget(folderId: string): void {
    this.progress.delete(folderId);
  }

  dispose(): void {
    this.subs.forEach((d) => d.dispose());
  }
}

/** Runs `run` under a cancellable notification showing the folder's indexing progress. */
export function withIndexProgress<T>(service: ServiceClient, folderId: string, title: string, run: (token: vscode.CancellationToken) => Promise<T>): Thenable<T> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
    let last = 0;
    const sub = service.onProgress((e) => {
      if (e.folderId !== folderId || e.phase !== 'index' || !e.total) return;
      const pct = (e.done / e.total) * 100;
      progress.report({ increment: pct - last, message: vscode.l10n.t('{0}% — {1} of {2} notes', percent(e.done, e.total), e.done.toLocaleString(), e.total.toLocaleString()) });
      last = pct;
    });
    try {
      return await run(token);
    } finally {
      sub.dispose();
    }
  });
}
