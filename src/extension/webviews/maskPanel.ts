// "Masked Word Helper": a sentence with [MASK] (or the word under the cursor, masked for the user)
// → the model's top 5 with probability bars, each shown in the user's own sentence (their text and
// casing, never the tokenizer's lowercased re-spaced decode); choosing one replaces the word in
// the editor. The page suggests as the user types, once a whole [MASK] is there, and is never
// sent its own text back (an echo arriving mid-typing cut the input at "[MASK"). Without a
// fill-mask model (the service answers modelMissing) the panel says what to download and why, and
// its Download button runs the same download as Download Models.
import * as vscode from 'vscode';
import { ErrorCodes, Requests, type MaskCandidate } from '../../protocol/protocol';
import type { ServiceClient } from '../serviceClient';
import { PageChannel } from './channel';
import type { ShownCandidate, ToMaskPage } from './messages';
import { isIndex, isMessage, isShortString, pageHtml, webviewOptions, type RenderReport } from './html';

const MASK = '[MASK]';
const TOP = 5;
const MAX_CHARS = 2_000;
/** A word for masking: letters (any script, so Korean too), digits, inner apostrophes and hyphens. */
const WORD = /[\p{L}\p{N}](?:[\p{L}\p{N}'’-]*[\p{L}\p{N}])?/u;

/** Downloads the fill-mask model with progress (Download Models' flow); true when it is ready. */
export type DownloadFillMask = () => Promise<boolean>;

/** A candidate as the page shows it: the user's sentence with the word in place of the mask. */
export type { ShownCandidate };

interface Target {
  uri: vscode.Uri;
  range: vscode.Range;
  version: number;
  word: string;
}

export class MaskPanel implements vscode.Disposable {
  static current: MaskPanel | undefined;
  private readonly panel: vscode.WebviewPanel;
  private readonly channel: PageChannel<ToMaskPage>;
  private cts: vscode.CancellationTokenSource | undefined;
  /** Where the masked word came from, so a chosen candidate can replace it. */
  private target: Target | null = null;
  lastCandidates: MaskCandidate[] = [];
  /** The service's message while the fill-mask model is missing, else null (tests read it). */
  missingModel: string | null = null;
  /** The last text predicted (and its target): predicted again after a download. */
  private last: { text: string; target: Target | null } | null = null;
  readonly html: string;

  static show(extensionUri: vscode.Uri, service: ServiceClient, download: DownloadFillMask): MaskPanel {
    if (MaskPanel.current) MaskPanel.current.panel.reveal(undefined, true);
    else MaskPanel.current = new MaskPanel(extensionUri, service, download);
    return MaskPanel.current;
  }

  private constructor(extensionUri: vscode.Uri, private readonly service: ServiceClient, private readonly download: DownloadFillMask) {
    this.panel = vscode.window.createWebviewPanel('semanticNotes.mask', vscode.l10n.t('Masked Word Helper'), { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, { ...webviewOptions(extensionUri), retainContextWhenHidden: true });
    this.panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'icon.svg');
    this.channel = new PageChannel<ToMaskPage>(this.panel.webview, (m) => this.onMessage(m));
    this.html = this.panel.webview.html = pageHtml(this.panel.webview, extensionUri, 'mask.js', vscode.l10n.t('Masked Word Helper'), {
      placeholder: vscode.l10n.t('A sentence with [MASK] where the missing word goes'),
      predict: vscode.l10n.t('Suggest'),
      needMask: vscode.l10n.t('Put [MASK] where the missing word goes.'),
      missingTitle: vscode.l10n.t('No masked language model yet'),
      candidates: vscode.l10n.t('Words that fit the mask: Enter or a click puts one in the note'),
      missingWhy: vscode.l10n.t('Suggesting words needs a masked language model: {0} for English, {1} for Korean (about 110–170 MB, downloaded once into your user cache). Search and related notes do not need it.', 'Xenova/bert-base-uncased', 'Xenova/bert-base-multilingual-cased'),
      download: vscode.l10n.t('Download'),
      downloading: vscode.l10n.t('Downloading…'),
      downloadFailed: vscode.l10n.t('The download did not finish. Try again, or set a models folder that has the model.'),
      probability: vscode.l10n.t('probability'),
    });
    this.panel.onDidDispose(() => {
      this.cts?.cancel();
      this.channel.dispose();
      if (MaskPanel.current === this) MaskPanel.current = undefined;
    });
  }

  /** Masks the word at the cursor (or the selection) of `editor` and predicts it. */
  async fromEditor(editor: vscode.TextEditor): Promise<MaskCandidate[]> {
    const doc = editor.document;
    const sel = editor.selection;
    const range = sel.isEmpty ? doc.getWordRangeAtPosition(sel.active, WORD) : sel.isSingleLine ? sel : undefined;
    if (!range) {
      await this.channel.post({ type: 'setText', text: doc.lineAt(sel.active.line).text.slice(0, MAX_CHARS) });
      return [];
    }
    const line = doc.lineAt(range.start.line).text;
    const text = (line.slice(0, range.start.character) + MASK + line.slice(range.end.character)).slice(0, MAX_CHARS);
    const target: Target = { uri: doc.uri, range, version: doc.version, word: doc.getText(range) };
    return this.predict(text, target);
  }

  /**
   * Predicts the [MASK] of `text` (candidates replace `target` in its editor when given). Text typed
   * in the page (`fromPage`) is not sent back to it: the user may have typed on meanwhile.
   */
  async predict(text: string, target: Target | null = null, fromPage = false): Promise<MaskCandidate[]> {
    this.target = target;
    this.last = { text, target };
    this.cts?.cancel();
    const cts = (this.cts = new vscode.CancellationTokenSource());
    if (!fromPage) await this.channel.post({ type: 'setText', text });
    try {
      const lists = await this.service.request(Requests.mask, { text, k: TOP }, cts.token);
      this.lastCandidates = lists[0] ?? [];
      this.missingModel = null;
      const hint = target
        ? vscode.l10n.t('Click a word to put it in place of “{0}” in the editor.', target.word)
        : vscode.l10n.t('To replace a word in a note, run the helper with the cursor on that word.');
      await this.channel.post({ type: 'result', text, candidates: shownCandidates(text, this.lastCandidates), hint });
      return this.lastCandidates;
    } catch (err) {
      if (err instanceof vscode.CancellationError) return [];
      this.lastCandidates = [];
      if (isModelMissing(err)) {
        this.missingModel = err.message;
        await this.channel.post({ type: 'modelMissing', text, detail: err.message });
        return [];
      }
      await this.channel.post({ type: 'error', text, message: (err as Error).message });
      throw err;
    }
  }

  /** The Download button: the fill-mask model with progress, then the last sentence again. */
  async downloadAndRetry(): Promise<boolean> {
    await this.channel.post({ type: 'downloading' });
    const ok = await this.download();
    if (!ok) {
      await this.channel.post({ type: 'downloadFailed' });
      return false;
    }
    if (this.last) await this.predict(this.last.text, this.last.target).catch(() => undefined);
    return this.missingModel === null;
  }

  /** Puts candidate `i` in place of the masked word; false when there is none or the note changed. */
  /**
   * Puts candidate i in place of the masked word. Calls run one after the other: a second choice
   * made while the first edit was still being applied (a click, then Enter at once) saw the old
   * word and version, and its edit was lost.
   */
  apply(i: number): Promise<boolean> {
    const run = this.applying.then(() => this.applyNow(i));
    this.applying = run.catch(() => false);
    return run;
  }

  private applying: Promise<unknown> = Promise.resolve();

  private async applyNow(i: number): Promise<boolean> {
    const c = this.lastCandidates[i];
    const t = this.target;
    if (!c || !t) return false;
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === t.uri.toString());
    if (!doc || doc.version !== t.version || doc.getText(t.range) !== t.word) {
      void vscode.window.showWarningMessage(vscode.l10n.t('The note changed since the word was masked; mask it again.'));
      return false;
    }
    const edit = new vscode.WorkspaceEdit();
    edit.replace(t.uri, t.range, c.token);
    if (!(await vscode.workspace.applyEdit(edit))) return false;
    // The word now in place can be replaced again by another candidate.
    const range = new vscode.Range(t.range.start, t.range.start.translate(0, c.token.length));
    this.target = { uri: t.uri, range, version: doc.version, word: c.token };
    await this.channel.post({ type: 'applied', index: i, word: c.token });
    return true;
  }

  nextRender(timeoutMs?: number): Promise<RenderReport> {
    return this.channel.nextRender(timeoutMs);
  }

  private async onMessage(m: unknown): Promise<void> {
    if (isMessage<{ type: 'predict'; text: string }>(m, 'predict', (x) => isShortString(x.text, MAX_CHARS))) {
      if (!m.text.includes(MASK)) {
        await this.channel.post({ type: 'error', message: vscode.l10n.t('Put [MASK] where the missing word goes.') });
        return;
      }
      await this.predict(m.text, null, true).catch(() => undefined);
    } else if (isMessage(m, 'download')) {
      await this.downloadAndRetry();
    } else if (isMessage<{ type: 'apply'; index: number }>(m, 'apply', (x) => isIndex(x.index, this.lastCandidates.length))) {
      await this.apply(m.index);
    }
  }

  dispose(): void {
    this.panel.dispose();
  }
}

/** The service's "no such model" answer (a JSON-RPC error with our application code). */
function isModelMissing(err: unknown): err is Error {
  return err instanceof Error && (err as { code?: unknown }).code === ErrorCodes.modelMissing;
}

/** Each candidate in the user's own sentence: their text around it, the first [MASK] filled. */
export function shownCandidates(text: string, candidates: readonly MaskCandidate[]): ShownCandidate[] {
  const at = text.indexOf(MASK);
  const before = at >= 0 ? text.slice(0, at) : text;
  const after = at >= 0 ? text.slice(at + MASK.length) : '';
  return candidates.map((c) => ({ token: c.token, score: c.score, before, after }));
}
