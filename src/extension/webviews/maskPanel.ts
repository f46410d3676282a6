// "Masked Word Helper": a sentence with [MASK] (or the word under the cursor, masked for the
// user) → the model's top 5 with probabilities; choosing one replaces the word in the editor.
import * as vscode from 'vscode';
import { Requests, type MaskCandidate } from '../../protocol/protocol';
import type { ServiceClient } from '../serviceClient';
import { isMessage, isShortString, pageHtml, webviewOptions } from './html';

export class MaskPanel {
  static current: MaskPanel | undefined;
  private readonly panel: vscode.WebviewPanel;
  /** Where the masked word came from, so a chosen candidate can replace it. */
  private target: { uri: vscode.Uri; range: vscode.Range; version: number } | null = null;
  lastCandidates: MaskCandidate[] = [];

  static show(extensionUri: vscode.Uri, service: ServiceClient): MaskPanel {
    if (MaskPanel.current) MaskPanel.current.panel.reveal(vscode.ViewColumn.Beside, true);
    else MaskPanel.current = new MaskPanel(extensionUri, service);
    return MaskPanel.current;
  }

  private constructor(extensionUri: vscode.Uri, private readonly service: ServiceClient) {
    this.panel = vscode.window.createWebviewPanel('semanticNotes.mask', vscode.l10n.t('Masked Word Helper'), { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, { ...webviewOptions(extensionUri), retainContextWhenHidden: true });
    this.panel.webview.html = pageHtml(this.panel.webview, extensionUri, 'mask.js', vscode.l10n.t('Masked Word Helper'), {
      placeholder: vscode.l10n.t('A sentence with [MASK] where the missing word goes'),
      predict: vscode.l10n.t('Suggest'),
      apply: vscode.l10n.t('Click a word to put it in the editor'),
    });
    this.panel.webview.onDidReceiveMessage((m) => void this.onMessage(m));
    this.panel.onDidDispose(() => (MaskPanel.current = undefined));
  }

  /** Masks the word at the cursor of `editor` and predicts it. */
  async fromEditor(editor: vscode.TextEditor): Promise<MaskCandidate[]> {
    const doc = editor.document;
    const range = editor.selection.isEmpty ? doc.getWordRangeAtPosition(editor.selection.active, /[\p{L}\p{N}'-]+/u) : editor.selection;
    if (!range) return this.predict(doc.lineAt(editor.selection.active.line).text);
    this.target = { uri: doc.uri, range, version: doc.version };
    const line = doc.lineAt(range.start.line).text;
    const text = line.slice(0, range.start.character) + '[MASK]' + line.slice(range.end.character);
    return this.predict(text, true);
  }

  async predict(text: string, keepTarget = false): Promise<MaskCandidate[]> {
    if (!keepTarget) this.target = null;
    await this.panel.webview.postMessage({ type: 'setText', text });
    try {
      const lists = await this.service.request(Requests.mask, { text, k: 5 });
      this.lastCandidates = lists[0] ?? [];
      await this.panel.webview.postMessage({ type: 'result', candidates: this.lastCandidates, canApply: !!this.target });
      return this.lastCandidates;
    } catch (err) {
      this.lastCandidates = [];
      await this.panel.webview.postMessage({ type: 'error', message: (err as Error).message });
      throw err;
    }
  }

  /** Puts candidate `i` in place of the masked word. */
  async apply(i: number): Promise<boolean> {
    const c = this.lastCandidates[i];
    const t = this.target;
    if (!c || !t) return false;
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === t.uri.toString());
    if (!doc || doc.version !== t.version) {
      void vscode.window.showWarningMessage(vscode.l10n.t('The note changed since the word was masked; mask it again.'));
      return false;
    }
    const edit = new vscode.WorkspaceEdit();
    edit.replace(t.uri, t.range, c.token);
    const ok = await vscode.workspace.applyEdit(edit);
    if (ok) this.target = null;
    return ok;
  }

  private async onMessage(m: unknown): Promise<void> {
    if (isMessage<{ type: 'predict'; text: string }>(m, 'predict', (x) => isShortString(x.text, 5000))) {
      await this.predict(m.text).catch(() => undefined);
    } else if (isMessage<{ type: 'apply'; index: number }>(m, 'apply', (x) => Number.isInteger(x.index) && (x.index as number) >= 0 && (x.index as number) < 20)) {
      await this.apply(m.index);
    }
  }

  dispose(): void {
    this.panel.dispose();
  }
}
