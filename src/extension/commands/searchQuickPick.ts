// "Search Notes": a quick pick whose results follow the query as it is typed (debounced ~200 ms,
// the previous request cancelled), with buttons switching the ranking mode and rerank. Each item
// shows the heading breadcrumb, how relevant it is next to the best hit (a bar and a word; the raw
// score is in the tooltip of the item's button), the file and line, and the snippet; Enter opens
// the note at the passage.
import * as vscode from 'vscode';
import { SEARCH_MODES, type FolderHit, type SearchMode } from '../../protocol/protocol';
import type { ModelStatus } from '../modelStatus';
import type { Queries } from '../queries';
import { barAndLabel, relevanceOfHits, relevanceTooltip } from '../relevanceText';
import { hitTitle } from '../results';
import { uiSettings } from '../settings';

export const MODES: readonly SearchMode[] = SEARCH_MODES;
const DEBOUNCE_MS = 200;

interface HitItem extends vscode.QuickPickItem {
  hit?: FolderHit;
}

export function modeName(m: SearchMode): string {
  return m === 'hybrid' ? vscode.l10n.t('hybrid') : m === 'semantic' ? vscode.l10n.t('semantic') : vscode.l10n.t('keyword');
}

/** The open quick pick's state, for tests. */
export interface SearchPickState {
  readonly quickPick: vscode.QuickPick<vscode.QuickPickItem>;
  mode: SearchMode;
  rerank: boolean;
  /** Settles with the hits of the latest query once they are shown. */
  settled(): Promise<FolderHit[]>;
  toggleMode(): void;
  toggleRerank(): void;
}

export function showSearchQuickPick(queries: Queries, models: ModelStatus, initial = ''): SearchPickState {
  const ui = uiSettings();
  const qp = vscode.window.createQuickPick<HitItem>();
  qp.placeholder = vscode.l10n.t('Search notes by meaning or keywords');
  qp.matchOnDescription = false;
  qp.matchOnDetail = false;
  qp.value = initial;
  let timer: NodeJS.Timeout | undefined;
  let cts: vscode.CancellationTokenSource | undefined;
  let latest: Promise<FolderHit[]> = Promise.resolve([]);
  let shown: FolderHit[] = [];

  const state: SearchPickState = {
    quickPick: qp,
    mode: ui.defaultMode,
    rerank: ui.rerank,
    settled: async () => {
      let seen: Promise<FolderHit[]>;
      do {
        seen = latest;
        await seen.catch(() => undefined);
      } while (seen !== latest);
      return shown;
    },
    toggleMode: () => {
      state.mode = MODES[(MODES.indexOf(state.mode) + 1) % MODES.length];
      refreshButtons();
      run(0);
    },
    toggleRerank: () => {
      state.rerank = !state.rerank;
      refreshButtons();
      run(0);
    },
  };

  const modeButton = (): vscode.QuickInputButton => ({
    iconPath: new vscode.ThemeIcon(state.mode === 'hybrid' ? 'layers' : state.mode === 'semantic' ? 'sparkle' : 'symbol-key'),
    tooltip: vscode.l10n.t('Mode: {0} (click to switch to {1})', modeName(state.mode), modeName(MODES[(MODES.indexOf(state.mode) + 1) % MODES.length])),
  });
  const rerankButton = (): vscode.QuickInputButton => ({
    iconPath: new vscode.ThemeIcon(state.rerank ? 'pass-filled' : 'circle-large-outline'),
    tooltip: state.rerank ? vscode.l10n.t('Rerank on (click to turn off)') : vscode.l10n.t('Rerank off (click to turn on)'),
  });
  const refreshButtons = () => {
    qp.title = vscode.l10n.t('Search Notes — {0}', modeName(state.mode)) + (state.rerank ? ` + ${vscode.l10n.t('rerank')}` : '');
    qp.buttons = [modeButton(), rerankButton()];
  };

  const run = (delay = DEBOUNCE_MS) => {
    clearTimeout(timer);
    cts?.cancel();
    cts?.dispose();
    cts = undefined;
    const query = qp.value.trim();
    if (!query) {
      qp.items = [];
      qp.busy = false;
      shown = [];
      latest = Promise.resolve([]);
      return;
    }
    const source = (cts = new vscode.CancellationTokenSource());
    latest = new Promise<FolderHit[]>((resolve) => {
      timer = setTimeout(async () => {
        qp.busy = true;
        try {
          const { hits, notice: unreadable } = await queries.searchWithNotice({ query, mode: state.mode, rerank: state.rerank }, source.token);
          if (source.token.isCancellationRequested) return resolve(shown);
          shown = hits;
          const notice = models.searchNotice(state.mode, state.rerank, !!unreadable);
          const items: HitItem[] = [];
          if (notice) items.push({ label: `$(info) ${notice}`, alwaysShow: true });
          if (!hits.length) items.push({ label: vscode.l10n.t('No results.'), alwaysShow: true });
          const relevance = relevanceOfHits(hits);
          hits.forEach((h, i) => {
            items.push({
              label: `$(note) ${hitTitle(h)}`,
              // Relevance first: a long path is cut at the end, never the bar.
              description: `${barAndLabel(relevance[i])} · ${h.path}:${h.startLine}`,
              detail: h.snippet,
              buttons: [{ iconPath: new vscode.ThemeIcon('split-horizontal'), tooltip: `${relevanceTooltip(relevance[i], h.score)} — ${vscode.l10n.t('click to open to the side')}` }],
              // The quick pick's own fuzzy filter must not hide results found by meaning.
              alwaysShow: true,
              hit: h,
            });
          });
          qp.items = items;
          if (hits.length) qp.activeItems = [items.find((i) => i.hit)!];
        } catch (err) {
          if (!(err instanceof vscode.CancellationError)) qp.items = [{ label: `$(warning) ${(err as Error).message}`, alwaysShow: true }];
        } finally {
          if (!source.token.isCancellationRequested) qp.busy = false;
          resolve(shown);
        }
      }, delay);
    });
  };

  refreshButtons();
  qp.onDidChangeValue(() => run());
  qp.onDidTriggerButton((b) => (b === qp.buttons[0] ? state.toggleMode() : state.toggleRerank()));
  // The item's button carries the raw score in its tooltip; a click opens the passage beside.
  qp.onDidTriggerItemButton((e) => e.item.hit && void queries.results.open(e.item.hit, { viewColumn: vscode.ViewColumn.Beside, preview: true }));
  qp.onDidAccept(() => {
    const hit = qp.selectedItems[0]?.hit ?? qp.activeItems[0]?.hit;
    if (!hit) return;
    qp.hide();
    void queries.results.open(hit);
  });
  qp.onDidHide(() => {
    cts?.cancel();
    clearTimeout(timer);
    qp.dispose();
  });
  qp.show();
  if (initial) run(0);
  return state;
}
