// Activation wires the thin client: the service supervisor, the workspace index, the watcher,
// commands, views and the hover. Nothing heavy is imported (only vscode-jsonrpc and the protocol;
// never the engine), and the service is started only once activation has returned.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SearchMode } from '../protocol/protocol';
import { CoverageReport, registerReportProvider, showStatus } from './commands/indexCommands';
import { ModelCommands } from './commands/models';
import { MODES, showSearchQuickPick, type SearchPickState } from './commands/searchQuickPick';
import { ToolCommands } from './commands/tools';
import { NoteWatcher } from './fileWatcher';
import { serviceConfig } from './settings';
import { RelatedHoverProvider } from './hover';
import { ModelStatus } from './modelStatus';
import { Queries } from './queries';
import { RelatedNotesView } from './relatedView';
import { Results } from './results';
import { ServiceClient } from './serviceClient';
import { IndexStatusBar } from './statusBar';
import { MaskPanel } from './webviews/maskPanel';
import { FirstRun } from './welcome';
import { MatrixPanel } from './webviews/matrixPanel';
import { SearchViewProvider } from './webviews/searchView';
import { WorkspaceIndex } from './workspaceIndex';

/** What activate() returns: the integration tests drive and observe the extension through it. */
export interface SemanticNotesApi {
  service: ServiceClient;
  index: WorkspaceIndex;
  watcher: NoteWatcher;
  models: ModelStatus;
  queries: Queries;
  statusBar: IndexStatusBar;
  related: RelatedNotesView;
  searchView: SearchViewProvider;
  hover: RelatedHoverProvider;
  coverage: CoverageReport;
  /** The walkthrough opened on first activation, and the welcome views' context keys. */
  firstRun: FirstRun;
  /** The Search Notes quick pick last opened (until it closes). */
  readonly searchPick: SearchPickState | undefined;
  readonly matrixPanel: MatrixPanel | undefined;
  readonly maskPanel: MaskPanel | undefined;
  /** How long activate() took, and when it started (Date.now()). */
  activatedInMs: number;
  activatedAt: number;
}

let client: ServiceClient | undefined;

export function activate(ctx: vscode.ExtensionContext): SemanticNotesApi {
  const activatedAt = Date.now();
  const t0 = performance.now();
  const log = vscode.window.createOutputChannel('Semantic Notes', { log: true });
  const service = (client = new ServiceClient(path.join(ctx.extensionPath, 'dist', 'service.js'), log));
  const models = new ModelStatus(service);
  const index = new WorkspaceIndex(ctx, service, models, log);
  const watcher = new NoteWatcher(
    (changes, resync) => index.applyChanges(changes, resync),
    () => {
      const c = serviceConfig(ctx);
      return { include: c.include, exclude: c.exclude };
    },
  );
  const results = new Results();
  const queries = new Queries(service, results);
  const statusBar = new IndexStatusBar(service, index, models);
  const related = new RelatedNotesView(queries, index);
  const searchView = new SearchViewProvider(ctx.extensionUri, queries, models);
  const hover = new RelatedHoverProvider(service, index, queries);
  const coverage = new CoverageReport(index);
  const modelCommands = new ModelCommands(ctx, service, index, models, log);
  const tools = new ToolCommands(ctx.extensionUri, service, queries, () => modelCommands.download(['fill-mask']));
  const firstRun = new FirstRun(ctx, index, models, (shown) => related.setWelcome(shown));
  let searchPick: SearchPickState | undefined;

  ctx.subscriptions.push(log, service, models, index, watcher, statusBar, related, searchView, hover, coverage, firstRun);
  ctx.subscriptions.push(
    vscode.window.registerWebviewViewProvider(SearchViewProvider.viewId, searchView, { webviewOptions: { retainContextWhenHidden: true } }),
    vscode.languages.registerHoverProvider([{ language: 'markdown', scheme: 'file' }], hover),
    registerReportProvider(coverage),
  );

  const command = (id: string, fn: (...args: unknown[]) => unknown) => ctx.subscriptions.push(vscode.commands.registerCommand(`semanticNotes.${id}`, fn));
  command('search', async (args) => {
    const a = (typeof args === 'object' && args !== null ? args : {}) as Record<string, unknown>;
    const query = typeof a.query === 'string' ? a.query : undefined;
    // With a query (and not asked to be interactive) the command returns the hits: scripts and tests use it.
    if (query && a.interactive !== true) {
      return queries.search({
        query,
        mode: MODES.includes(a.mode as SearchMode) ? (a.mode as SearchMode) : undefined,
        rerank: typeof a.rerank === 'boolean' ? a.rerank : undefined,
        k: Number.isInteger(a.k) ? (a.k as number) : undefined,
      });
    }
    const editor = vscode.window.activeTextEditor;
    const selected = editor && !editor.selection.isEmpty && editor.selection.isSingleLine ? editor.document.getText(editor.selection) : '';
    const pick = (searchPick = showSearchQuickPick(queries, models, query ?? selected));
    pick.quickPick.onDidHide(() => searchPick === pick && (searchPick = undefined));
    return undefined;
  });
  command('openResult', (hit) => results.open(hit));
  command('findSimilar', (text) => tools.findSimilar(text));
  command('compareSentences', (a, b) => tools.compare(a, b));
  command('similarityMatrix', (texts, pooling, metric) => tools.matrix(texts, pooling, metric));
  command('maskedWord', (text) => tools.mask(text));
  command('applyMaskCandidate', (i) => tools.applyMaskCandidate(i));
  command('rebuildIndex', () => index.rebuild());
  command('showStatus', () => showStatus(index, log));
  command('showCoverage', () => coverage.show());
  command('showLog', () => log.show());
  command('downloadModels', () => modelCommands.downloadCommand());
  command('setModelsFolder', () => modelCommands.chooseFolder());
  command('focusSearch', () => searchView.reveal());
  command('refreshRelated', () => related.refresh());

  // A better model finished indexing in the background and now answers: say so once.
  ctx.subscriptions.push(
    service.onUpgrade((e) => {
      if (e.phase === 'done') void vscode.window.showInformationMessage(vscode.l10n.t('Search now uses {0}.', e.target));
    }),
  );

  // The walkthrough, once per machine, when the editor has settled.
  setTimeout(() => void firstRun.openWalkthroughOnce(), 0);

  // The service starts after activation has returned; the first-use prompt follows the first index
  // (and any later switch to a model that is not there).
  setTimeout(() => {
    void index.start().then(
      () =>
        index.whenReady().then(() => {
          void modelCommands.offerIfMissing();
          ctx.subscriptions.push(models.onDidChange(() => void modelCommands.offerIfMissing()));
          void index.status().then((folders) => modelCommands.offerUpgrade(folders), () => undefined);
        }),
      (err) => log.error(`could not start the service: ${(err as Error).message}`),
    );
  }, 0);

  const api: SemanticNotesApi = {
    service,
    index,
    watcher,
    models,
    queries,
    statusBar,
    related,
    searchView,
    hover,
    coverage,
    firstRun,
    get searchPick() {
      return searchPick;
    },
    get matrixPanel() {
      return MatrixPanel.current;
    },
    get maskPanel() {
      return MaskPanel.current;
    },
    activatedInMs: Math.round((performance.now() - t0) * 10) / 10,
    activatedAt,
  };
  log.info(`activated in ${api.activatedInMs} ms`);
  return api;
}

export async function deactivate(): Promise<void> {
  // Let the service save its index and exit before the extension host goes.
  await client?.stop();
  client = undefined;
}

