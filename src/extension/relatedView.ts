// "Related Notes": passages of other notes nearest to the paragraph under the cursor (or the
// whole note), following the active editor with a debounce so typing never waits on it.
import * as vscode from 'vscode';
import { Requests, type FolderHit } from '../protocol/protocol';
import type { ServiceClient } from './serviceClient';
import type { WorkspaceIndex } from './workspaceIndex';

export class RelatedNotesProvider implements vscode.TreeDataProvider<FolderHit>, vscode.Disposable {
  static readonly viewType = 'semanticNotes.relatedView';
  private items: FolderHit[] = [];
  private timer: NodeJS.Timeout | undefined;
  private cts: vscode.CancellationTokenSource | undefined;
  private lastKey = '';
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.emitter.event;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly service: ServiceClient, private readonly index: WorkspaceIndex) {
    this.disposables.push(
      this.emitter,
      vscode.window.onDidChangeActiveTextEditor(() => this.schedule()),
      vscode.window.onDidChangeTextEditorSelection((e) => e.textEditor === vscode.window.activeTextEditor && this.schedule()),
      index.onDidChange(() => {
        this.lastKey = '';
        this.schedule();
      }),
    );
    this.schedule();
  }

  get current(): readonly FolderHit[] {
    return this.items;
  }

  getTreeItem(h: FolderHit): vscode.TreeItem {
    const item = new vscode.TreeItem(h.heading || h.path, vscode.TreeItemCollapsibleState.None);
    item.description = `${h.path}:${h.startLine} · ${h.score.toFixed(2)}`;
    item.tooltip = new vscode.MarkdownString().appendText(h.snippet);
    item.iconPath = new vscode.ThemeIcon('note');
    item.command = { command: 'semanticNotes.openResult', title: 'Open', arguments: [h] };
    return item;
  }

  getChildren(): FolderHit[] {
    return this.items;
  }

  /** Recomputes now for the active editor (tests call it to skip the debounce). */
  async refresh(): Promise<readonly FolderHit[]> {
    const editor = vscode.window.activeTextEditor;
    const loc = editor ? this.index.folderIdOf(editor.document.uri) : null;
    if (!editor || !loc || editor.document.languageId !== 'markdown') return this.items;
    const line = editor.selection.active.line + 1;
    const key = `${editor.document.uri}@${editor.document.version}:${line}`;
    if (key === this.lastKey) return this.items;
    this.lastKey = key;
    this.cts?.cancel();
    this.cts = new vscode.CancellationTokenSource();
    try {
      this.items = await this.service.request(Requests.related, { folderId: loc.id, path: loc.rel, line, k: 10 }, this.cts.token);
      this.emitter.fire();
    } catch {
      /* cancelled, or the note is not indexed yet */
    }
    return this.items;
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), 400);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.cts?.cancel();
    this.disposables.forEach((d) => d.dispose());
  }
}
