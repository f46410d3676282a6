// "Similarity Matrix": sentences in (typed, or the selected lines), an N×N heatmap out, with the
// pooling (CLS / mean / max) and the metric switchable so a user sees how they change the scores.
import * as vscode from 'vscode';
import { METRICS, POOLINGS, Requests, type Metric, type Pooling, type SimilarityResult } from '../../protocol/protocol';
import type { ServiceClient } from '../serviceClient';
import { PageChannel } from './channel';
import type { ToMatrixPage } from './messages';
import { isMessage, isOneOf, isShortString, pageHtml, webviewOptions, type RenderReport } from './html';

/** '' = the model's own pooling (its profile), as Compare Sentences and search use. */
const PAGE_POOLINGS: readonly (Pooling | '')[] = ['', ...POOLINGS];
const MAX_SENTENCES = 64;
const MAX_SENTENCE_CHARS = 2_000;

type ComputeMsg = { type: 'compute'; texts: string[]; pooling: Pooling | ''; metric: Metric };

export class MatrixPanel implements vscode.Disposable {
  static current: MatrixPanel | undefined;
  private readonly panel: vscode.WebviewPanel;
  private readonly channel: PageChannel<ToMatrixPage>;
  private cts: vscode.CancellationTokenSource | undefined;
  lastResult: SimilarityResult | null = null;
  readonly html: string;

  static show(extensionUri: vscode.Uri, service: ServiceClient): MatrixPanel {
    if (MatrixPanel.current) MatrixPanel.current.panel.reveal(undefined, true);
    else MatrixPanel.current = new MatrixPanel(extensionUri, service);
    return MatrixPanel.current;
  }

  private constructor(extensionUri: vscode.Uri, private readonly service: ServiceClient) {
    this.panel = vscode.window.createWebviewPanel('semanticNotes.matrix', vscode.l10n.t('Similarity Matrix'), { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, { ...webviewOptions(extensionUri), retainContextWhenHidden: true });
    this.panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'icon.svg');
    this.channel = new PageChannel<ToMatrixPage>(this.panel.webview, (m) => this.onMessage(m));
    this.html = this.panel.webview.html = pageHtml(this.panel.webview, extensionUri, 'matrix.js', vscode.l10n.t('Similarity Matrix'), {
      placeholder: vscode.l10n.t('One sentence per line'),
      compute: vscode.l10n.t('Compute'),
      pooling: vscode.l10n.t('Pooling'),
      modelPooling: vscode.l10n.t("model's own"),
      heatmap: vscode.l10n.t('Similarity of each pair of sentences'),
      metric: vscode.l10n.t('Metric'),
      closer: vscode.l10n.t('Darker = more similar'),
      cosine: vscode.l10n.t('cosine'),
      euclidean: vscode.l10n.t('euclidean distance'),
      dot: vscode.l10n.t('dot product'),
    });
    this.panel.onDidDispose(() => {
      this.cts?.cancel();
      this.channel.dispose();
      if (MatrixPanel.current === this) MatrixPanel.current = undefined;
    });
  }

  /** Puts sentences in the page (without computing). */
  async setTexts(texts: string[]): Promise<void> {
    await this.channel.post({ type: 'setTexts', texts });
  }

  /**
   * Computes and shows the matrix (the page's requests come here too; tests call it). Without a
   * pooling the model's own is used, so the matrix agrees with Compare Sentences and search.
   */
  async compute(texts: string[], pooling: Pooling | undefined, metric: Metric): Promise<SimilarityResult> {
    this.cts?.cancel();
    const cts = (this.cts = new vscode.CancellationTokenSource());
    const chosen = pooling ?? '';
    await this.channel.post({ type: 'busy', texts, pooling: chosen, metric });
    try {
      const result = await this.service.request(Requests.similarity, { texts, pooling, metric }, cts.token);
      this.lastResult = result;
      await this.channel.post({ type: 'result', result, chosen });
      return result;
    } catch (err) {
      if (!(err instanceof vscode.CancellationError)) await this.channel.post({ type: 'error', message: (err as Error).message });
      throw err;
    }
  }

  nextRender(): Promise<RenderReport> {
    return this.channel.nextRender();
  }

  private async onMessage(m: unknown): Promise<void> {
    const valid = isMessage<ComputeMsg>(
      m,
      'compute',
      (x) => Array.isArray(x.texts) && x.texts.length <= MAX_SENTENCES && x.texts.every((t) => isShortString(t, MAX_SENTENCE_CHARS)) && isOneOf(x.pooling, PAGE_POOLINGS) && isOneOf(x.metric, METRICS),
    );
    if (!valid) return;
    const texts = m.texts.map((t) => t.trim()).filter(Boolean);
    if (!texts.length) return;
    await this.compute(texts, m.pooling || undefined, m.metric).catch(() => undefined);
  }

  dispose(): void {
    this.panel.dispose();
  }
}

/** The non-empty lines of a selection (or of the whole document when nothing is selected). */
export function sentencesFrom(editor: vscode.TextEditor | undefined): string[] | undefined {
  if (!editor) return undefined;
  const ranges = editor.selections.filter((s) => !s.isEmpty);
  if (!ranges.length) return undefined;
  const lines = ranges.flatMap((r) => editor.document.getText(r).split(/\r?\n/)).map((s) => s.trim()).filter(Boolean);
  return lines.slice(0, MAX_SENTENCES).map((s) => s.slice(0, MAX_SENTENCE_CHARS));
}
