// The status bar item: "$(sync~spin) Indexing 3% (120/3,400)" while indexing, then "$(search) 3,400
// notes" ("3,400 notes · keywords only" while no embedding model works, so nobody expects search by
// meaning), with a tooltip per folder and the model in use; a warning while the service restarts.
import * as vscode from 'vscode';
import type { FolderStatus } from '../protocol/protocol';
import type { ModelStatus } from './modelStatus';
import type { ServiceClient } from './serviceClient';
import type { WorkspaceIndex } from './workspaceIndex';

export class IndexStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('semanticNotes.status', vscode.StatusBarAlignment.Left, 10);
  private readonly disposables: vscode.Disposable[] = [];
  private folders: FolderStatus[] = [];
  private refreshing: Promise<void> | null = null;
  private tooltipText = '';

  constructor(private readonly service: ServiceClient, private readonly index: WorkspaceIndex, private readonly models: ModelStatus) {
    this.item.name = vscode.l10n.t('Semantic Notes');
    this.item.command = 'semanticNotes.showStatus';
    this.item.text = '$(search) Semantic Notes';
    this.item.show();
    this.disposables.push(
      this.item,
      index.onDidChangeActivity(() => (index.busy ? this.render() : void this.refresh())),
      index.onDidChange(() => void this.refresh()),
      service.onDidChangeState(() => this.render()),
      models.onDidChange(() => this.render()),
    );
  }

  /** What the item shows now (tests read it). */
  get text(): string {
    return this.item.text;
  }

  /** The tooltip as plain text. */
  get tooltip(): string {
    return this.tooltipText;
  }

  /** Fetches the folders' counts from the service and shows them. */
  refresh(): Promise<void> {
    this.refreshing ??= this.index
      .status()
      .then((s) => (this.folders = s), () => undefined)
      .then(() => {
        this.refreshing = null;
        this.render();
      });
    return this.refreshing;
  }

  private render(): void {
    const fmt = (n: number) => n.toLocaleString('en-US');
    const activity = this.index.activityNow;
    const files = this.folders.reduce((n, f) => n + f.files, 0);
    if (this.service.state === 'restarting') {
      this.item.text = `$(warning) ${vscode.l10n.t('Semantic Notes: restarting')}`;
      this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
    } else if (activity) {
      this.item.text = activity.total ? `$(sync~spin) ${vscode.l10n.t('Indexing {0}% ({1}/{2})', percent(activity.done, activity.total), fmt(activity.done), fmt(activity.total))}` : `$(sync~spin) ${vscode.l10n.t('Scanning notes…')}`;
      this.item.backgroundColor = undefined;
    } else {
      const count = files === 1 ? vscode.l10n.t('1 note') : vscode.l10n.t('{0} notes', fmt(files));
      const keywordsOnly = this.models.embedding !== null && !this.models.semanticReady && this.models.embedding.state !== 'loading';
      const u = this.models.upgrade;
      const preparing =
        u && (u.phase === 'download' || u.phase === 'index')
          ? ` · ${u.phase === 'download' ? vscode.l10n.t('downloading {0} {1}%', shortName(u.target), percent(u.done, u.total)) : vscode.l10n.t('indexing with {0} {1}%', shortName(u.target), percent(u.done, u.total))}`
          : '';
      this.item.text = keywordsOnly ? `$(search) ${count} · ${vscode.l10n.t('keywords only')}` : `$(search) ${count}${preparing}`;
      this.item.backgroundColor = undefined;
    }
    const lines = this.folders.map((f) => `${f.root}: ${vscode.l10n.t('{0} notes, {1} passages, {2} skipped', fmt(f.files), fmt(f.chunks), fmt(f.skipped))}`);
    const e = this.models.embedding;
    if (e) lines.push(e.state === 'ready' ? vscode.l10n.t('Model: {0} ({1} dimensions)', e.id, e.dims) : vscode.l10n.t('No embedding model ({0}): keyword search only', e.id));
    const u = this.models.upgrade;
    if (u?.phase === 'download' || u?.phase === 'index') lines.push(vscode.l10n.t('Preparing {0}: search keeps using the current model until it is ready', u.target));
    else if (u?.phase === 'failed') lines.push(vscode.l10n.t('{0} could not take over: {1}', u.target, u.message ?? ''));
    this.tooltipText = lines.join('\n');
    const md = new vscode.MarkdownString(`**${vscode.l10n.t('Semantic Notes')}**\n\n`);
    for (const l of lines) md.appendText(`${l}\n\n`);
    this.item.tooltip = md;
  }

  dispose(): void {
    this.disposables.forEach((d) => d.dispose());
  }
}

function shortName(id: string): string {
  return id.split('/').pop() ?? id;
}

/** Whole percent done, never 100 before the end (99.6% is not finished). */
export function percent(done: number, total: number): number {
  if (!(total > 0)) return 0;
  return done >= total ? 100 : Math.min(99, Math.floor((done / total) * 100));
}
