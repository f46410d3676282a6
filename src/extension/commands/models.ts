// Models: the first-use prompt when no embedding model is found (download with progress and
// cancel, choose a models folder, or keep to keyword search), Download Models and Set Models
// Folder. Downloads happen only here, when the user asks.
import * as vscode from 'vscode';
import { Requests } from '../../protocol/protocol';
import type { ModelStatus } from '../modelStatus';
import type { ServiceClient } from '../serviceClient';
import type { WorkspaceIndex } from '../workspaceIndex';
import { SECTION } from '../settings';

type Kind = 'embedding' | 'fill-mask' | 'cross-encoder';
const KEYWORD_ONLY_KEY = 'semanticNotes.keywordOnlyFor';

export class ModelCommands {
  constructor(private readonly ctx: vscode.ExtensionContext, private readonly service: ServiceClient, private readonly index: WorkspaceIndex, private readonly models: ModelStatus, private readonly log: vscode.LogOutputChannel) {}

  /** Models already offered this session (one prompt per model, not one per restart or sync). */
  private readonly offered = new Set<string>();

  /**
   * Asks what to do when the embedding model is missing (at start, or after the setting changed):
   * once per model and session, never again for a model the user chose keyword search for.
   * Keyword search works meanwhile.
   */
  async offerIfMissing(): Promise<void> {
    const e = this.models.embedding;
    if (e?.state !== 'missing' || this.offered.has(e.id) || this.ctx.globalState.get<string>(KEYWORD_ONLY_KEY) === e.id) return;
    this.offered.add(e.id);
    // Short labels: a notification has room for three buttons of about 12 characters each.
    const download = vscode.l10n.t('Download');
    const folder = vscode.l10n.t('Choose Folder');
    const keywordOnly = vscode.l10n.t('Keywords Only');
    const pick = await vscode.window.showInformationMessage(
      vscode.l10n.t('Semantic Notes found no local copy of the embedding model {0}. Keyword search works now. Download the model to search by meaning, or choose a folder that has it?', e.id),
      download,
      folder,
      keywordOnly,
    );
    if (pick === download) await this.download(['embedding']);
    else if (pick === folder) await this.chooseFolder();
    else if (pick === keywordOnly) await this.ctx.globalState.update(KEYWORD_ONLY_KEY, e.id);
  }

  /** Download Models: pick which, then download with progress; the user can cancel. */
  async downloadCommand(): Promise<boolean> {
    const c = vscode.workspace.getConfiguration(SECTION);
    const items: (vscode.QuickPickItem & { model: Kind })[] = [
      { model: 'embedding', label: vscode.l10n.t('Embedding model'), description: c.get<string>('embeddingModel'), detail: vscode.l10n.t('Search by meaning, related notes, similarity'), picked: true },
      { model: 'fill-mask', label: vscode.l10n.t('Fill-mask model'), description: c.get<string>('fillMaskModel'), detail: vscode.l10n.t('Masked Word Helper') },
      { model: 'cross-encoder', label: vscode.l10n.t('Cross-encoder'), description: c.get<string>('crossEncoderModel'), detail: vscode.l10n.t('Rerank search results') },
    ];
    const picked = await vscode.window.showQuickPick(items, { canPickMany: true, title: vscode.l10n.t('Download Models'), placeHolder: vscode.l10n.t('Models to download from the Hugging Face hub') });
    if (!picked?.length) return false;
    return this.download(picked.map((p) => p.model));
  }

  async download(kinds: Kind[]): Promise<boolean> {
    return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Downloading models'), cancellable: true }, async (progress, token) => {
      let last = 0;
      const sub = this.service.onDownload((e) => {
        const pct = e.total ? Math.floor((e.loaded / e.total) * 100) : 0;
        progress.report({ message: `${e.model} · ${e.file}${e.total ? ` ${pct}%` : ''}`, increment: e.total ? Math.max(0, (pct - last) / kinds.length) : undefined });
        last = e.total && pct < 100 ? pct : 0;
      });
      try {
        const r = await this.service.request(Requests.prepareModels, { kinds }, token);
        this.models.setEmbedding(r.embedding);
        if (kinds.includes('cross-encoder')) this.models.resetRerank();
        if (kinds.includes('embedding')) void this.index.reindexWithNewModel();
        void vscode.window.showInformationMessage(kinds.includes('embedding') ? vscode.l10n.t('Models ready. Notes are indexed with {0}.', r.embedding.id) : vscode.l10n.t('Models ready.'));
        return true;
      } catch (err) {
        if (err instanceof vscode.CancellationError) {
          this.log.info('model download cancelled');
          return false;
        }
        this.log.error(`model download failed: ${(err as Error).message}`);
        const folder = vscode.l10n.t('Choose Models Folder');
        const pick = await vscode.window.showErrorMessage(vscode.l10n.t('Model download failed: {0}', (err as Error).message), folder);
        if (pick === folder) await this.chooseFolder();
        return false;
      } finally {
        sub.dispose();
      }
    });
  }

  /** Set Models Folder: a folder of models in transformers.js layout (user setting, machine scope). */
  async chooseFolder(): Promise<string | undefined> {
    const pick = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, canSelectMany: false, openLabel: vscode.l10n.t('Use as Models Folder'), title: vscode.l10n.t('Folder with models (<org>/<name>/config.json, onnx/model.onnx)') });
    const dir = pick?.[0]?.fsPath;
    if (dir) await vscode.workspace.getConfiguration(SECTION).update('modelsDirectory', dir, vscode.ConfigurationTarget.Global);
    return dir;
  }
}
