// The sidebar search view: query box, mode and rerank toggles, results with highlighted
// snippets, keyboard navigation; choosing a result opens it at its line.
import * as vscode from 'vscode';
import type { FolderHit, SearchMode } from '../../protocol/protocol';
import { search } from '../commands/searchQuickPick';
import { openHit } from '../results';
import type { ServiceClient } from '../serviceClient';
import { uiSettings } from '../settings';
import type { WorkspaceIndex } from '../workspaceIndex';
import { isMessage, isShortString, pageHtml, webviewOptions } from './html';

export class SearchViewProvider implements vscode.WebviewViewProvider {
  static readonly viewType = 'semanticNotes.searchView';
  private view: vscode.WebviewView | undefined;
  private results: FolderHit[] = [];
  private seq = 0;

  constructor(private readonly extensionUri: vscode.Uri, private readonly service: ServiceClient, private readonly index: WorkspaceIndex) {}

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    view.webview.options = webviewOptions(this.extensionUri);
    const ui = uiSettings();
    view.webview.html = pageHtml(view.webview, this.extensionUri, 'search.js', vscode.l10n.t('Search'), {
      placeholder: vscode.l10n.t('Search notes by meaning or keywords'),
      hybrid: vscode.l10n.t('hybrid'),
      semantic: vscode.l10n.t('semantic'),
      keyword: vscode.l10n.t('keyword'),
      rerank: vscode.l10n.t('Rerank'),
      none: vscode.l10n.t('No results.'),
      mode: ui.defaultMode,
      rerankOn: ui.rerank ? '1' : '',
    });
    view.webview.onDidReceiveMessage((m) => void this.onMessage(m));
  }

  /** Runs a search in the view (also used by tests). */
  async query(query: string, mode: SearchMode, rerank: boolean): Promise<FolderHit[]> {
    const seq = ++this.seq;
    try {
      const hits = await search(this.service, { query, mode, rerank });
      if (seq !== this.seq) return hits; // a newer query is on its way
      this.results = hits;
      await this.view?.webview.postMessage({ type: 'results', query, hits: hits.map(({ path, startLine, heading, score, snippet }) => ({ path, startLine, heading, score, snippet })) });
      return hits;
    } catch (err) {
      await this.view?.webview.postMessage({ type: 'error', message: (err as Error).message });
      return [];
    }
  }

  async reveal(query?: string): Promise<void> {
    await vscode.commands.executeCommand(`${SearchViewProvider.viewType}.focus`);
    if (query) await this.view?.webview.postMessage({ type: 'setQuery', query });
  }

  private async onMessage(m: unknown): Promise<void> {
    if (isMessage<{ type: 'search'; query: string; mode: SearchMode; rerank: boolean }>(m, 'search', (x) => isShortString(x.query, 10_000) && ['hybrid', 'semantic', 'keyword'].includes(x.mode as string) && typeof x.rerank === 'boolean')) {
      if (m.query.trim()) await this.query(m.query, m.mode, m.rerank);
      else await this.view?.webview.postMessage({ type: 'results', query: '', hits: [] });
    } else if (isMessage<{ type: 'open'; index: number }>(m, 'open', (x) => Number.isInteger(x.index))) {
      // The webview names a result by its position only: it can open nothing we did not send it.
      const hit = this.results[m.index];
      if (hit) await openHit(this.index, hit);
    }
  }
}
