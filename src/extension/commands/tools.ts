// Find Similar to Selection, Compare Sentences, Similarity Matrix and Masked Word Helper. Each
// command also takes its input as arguments and returns its result, so it can be scripted (and
// tested) through executeCommand.
import * as vscode from 'vscode';
import { METRICS, POOLINGS, Requests, type FolderHit, type Metric, type Pooling, type SimilarityResult } from '../../protocol/protocol';
import type { Queries } from '../queries';
import { barAndLabel, relevanceOfHits } from '../relevanceText';
import { hitTitle, locate } from '../results';
import type { ServiceClient } from '../serviceClient';
import { uiSettings } from '../settings';
import { MaskPanel, type DownloadFillMask } from '../webviews/maskPanel';
import { MatrixPanel, sentencesFrom } from '../webviews/matrixPanel';

export interface CompareResult {
  texts: [string, string];
  cosine: number;
  euclidean: number;
  model: string;
  pooling: Pooling;
}

export class ToolCommands {
  constructor(private readonly extensionUri: vscode.Uri, private readonly service: ServiceClient, private readonly queries: Queries, private readonly downloadFillMask: DownloadFillMask) {}

  /** Passages like the selected text (or `text`); interactive use shows them in a quick pick. */
  async findSimilar(text?: unknown): Promise<FolderHit[]> {
    const editor = vscode.window.activeTextEditor;
    const interactive = typeof text !== 'string';
    const query = typeof text === 'string' ? text : editor && !editor.selection.isEmpty ? editor.document.getText(editor.selection) : '';
    if (!query.trim()) {
      void vscode.window.showInformationMessage(vscode.l10n.t('Select some text first.'));
      return [];
    }
    const k = uiSettings().resultCount;
    let hits = await this.queries.relatedToText(query, k + 5);
    // The selection itself is not "similar to the selection".
    if (editor && interactive) {
      const line = editor.selection.start.line + 1;
      const here = locate(editor.document.uri);
      if (here) hits = hits.filter((h) => !(h.folderId === here.folderId && h.path === here.rel && line >= h.startLine && line <= h.endLine));
    }
    hits = hits.slice(0, k);
    if (interactive) {
      const relevance = relevanceOfHits(hits);
      const pick = await vscode.window.showQuickPick(
        hits.map((h, i) => ({ label: `$(note) ${hitTitle(h)}`, description: `${barAndLabel(relevance[i])} · ${h.path}:${h.startLine}`, detail: h.snippet, h })),
        { title: vscode.l10n.t('Notes similar to the selection'), matchOnDescription: true, matchOnDetail: true, placeHolder: hits.length ? undefined : vscode.l10n.t('No results.') },
      );
      if (pick) await this.queries.results.open(pick.h);
    }
    return hits;
  }

  /** Two sentences (arguments, two selections, or two input boxes) → cosine and euclidean. */
  async compare(a?: unknown, b?: unknown): Promise<CompareResult | undefined> {
    let texts: [string, string] | undefined = typeof a === 'string' && typeof b === 'string' ? [a, b] : undefined;
    const interactive = !texts;
    const editor = vscode.window.activeTextEditor;
    if (!texts && editor) {
      const sel = editor.selections.filter((s) => !s.isEmpty).map((s) => editor.document.getText(s).trim());
      if (sel.length === 2 && sel.every(Boolean)) texts = [sel[0], sel[1]];
    }
    if (!texts) {
      const first = await vscode.window.showInputBox({ title: vscode.l10n.t('Compare Sentences (1/2)'), prompt: vscode.l10n.t('First sentence'), ignoreFocusOut: true, validateInput: (v) => (v.trim() ? null : vscode.l10n.t('Type a sentence.')) });
      if (!first) return undefined;
      const second = await vscode.window.showInputBox({ title: vscode.l10n.t('Compare Sentences (2/2)'), prompt: vscode.l10n.t('Second sentence'), ignoreFocusOut: true, validateInput: (v) => (v.trim() ? null : vscode.l10n.t('Type a sentence.')) });
      if (!second) return undefined;
      texts = [first, second];
    }
    const pair = texts;
    const [cos, euc] = await Promise.all((['cosine', 'euclidean'] as Metric[]).map((metric) => this.service.request(Requests.similarity, { texts: pair, metric })));
    const result: CompareResult = { texts: pair, cosine: cos.matrix[0][1], euclidean: euc.matrix[0][1], model: cos.model, pooling: cos.pooling };
    if (interactive) {
      const matrix = vscode.l10n.t('Open in Similarity Matrix');
      const pick = await vscode.window.showInformationMessage(
        vscode.l10n.t('Cosine similarity {0} · euclidean distance {1} ({2}, {3} pooling)', result.cosine.toFixed(4), result.euclidean.toFixed(4), result.model, result.pooling),
        matrix,
      );
      if (pick === matrix) await this.matrix([...pair]);
    }
    return result;
  }

  /**
   * Opens the matrix panel. With sentences (arguments or the selected lines) it computes at once;
   * with arguments it returns the result.
   */
  async matrix(texts?: unknown, pooling?: unknown, metric?: unknown): Promise<SimilarityResult | undefined> {
    const given = Array.isArray(texts) ? texts.filter((t): t is string => typeof t === 'string' && t.trim() !== '') : undefined;
    const lines = given ?? sentencesFrom(vscode.window.activeTextEditor);
    const panel = MatrixPanel.show(this.extensionUri, this.service);
    if (!lines?.length) return undefined;
    // No pooling given: the model's own, as Compare Sentences uses (they must agree on a pair).
    const p = POOLINGS.includes(pooling as Pooling) ? (pooling as Pooling) : undefined;
    const m = METRICS.includes(metric as Metric) ? (metric as Metric) : 'cosine';
    try {
      return await panel.compute(lines, p, m);
    } catch (err) {
      if (given) throw err;
      return undefined; // shown in the panel
    }
  }

  /** Opens the masked-word panel for `text`, or for the word under the cursor. */
  async mask(text?: unknown): Promise<unknown> {
    const panel = MaskPanel.show(this.extensionUri, this.service, this.downloadFillMask);
    if (typeof text === 'string') return panel.predict(text);
    const editor = vscode.window.activeTextEditor;
    if (editor) return panel.fromEditor(editor).catch(() => []);
    return [];
  }

  applyMaskCandidate(i: unknown): Promise<boolean> {
    return Number.isInteger(i) && MaskPanel.current ? MaskPanel.current.apply(i as number) : Promise.resolve(false);
  }
}
