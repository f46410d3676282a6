// Models: the first-use prompt when no embedding model is found (download with progress and
// cancel, choose a models folder, or keep to keyword search), Download Models and Set Models
// Folder. Downloads happen only here, when the user asks.
import * as vscode from 'vscode';
import { Requests, type FolderStatus } from '../../protocol/protocol';
import type { ModelStatus } from '../modelStatus';
import type { ServiceClient } from '../serviceClient';
import type { WorkspaceIndex } from '../workspaceIndex';
import { SECTION } from '../settings';

type Kind = 'embedding' | 'fill-mask' | 'cross-encoder';
const KEYWORD_ONLY_KEY = 'semanticNotes.keywordOnlyFor';
const DECLINED_UPGRADE_KEY = 'semanticNotes.declinedUpgrade';

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
    const u = this.models.upgrade;
    if (u?.phase === 'failed' && u.missing && u.serving) return this.offerWanted(u.target, u.serving);
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

  /**
   * The model in the settings is not on this machine, and another (the built-in one) searches by
   * meaning meanwhile: offer to download it, once per model and session. Nothing blocks.
   */
  private async offerWanted(target: string, serving: string): Promise<void> {
    if (this.offered.has(target)) return;
    this.offered.add(target);
    const download = vscode.l10n.t('Download');
    const folder = vscode.l10n.t('Choose Folder');
    const pick = await vscode.window.showInformationMessage(
      vscode.l10n.t('The embedding model {0} is not on this machine. Search by meaning uses {1} meanwhile. Download {0}, or choose a folder that has it?', target, serving),
      download,
      folder,
    );
    if (pick === download) await this.download(['embedding']);
    else if (pick === folder) await this.chooseFolder();
  }

  /**
   * With downloads allowed and the built-in model serving, offers once the transformer that fits
   * the notes (English, or multilingual for Korean and mixed notes). It is downloaded and indexed
   * in the background; the built-in model answers until it is ready.
   */
  async offerUpgrade(folders: FolderStatus[]): Promise<void> {
    const c = vscode.workspace.getConfiguration(SECTION);
    const e = this.models.embedding;
    if (!c.get<boolean>('allowDownloads') || e?.state !== 'ready' || e.id !== c.inspect<string>('embeddingModel')?.defaultValue || this.models.upgrade) return;
    if (!folders.length || folders.some((f) => f.indexing || f.files === 0)) return;
    // The folder with the most non-Latin text decides: a multilingual model reads English too.
    const nonLatin = (f: FolderStatus) => f.scripts.hangul + f.scripts.other;
    const target = folders.reduce((a, b) => (nonLatin(b) > nonLatin(a) ? b : a)).recommendedModel;
    if (this.offered.has(`upgrade:${target}`) || this.ctx.globalState.get<string>(DECLINED_UPGRADE_KEY) === target) return;
    this.offered.add(`upgrade:${target}`);
    const yes = vscode.l10n.t('Use {0}', target.split('/').pop()!);
    const no = vscode.l10n.t('Not Now');
    const pick = await vscode.window.showInformationMessage(
      vscode.l10n.t('A stronger model fits these notes: {0}. It is downloaded once and your notes are indexed with it in the background; search keeps working meanwhile.', target),
      yes,
      no,
    );
    if (pick === yes) await c.update('embeddingModel', target, vscode.ConfigurationTarget.Global);
    else if (pick === no) await this.ctx.globalState.update(DECLINED_UPGRADE_KEY, target);
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
        this.models.setReport(r);
        if (kinds.includes('cross-encoder')) this.models.resetRerank();
        // A downloaded embedding model is indexed by the service in the background and takes over
        // when complete (the "now uses" message follows then); until then the current one answers.
        const preparing = r.upgrade && r.upgrade.phase !== 'failed' ? r.upgrade.target : null;
        void vscode.window.showInformationMessage(
          preparing
            ? vscode.l10n.t('Downloaded {0}. Your notes are being indexed with it in the background; search keeps using {1} until it is ready.', preparing, r.embedding.id)
            : vscode.l10n.t('Models ready.'),
        );
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
