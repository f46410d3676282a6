// The sidebar search view (a WebviewView): query box, mode and rerank toggles, results with
// highlighted snippets, keyboard navigation; choosing a result opens the note at its line. The
// page can only name a result by its position in the list it was sent, so it opens nothing else.
import * as vscode from 'vscode';
import type { FolderHit, SearchMode } from '../../protocol/protocol';
import { MODES, modeName } from '../commands/searchQuickPick';
import type { ModelStatus } from '../modelStatus';
import type { Queries } from '../queries';
import { uiSettings } from '../settings';
import { PageChannel } from './channel';
import { isIndex, isMessage, isOneOf, isShortString, pageHtml, webviewOptions, type RenderReport } from './html';

type ResultsMessage = { type: 'results'; query: string; mode: SearchMode; rerank: boolean; notice: string; hits: Pick<FolderHit, 'path' | 'startLine' | 'heading' | 'score' | 'snippet'>[] };

export class SearchViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  static readonly viewId = 'semanticNotes.searchView';
  private view: vscode.WebviewView | undefined;
  private channel: PageChannel | undefined;
  private results: FolderHit[] = [];
  private last: ResultsMessage | null = null;
  private cts: vscode.CancellationTokenSource | undefined;
  /** The page as last set (tests check its CSP). */
  html = '';

  constructor(private readonly extensionUri: vscode.Uri, private readonly queries: Queries, private readonly models: ModelStatus) {}

  resolveWebviewView(view: vscode.WebviewView): void {
    this.channel?.dispose();
    this.view = view;
    view.webview.options = webviewOptions(this.extensionUri);
    const ui = uiSettings();
    const strings: Record<string, string> = {
      placeholder: vscode.l10n.t('Search notes by meaning or keywords'),
      modeLabel: vscode.l10n.t('Mode'),
      rerank: vscode.l10n.t('Rerank'),
      none: vscode.l10n.t('No results.'),
      hint: vscode.l10n.t('↑/↓ to move, Enter to open'),
      mode: ui.defaultMode,
      rerankOn: ui.rerank ? '1' : '',
    };
    for (const m of MODES) strings[m] = modeName(m);
    const channel = (this.channel = new PageChannel(view.webview, (m) => this.onMessage(m)));
    view.webview.html = this.html = pageHtml(view.webview, this.extensionUri, 'search.js', vscode.l10n.t('Search'), strings);
    // A (re)loaded page shows the last results again.
    if (this.last) void channel.post(this.last);
    view.onDidDispose(() => {
      channel.dispose();
      if (this.view === view) this.view = this.channel = undefined;
    });
  }

  /** Runs a search and shows it in the view (the page's queries come here too; tests call it). */
  async query(query: string, mode: SearchMode, rerank: boolean): Promise<FolderHit[]> {
    this.cts?.cancel();
    const cts = (this.cts = new vscode.CancellationTokenSource());
    try {
      const hits = await this.queries.search({ query, mode, rerank }, cts.token);
      this.results = hits;
      this.last = {
        type: 'results',
        query,
        mode,
        rerank,
        notice: this.models.searchNotice(mode, rerank),
        hits: hits.map(({ path, startLine, heading, score, snippet }) => ({ path, startLine, heading, score, snippet })),
      };
      await this.channel?.post(this.last);
      return hits;
    } catch (err) {
      if (err instanceof vscode.CancellationError) return [];
      await this.channel?.post({ type: 'error', message: (err as Error).message });
      return [];
    }
  }

  /** Resolves with the page's report after its next render of results. */
  nextRender(): Promise<RenderReport> {
    if (!this.channel) return Promise.reject(new Error('the search view is not open'));
    return this.channel.nextRender();
  }

  /** Shows the view (and puts a query in it). */
  async reveal(query?: string): Promise<void> {
    await vscode.commands.executeCommand(`${SearchViewProvider.viewId}.focus`);
    if (query) await this.channel?.post({ type: 'setQuery', query });
  }

  private async onMessage(m: unknown): Promise<void> {
    if (isMessage<{ type: 'search'; query: string; mode: SearchMode; rerank: boolean }>(m, 'search', (x) => isShortString(x.query, 2_000) && isOneOf(x.mode, MODES) && typeof x.rerank === 'boolean')) {
      if (m.query.trim()) {
        await this.query(m.query.trim(), m.mode, m.rerank);
      } else {
        this.cts?.cancel();
        this.results = [];
        this.last = null;
        await this.channel?.post({ type: 'results', query: '', mode: m.mode, rerank: m.rerank, notice: '', hits: [] });
      }
    } else if (isMessage<{ type: 'open'; index: number }>(m, 'open', (x) => isIndex(x.index, this.results.length))) {
      await this.queries.results.open(this.results[m.index]);
    }
  }

  dispose(): void {
    this.cts?.cancel();
    this.channel?.dispose();
  }
}
