// "Search Notes": a quick pick whose results follow the query as it is typed (debounced), with
// buttons switching the ranking mode and the cross-encoder rerank.
import * as vscode from 'vscode';
import { Requests, type FolderHit, type SearchMode } from '../../protocol/protocol';
import { openHit } from '../results';
import type { ServiceClient } from '../serviceClient';
import { uiSettings } from '../settings';
import type { WorkspaceIndex } from '../workspaceIndex';

const MODES: SearchMode[] = ['hybrid', 'semantic', 'keyword'];

interface HitItem extends vscode.QuickPickItem {
  hit: FolderHit;
}

export function search(service: ServiceClient, params: { query: string; mode?: SearchMode; rerank?: boolean; k?: number }, token?: vscode.CancellationToken): Promise<FolderHit[]> {
  const ui = uiSettings();
  return service.request(Requests.search, { query: params.query, mode: params.mode ?? ui.defaultMode, rerank: params.rerank ?? ui.rerank, k: params.k ?? ui.resultCount }, token);
}

export function showSearchQuickPick(service: ServiceClient, index: WorkspaceIndex, initial = ''): void {
  const ui = uiSettings();
  let mode: SearchMode = ui.defaultMode;
  let rerank = ui.rerank;
  const qp = vscode.window.createQuickPick<HitItem>();
  qp.placeholder = vscode.l10n.t('Search notes by meaning or keywords');
  qp.matchOnDescription = false;
  qp.matchOnDetail = false;
  qp.value = initial;
  let timer: NodeJS.Timeout | undefined;
  let cts: vscode.CancellationTokenSource | undefined;

  const buttons = () => {
    qp.title = vscode.l10n.t('Semantic Notes — {0}{1}', modeName(mode), rerank ? vscode.l10n.t(' + rerank') : '');
    qp.buttons = [
      { iconPath: new vscode.ThemeIcon(mode === 'hybrid' ? 'layers-active' : mode === 'semantic' ? 'sparkle' : 'symbol-text'), tooltip: vscode.l10n.t('Mode: {0} (click to switch)', modeName(mode)) },
      { iconPath: new vscode.ThemeIcon(rerank ? 'pass-filled' : 'circle-large-outline'), tooltip: rerank ? vscode.l10n.t('Rerank on (click to turn off)') : vscode.l10n.t('Rerank off (click to turn on)') },
    ];
  };
  const run = () => {
    clearTimeout(timer);
    cts?.cancel();
    const query = qp.value.trim();
    if (!query) {
      qp.items = [];
      return;
    }
    timer = setTimeout(async () => {
      cts = new vscode.CancellationTokenSource();
      const token = cts.token;
      qp.busy = true;
      try {
        const hits = await search(service, { query, mode, rerank }, token);
        if (token.isCancellationRequested) return;
        // Items are labelled with the query so the quick pick's own filter keeps them all.
        qp.items = hits.map((h) => ({
          label: `$(note) ${h.heading || h.path}`,
          description: `${h.path}:${h.startLine}  ·  ${h.score.toFixed(3)}`,
          detail: h.snippet,
          alwaysShow: true,
          hit: h,
        }));
        if (hits.length === 0) qp.items = [];
      } catch (err) {
        if (!token.isCancellationRequested) qp.items = [{ label: `$(warning) ${(err as Error).message}`, alwaysShow: true, hit: undefined as never }];
      } finally {
        if (!token.isCancellationRequested) qp.busy = false;
      }
    }, 200);
  };
  buttons();
  qp.onDidChangeValue(run);
  qp.onDidTriggerButton((b) => {
    if (b === qp.buttons[0]) mode = MODES[(MODES.indexOf(mode) + 1) % MODES.length];
    else rerank = !rerank;
    buttons();
    run();
  });
  qp.onDidAccept(() => {
    const item = qp.selectedItems[0];
    if (item?.hit) void openHit(index, item.hit);
    qp.hide();
  });
  qp.onDidHide(() => {
    cts?.cancel();
    clearTimeout(timer);
    qp.dispose();
  });
  qp.show();
  if (initial) run();
}

function modeName(m: SearchMode): string {
  return m === 'hybrid' ? vscode.l10n.t('hybrid') : m === 'semantic' ? vscode.l10n.t('semantic') : vscode.l10n.t('keyword');
}
