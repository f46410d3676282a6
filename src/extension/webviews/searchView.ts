// The sidebar search view (a WebviewView): query box, mode and rerank toggles, results with
// highlighted snippets (whole words, marked by the service: see engine/search/highlight.ts), relevance bars relative to
// the best hit (relevance.ts), keyboard navigation; choosing a result opens the note at its line.
// The page can only name a result by its position in the list it was sent, so it opens nothing else.
import * as vscode from 'vscode';
import type { FolderHit, SearchMode } from '../../protocol/protocol';
import { MODES, modeName } from '../commands/searchQuickPick';
import type { Range } from '../../engine/search/highlight';
import type { ModelStatus } from '../modelStatus';
import type { Queries } from '../queries';
import { levelLabel, relevanceOfHits, relevanceTooltip } from '../relevanceText';
import { uiSettings } from '../settings';
import { PageChannel } from './channel';
import type { ShownHit, ToSearchPage } from './messages';
import { isIndex, isMessage, isOneOf, isShortString, pageHtml, webviewOptions, type RenderReport } from './html';

type ResultsMessage = Extract<ToSearchPage, { type: 'results' }>;
export type { ShownHit };

export class SearchViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  static readonly viewId = 'semanticNotes.searchView';
  private view: vscode.WebviewView | undefined;
  private channel: PageChannel<ToSearchPage> | undefined;
  private results: FolderHit[] = [];
  private last: ResultsMessage | null = null;
  private cts: vscode.CancellationTokenSource | undefined;
  /** The page as last set (tests check its CSP). */
  html = '';
  /** nextRender() calls made while no page was open: they wait for the next page's render. */
  private pendingRenders: ((c: PageChannel<ToSearchPage>) => void)[] = [];

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
      relevance: vscode.l10n.t('Relevance next to the best result'),
      mode: ui.defaultMode,
      rerankOn: ui.rerank ? '1' : '',
    };
    for (const m of MODES) strings[m] = modeName(m);
    const channel = (this.channel = new PageChannel<ToSearchPage>(view.webview, (m) => this.onMessage(m)));
    const pending = this.pendingRenders;
    this.pendingRenders = [];
    pending.forEach((p) => p(channel));
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
      const { hits, notice } = await this.queries.searchWithNotice({ query, mode, rerank }, cts.token);
      this.results = hits;
      this.last = {
        type: 'results',
        query,
        mode,
        rerank,
        notice: this.models.searchNotice(mode, rerank, !!notice),
        hits: shownHits(hits),
      };
      await this.channel?.post(this.last);
      return hits;
    } catch (err) {
      if (err instanceof vscode.CancellationError) return [];
      await this.channel?.post({ type: 'error', message: (err as Error).message });
      return [];
    }
  }

  /**
   * Resolves with the page's report after its next render of results. Asked before the view is
   * open, it waits for the page that opens next (a rejection nobody awaited yet was logged by the
   * host as an unhandled promise); it fails only on the render timeout.
   */
  nextRender(timeoutMs = 10_000): Promise<RenderReport> {
    if (this.channel) return this.channel.nextRender(timeoutMs);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pendingRenders = this.pendingRenders.filter((p) => p !== waiter);
        reject(new Error('the search view did not open and render in time'));
      }, timeoutMs);
      const waiter = (c: PageChannel<ToSearchPage>) => {
        clearTimeout(timer);
        c.nextRender(timeoutMs).then(resolve, reject);
      };
      this.pendingRenders.push(waiter);
    });
  }

  /** The query and hits the view shows now (tests check what a typed query brought). */
  get shown(): { query: string; hits: readonly FolderHit[] } | null {
    return this.last ? { query: this.last.query, hits: this.results } : null;
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

/** What the page is sent for each hit: no raw score in sight, only in the tooltip. */
export function shownHits(hits: readonly FolderHit[]): ShownHit[] {
  const relevance = relevanceOfHits(hits);
  return hits.map((h, i) => {
    const heading = h.heading || h.path;
    return {
      path: h.path,
      startLine: h.startLine,
      heading,
      snippet: h.snippet,
      level: relevance[i].level,
      label: levelLabel(relevance[i].level),
      tip: relevanceTooltip(relevance[i], h.score),
      // Marked by the service (engine/search/highlight.ts): no tokenizer runs in the editor.
      headingMarks: h.marks?.heading ?? [],
      snippetMarks: h.marks?.snippet ?? [],
    };
  });
}
