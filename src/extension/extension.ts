// Activation wires the thin client: the service supervisor, the workspace index, commands,
// views and the hover. Nothing heavy is imported here; the service starts after startup.
import * as vscode from 'vscode';
import { Requests, type FolderHit, type Metric, type Pooling, type SearchMode } from '../protocol/protocol';
import { search, showSearchQuickPick } from './commands/searchQuickPick';
import { RelatedHoverProvider } from './hover';
import { RelatedNotesProvider } from './relatedView';
import { openHit } from './results';
import { ServiceClient } from './serviceClient';
import { SECTION } from './settings';
import { MaskPanel } from './webviews/maskPanel';
import { MatrixPanel } from './webviews/matrixPanel';
import { SearchViewProvider } from './webviews/searchView';
import { WorkspaceIndex } from './workspaceIndex';

/** What activate() returns: used by the integration tests, and by other extensions if they wish. */
export interface SemanticNotesApi {
  service: ServiceClient;
  index: WorkspaceIndex;
  related: RelatedNotesProvider;
  searchView: SearchViewProvider;
  activatedInMs: number;
}

export function activate(ctx: vscode.ExtensionContext): SemanticNotesApi {
  const t0 = Date.now();
  const log = vscode.window.createOutputChannel('Semantic Notes', { log: true });
  const service = new ServiceClient(ctx.extensionPath, log);
  const index = new WorkspaceIndex(ctx, service, log);
  const related = new RelatedNotesProvider(service, index);
  const searchView = new SearchViewProvider(ctx.extensionUri, service, index);
  ctx.subscriptions.push(log, index, related, { dispose: () => void service.dispose() });

  const cmd = (id: string, fn: (...args: never[]) => unknown) => ctx.subscriptions.push(vscode.commands.registerCommand(`semanticNotes.${id}`, fn));

  cmd('search', async (args?: { query: string; mode?: SearchMode; rerank?: boolean; k?: number; interactive?: boolean }) => {
    if (args?.query && !args.interactive) return search(service, args);
    showSearchQuickPick(service, index, args?.query ?? '');
  });
  cmd('openResult', (h: Pick<FolderHit, 'folderId' | 'path' | 'startLine' | 'endLine'>) => {
    if (h && typeof h.folderId === 'string' && typeof h.path === 'string' && Number.isInteger(h.startLine)) return openHit(index, h);
  });
  cmd('findSimilar', async (text?: string) => {
    const editor = vscode.window.activeTextEditor;
    const query = text ?? (editor && !editor.selection.isEmpty ? editor.document.getText(editor.selection) : undefined);
    if (!query?.trim()) {
      void vscode.window.showInformationMessage(vscode.l10n.t('Select some text first.'));
      return [];
    }
    const hits = await service.request(Requests.relatedText, { text: query, k: 20 });
    if (text === undefined) {
      const pick = await vscode.window.showQuickPick(
        hits.map((h) => ({ label: h.heading || h.path, description: `${h.path}:${h.startLine} · ${h.score.toFixed(3)}`, detail: h.snippet, h })),
        { title: vscode.l10n.t('Notes similar to the selection'), matchOnDetail: true },
      );
      if (pick) await openHit(index, pick.h);
    }
    return hits;
  });
  cmd('compareSentences', async (a?: string, b?: string) => {
    let texts: string[] | undefined = a !== undefined && b !== undefined ? [a, b] : undefined;
    const editor = vscode.window.activeTextEditor;
    if (!texts && editor && editor.selections.length === 2 && editor.selections.every((s) => !s.isEmpty)) texts = editor.selections.map((s) => editor.document.getText(s));
    if (!texts) {
      const first = await vscode.window.showInputBox({ title: vscode.l10n.t('Compare Sentences (1/2)'), prompt: vscode.l10n.t('First sentence') });
      if (!first) return;
      const second = await vscode.window.showInputBox({ title: vscode.l10n.t('Compare Sentences (2/2)'), prompt: vscode.l10n.t('Second sentence') });
      if (!second) return;
      texts = [first, second];
    }
    const [cos, euc] = await Promise.all((['cosine', 'euclidean'] as Metric[]).map((metric) => service.request(Requests.similarity, { texts: texts!, metric })));
    const result = { cosine: cos.matrix[0][1], euclidean: euc.matrix[0][1], model: cos.model, pooling: cos.pooling };
    if (a === undefined) void vscode.window.showInformationMessage(vscode.l10n.t('Cosine similarity {0}, euclidean distance {1} ({2}, {3} pooling)', result.cosine.toFixed(4), result.euclidean.toFixed(4), result.model, result.pooling));
    return result;
  });
  cmd('similarityMatrix', async (texts?: string[], pooling?: Pooling, metric?: Metric) => {
    const editor = vscode.window.activeTextEditor;
    const lines = texts ?? (editor && !editor.selection.isEmpty ? editor.document.getText(editor.selection).split('\n').map((s) => s.trim()).filter(Boolean) : undefined);
    const panel = MatrixPanel.show(ctx.extensionUri, service, texts ? undefined : lines);
    if (texts) return panel.compute(texts, pooling ?? 'mean', metric ?? 'cosine');
  });
  cmd('maskedWord', async (text?: string) => {
    const panel = MaskPanel.show(ctx.extensionUri, service);
    if (text !== undefined) return panel.predict(text);
    const editor = vscode.window.activeTextEditor;
    if (editor) return panel.fromEditor(editor).catch(() => []);
  });
  cmd('applyMaskCandidate', (i: number) => MaskPanel.current?.apply(i));
  cmd('rebuildIndex', () => index.rebuild());
  cmd('showStatus', async () => {
    const s = await index.status();
    const lines = s.map((f) => `${f.root}: ${f.files} notes, ${f.chunks} passages, ${f.vectors} vectors, ${f.skipped} skipped, ${(f.storeBytes / 1e6).toFixed(1)} MB — ${f.model ?? vscode.l10n.t('keyword search only')}`);
    log.info(lines.join('\n'));
    void vscode.window.showInformationMessage(lines.join(' | ') || vscode.l10n.t('No folder is indexed.'));
    return s;
  });
  cmd('showCoverage', async () => {
    const out: string[] = [`# ${vscode.l10n.t('Semantic Notes coverage')}`, ''];
    for (const f of vscode.workspace.workspaceFolders ?? []) {
      const c = await service.request(Requests.coverage, { folderId: f.uri.toString() });
      out.push(`## ${f.name}`, '', vscode.l10n.t('{0} notes indexed, {1} skipped.', c.indexed, c.skipped.length), '');
      if (c.skipped.length) out.push(`| ${vscode.l10n.t('file')} | ${vscode.l10n.t('reason')} |`, '| --- | --- |', ...c.skipped.map((s) => `| ${s.path.replace(/\|/g, '\\|')} | ${s.reason}${s.detail ? ` (${s.detail})` : ''} |`), '');
    }
    const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: out.join('\n') });
    await vscode.window.showTextDocument(doc, { preview: true });
    return out.join('\n');
  });
  cmd('showLog', () => log.show());
  cmd('downloadModels', () => downloadModels(service, index, log));
  cmd('setModelsFolder', async () => {
    const pick = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: vscode.l10n.t('Use as models folder') });
    if (pick?.[0]) await vscode.workspace.getConfiguration(SECTION).update('modelsDirectory', pick[0].fsPath, vscode.ConfigurationTarget.Global);
  });
  cmd('focusSearch', () => searchView.reveal());

  ctx.subscriptions.push(
    vscode.window.registerWebviewViewProvider(SearchViewProvider.viewType, searchView, { webviewOptions: { retainContextWhenHidden: true } }),
    vscode.window.registerTreeDataProvider(RelatedNotesProvider.viewType, related),
    vscode.languages.registerHoverProvider({ language: 'markdown', scheme: 'file' }, new RelatedHoverProvider(service, index)),
  );

  // Start the service once the window is up; activation itself stays cheap.
  setTimeout(() => {
    void index.start().then(() => {
      if (index.embedding?.state === 'missing') void offerModels(service, index, log);
    });
  }, 0);
  const api: SemanticNotesApi = { service, index, related, searchView, activatedInMs: Date.now() - t0 };
  log.info(`activated in ${api.activatedInMs} ms`);
  return api;
}

