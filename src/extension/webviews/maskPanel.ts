// "Masked Word Helper": a sentence with [MASK] (or the word under the cursor, masked for the user)
// → the model's top 5 with probability bars; choosing one replaces the word in the editor.
import * as vscode from 'vscode';
import { Requests, type MaskCandidate } from '../../protocol/protocol';
import type { ServiceClient } from '../serviceClient';
import { PageChannel } from './channel';
import { isIndex, isMessage, isShortString, pageHtml, webviewOptions, type RenderReport } from './html';

const MASK = '[MASK]';
const TOP = 5;
const MAX_CHARS = 2_000;
/** A word for masking: letters (any script, so Korean too), digits, inner apostrophes and hyphens. */
const WORD = /[\p{L}\p{N}](?:[\p{L}\p{N}'’-]*[\p{L}\p{N}])?/u;

interface Target {
  uri: vscode.Uri;
  range: vscode.Range;
  version: number;
  word: string;
}

export class MaskPanel implements vscode.Disposable {
  static current: MaskPanel | undefined;
  private readonly panel: vscode.WebviewPanel;
  private readonly channel: PageChannel;
  private cts: vscode.CancellationTokenSource | undefined;
  /** Where the masked word came from, so a chosen candidate can replace it. */
  private target: Target | null = null;
  lastCandidates: MaskCandidate[] = [];
  readonly html: string;

  static show(extensionUri: vscode.Uri, service: ServiceClient): MaskPanel {
    if (MaskPanel.current) MaskPanel.current.panel.reveal(undefined, true);
    else MaskPanel.current = new MaskPanel(extensionUri, service);
    return MaskPanel.current;
  }

  private constructor(extensionUri: vscode.Uri, private readonly service: ServiceClient) {
    this.panel = vscode.window.createWebviewPanel('semanticNotes.mask', vscode.l10n.t('Masked Word Helper'), { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, { ...webviewOptions(extensionUri), retainContextWhenHidden: true });
    this.panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'icon.svg');
    this.channel = new PageChannel(this.panel.webview, (m) => this.onMessage(m));
    this.html = this.panel.webview.html = pageHtml(this.panel.webview, extensionUri, 'mask.js', vscode.l10n.t('Masked Word Helper'), {
      placeholder: vscode.l10n.t('A sentence with [MASK] where the missing word goes'),
      predict: vscode.l10n.t('Suggest'),
      needMask: vscode.l10n.t('Put [MASK] where the missing word goes.'),
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

  /** Predicts the [MASK] of `text` (candidates replace `target` in its editor when given). */
  async predict(text: string, target: Target | null = null): Promise<MaskCandidate[]> {
    this.target = target;
    this.cts?.cancel();
    const cts = (this.cts = new vscode.CancellationTokenSource());
    await this.channel.post({ type: 'setText', text });
    try {
      const lists = await this.service.request(Requests.mask, { text, k: TOP }, cts.token);
      this.lastCandidates = lists[0] ?? [];
      const hint = target
        ? vscode.l10n.t('Click a word to put it in place of “{0}” in the editor.', target.word)
        : vscode.l10n.t('To replace a word in a note, run the helper with the cursor on that word.');
      await this.channel.post({ type: 'result', candidates: this.lastCandidates, hint });
      return this.lastCandidates;
    } catch (err) {
      if (err instanceof vscode.CancellationError) return [];
      this.lastCandidates = [];
      await this.channel.post({ type: 'error', message: (err as Error).message });
      throw err;
    }
  }

  /** Puts candidate `i` in place of the masked word; false when there is none or the note changed. */
  async apply(i: number): Promise<boolean> {
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

  nextRender(): Promise<RenderReport> {
    return this.channel.nextRender();
  }

  private async onMessage(m: unknown): Promise<void> {
    if (isMessage<{ type: 'predict'; text: string }>(m, 'predict', (x) => isShortString(x.text, MAX_CHARS))) {
      if (!m.text.includes(MASK)) {
        await this.channel.post({ type: 'error', message: vscode.l10n.t('Put [MASK] where the missing word goes.') });
        return;
      }
      await this.predict(m.text).catch(() => undefined);
    } else if (isMessage<{ type: 'apply'; index: number }>(m, 'apply', (x) => isIndex(x.index, this.lastCandidates.length))) {
      await this.apply(m.index);
    }
  }

  dispose(): void {
    this.panel.dispose();
  }
}
