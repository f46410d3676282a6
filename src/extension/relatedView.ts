// "Related Notes": the passages of other notes nearest to the paragraph under the cursor (or to
// the whole note when the cursor is before any passage), following the active editor and the
// cursor with a debounce so typing and moving never wait on it. Each row shows how related it is
// next to the best row (a bar and a word, before the path so a long path cannot hide it); the raw
// score is in the tooltip. The service returns only passages that stand out from the folder's
// typical similarity, so an empty list says so instead of showing weak rows.
import * as vscode from 'vscode';
import type { FolderHit } from '../protocol/protocol';
import { paragraphStart, type Queries } from './queries';
import { textBar, type Relevance } from './relevance';
import { relevanceOfHits, relevanceTooltip } from './relevanceText';
import { hitTitle, locate } from './results';
import type { WorkspaceIndex } from './workspaceIndex';

const DEBOUNCE_MS = 400;
const COUNT = 10;

export class RelatedNotesView implements vscode.TreeDataProvider<FolderHit>, vscode.Disposable {
  static readonly viewId = 'semanticNotes.relatedView';
  private items: FolderHit[] = [];
  private relevance = new Map<FolderHit, Relevance>();
  private timer: NodeJS.Timeout | undefined;
  private cts: vscode.CancellationTokenSource | undefined;
  private lastKey = '';
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.emitter.event;
  private readonly view: vscode.TreeView<FolderHit>;
  private readonly disposables: vscode.Disposable[] = [];
  /** A welcome view (no folder, indexing, no model) explains the empty list: a message would hide it. */
  private welcome = !vscode.workspace.workspaceFolders?.length;

  constructor(private readonly queries: Queries, index: WorkspaceIndex) {
    this.view = vscode.window.createTreeView(RelatedNotesView.viewId, { treeDataProvider: this });
    this.view.message = this.emptyMessage(vscode.l10n.t('Open a markdown note to see related passages from your other notes.'));
    this.disposables.push(
      this.view,
      this.emitter,
      vscode.window.onDidChangeActiveTextEditor(() => this.schedule()),
      vscode.window.onDidChangeTextEditorSelection((e) => e.textEditor === vscode.window.activeTextEditor && this.schedule()),
      this.view.onDidChangeVisibility((e) => e.visible && this.schedule()),
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

  get treeView(): vscode.TreeView<FolderHit> {
    return this.view;
  }

  getTreeItem(h: FolderHit): vscode.TreeItem {
    const item = new vscode.TreeItem(hitTitle(h), vscode.TreeItemCollapsibleState.None);
    const r = this.relevance.get(h) ?? { level: 1, ratio: 0 };
    // The bar alone (its word is in the tooltip): the row is narrow and the heading comes first.
    item.description = `${textBar(r.level)} ${h.path}:${h.startLine}`;
    // appendText escapes: note text in the tooltip stays text.
    item.tooltip = new vscode.MarkdownString().appendText(`${h.path}:${h.startLine} — ${relevanceTooltip(r, h.score)}\n\n${h.snippet}`);
    item.iconPath = new vscode.ThemeIcon('note');
    item.command = { command: 'semanticNotes.openResult', title: vscode.l10n.t('Open'), arguments: [h] };
    return item;
  }

  getChildren(): FolderHit[] {
    return this.items;
  }

  /** Recomputes now for the active editor and cursor (tests call it to skip the debounce). */
  async refresh(): Promise<readonly FolderHit[]> {
    clearTimeout(this.timer);
    // Hidden views do no work; they catch up when shown.
    if (!this.view.visible) return this.items;
    const editor = vscode.window.activeTextEditor;
    const doc = editor?.document;
    if (!editor || !doc) {
      // A panel (matrix, preview) in front of the notes keeps the list; no editor at all clears it.
      if (!vscode.window.visibleTextEditors.length) this.clear();
      return this.items;
    }
    if (!locate(doc.uri) || !['markdown', 'plaintext'].includes(doc.languageId)) {
      this.clear();
      return this.items;
    }
    const line = paragraphStart(doc, editor.selection.active.line);
    const key = `${doc.uri}@${doc.version}:${line}`;
    if (key === this.lastKey) return this.items;
    this.lastKey = key;
    this.cts?.cancel();
    const cts = (this.cts = new vscode.CancellationTokenSource());
    try {
      const anchor = doc.lineAt(line).text.trim() ? line : undefined;
      const items = await this.queries.relatedToDocument(doc, anchor, COUNT, cts.token);
      const relevance = relevanceOfHits(items);
      this.items = items;
      this.relevance = new Map(items.map((h, i) => [h, relevance[i]]));
      const name = vscode.workspace.asRelativePath(doc.uri, false);
      this.view.description = anchor === undefined ? name : `${name}:${line + 1}`;
      this.view.message = this.items.length ? undefined : this.emptyMessage(vscode.l10n.t('No passage stands out as related to this one.'));
      this.emitter.fire();
    } catch (err) {
      if (!(err instanceof vscode.CancellationError)) this.lastKey = '';
    }
    return this.items;
  }

  private clear(): void {
    this.cts?.cancel();
    this.lastKey = '';
    this.view.description = undefined;
    this.view.message = this.emptyMessage(vscode.l10n.t('Open a markdown note to see related passages from your other notes.'));
    if (!this.items.length) return;
    this.items = [];
    this.relevance.clear();
    this.emitter.fire();
  }

  /** Shows or hides the welcome views' place: while one applies, an empty list has no message of its own. */
  setWelcome(shown: boolean): void {
    shown ||= !vscode.workspace.workspaceFolders?.length;
    if (shown === this.welcome) return;
    this.welcome = shown;
    if (!this.items.length) {
      this.view.message = this.emptyMessage(this.lastKey ? vscode.l10n.t('No passage stands out as related to this one.') : vscode.l10n.t('Open a markdown note to see related passages from your other notes.'));
    }
  }

  private emptyMessage(text: string): string | undefined {
    return this.welcome ? undefined : text;
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), DEBOUNCE_MS);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.cts?.cancel();
    this.disposables.forEach((d) => d.dispose());
  }
}