async function offerModels(service: ServiceClient, index: WorkspaceIndex, log: vscode.LogOutputChannel): Promise<void> {
  const download = vscode.l10n.t('Download');
  const folder = vscode.l10n.t('Choose Models Folder');
  const pick = await vscode.window.showInformationMessage(
    vscode.l10n.t('Semantic Notes has no local embedding model ({0}). Keyword search works now; download the model (about 23 MB) for search by meaning?', index.embedding?.id ?? ''),
    download,
    folder,
    vscode.l10n.t('Keyword Search Only'),
  );
  if (pick === download) await downloadModels(service, index, log);
  else if (pick === folder) await vscode.commands.executeCommand('semanticNotes.setModelsFolder');
}

async function downloadModels(service: ServiceClient, index: WorkspaceIndex, log: vscode.LogOutputChannel): Promise<void> {
  await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Downloading models'), cancellable: true }, async (progress, token) => {
    const sub = service.onDownload((e) => progress.report({ message: `${e.model}: ${e.file} ${e.total ? `${Math.round((e.loaded / e.total) * 100)}%` : ''}` }));
    try {
      const r = await service.request(Requests.prepareModels, { kinds: ['embedding', 'fill-mask'] }, token);
      index.embedding = r.embedding;
      await index.start();
    } catch (err) {
      if (!token.isCancellationRequested) {
        log.error((err as Error).message);
        void vscode.window.showErrorMessage(vscode.l10n.t('Model download failed: {0}', (err as Error).message));
      }
    } finally {
      sub.dispose();
    }
  });
}

export function deactivate(): void {
  /* disposables stop the service */
}
