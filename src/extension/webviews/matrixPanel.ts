// "Similarity Matrix": sentences in, an N×N heatmap out, with pooling and metric switchable so a
// user sees how CLS, mean and max pooling (and cosine vs euclidean) change the scores.
import * as vscode from 'vscode';
import { Requests, type Metric, type Pooling, type SimilarityResult } from '../../protocol/protocol';
import type { ServiceClient } from '../serviceClient';
import { isMessage, isShortString, pageHtml, webviewOptions } from './html';

type ComputeMsg = { type: 'compute'; texts: string[]; pooling: Pooling; metric: Metric };

export class MatrixPanel {
  static current: MatrixPanel | undefined;
  private readonly panel: vscode.WebviewPanel;
  lastResult: SimilarityResult | null = null;

  static show(extensionUri: vscode.Uri, service: ServiceClient, texts?: string[]): MatrixPanel {
    if (MatrixPanel.current) MatrixPanel.current.panel.reveal();
    else MatrixPanel.current = new MatrixPanel(extensionUri, service);
    if (texts?.length) void MatrixPanel.current.panel.webview.postMessage({ type: 'setTexts', texts });
    return MatrixPanel.current;
  }

  private constructor(extensionUri: vscode.Uri, private readonly service: ServiceClient) {
    this.panel = vscode.window.createWebviewPanel('semanticNotes.matrix', vscode.l10n.t('Similarity Matrix'), vscode.ViewColumn.Beside, { ...webviewOptions(extensionUri), retainContextWhenHidden: true });
    this.panel.webview.html = pageHtml(this.panel.webview, extensionUri, 'matrix.js', vscode.l10n.t('Similarity Matrix'), {
      placeholder: vscode.l10n.t('One sentence per line'),
      compute: vscode.l10n.t('Compute'),
      pooling: vscode.l10n.t('Pooling'),
      metric: vscode.l10n.t('Metric'),
    });
    this.panel.webview.onDidReceiveMessage((m) => void this.onMessage(m));
    this.panel.onDidDispose(() => (MatrixPanel.current = undefined));
  }

  async compute(texts: string[], pooling: Pooling, metric: Metric): Promise<SimilarityResult> {
    const result = await this.service.request(Requests.similarity, { texts, pooling, metric });
    this.lastResult = result;
    await this.panel.webview.postMessage({ type: 'result', result });
    return result;
  }

  private async onMessage(m: unknown): Promise<void> {
    const valid = isMessage<ComputeMsg>(m, 'compute', (x) =>
      Array.isArray(x.texts) && x.texts.length >= 1 && x.texts.length <= 64 && x.texts.every((t) => isShortString(t, 2000)) &&
      ['cls', 'mean', 'max'].includes(x.pooling as string) && ['cosine', 'euclidean', 'dot'].includes(x.metric as string));
    if (!valid) return;
    const texts = m.texts.map((t) => t.trim()).filter(Boolean);
    if (!texts.length) return;
    try {
      await this.compute(texts, m.pooling, m.metric);
    } catch (err) {
      void this.panel.webview.postMessage({ type: 'error', message: (err as Error).message });
    }
  }

  dispose(): void {
    this.panel.dispose();
  }
}
