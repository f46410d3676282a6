// What the extension knows of the models: the embedding model's state (from configure and the
// service's modelState notifications) and whether rerank works. The UI reads it to say plainly
// when search runs on keywords only or when rerank is off for want of its model.
import * as vscode from 'vscode';
import type { ModelState } from '../protocol/protocol';
import type { ServiceClient } from './serviceClient';

/** The service's warning when a search asked for rerank and the cross-encoder cannot be loaded. */
const RERANK_OFF = /^rerank is off: ?/;

export class ModelStatus implements vscode.Disposable {
  private embeddingState: ModelState | null = null;
  private rerankProblem: string | null = null;
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.emitter.event;
  private readonly subs: vscode.Disposable[];

  constructor(service: ServiceClient) {
    this.subs = [
      this.emitter,
      service.onModelState((e) => this.setEmbedding(e.embedding)),
      service.onLog((e) => {
        if (e.level === 'warn' && RERANK_OFF.test(e.message)) {
          this.rerankProblem = e.message.replace(RERANK_OFF, '');
          this.emitter.fire();
        }
      }),
    ];
  }

  get embedding(): ModelState | null {
    return this.embeddingState;
  }

  /** True when semantic and hybrid search really use meaning (else the service uses keywords). */
  get semanticReady(): boolean {
    return this.embeddingState?.state === 'ready';
  }

  /** Why rerank is off (its model is missing), or null when it works or was never tried. */
  get rerankUnavailable(): string | null {
    return this.rerankProblem;
  }

  setEmbedding(s: ModelState): void {
    this.embeddingState = s;
    this.emitter.fire();
  }

  /** The cross-encoder setting or models folder changed: try rerank again. */
  resetRerank(): void {
    if (this.rerankProblem === null) return;
    this.rerankProblem = null;
    this.emitter.fire();
  }

  /** A one-line notice for search UIs, or '' when everything asked for is available. */
  searchNotice(mode: string, rerank: boolean): string {
    const notes: string[] = [];
    if (mode !== 'keyword' && this.embeddingState && this.embeddingState.state !== 'ready') notes.push(vscode.l10n.t('No embedding model: showing keyword (BM25) results.'));
    if (rerank && this.rerankProblem) notes.push(vscode.l10n.t('Rerank is unavailable (no cross-encoder model); results are not reranked.'));
    return notes.join(' ');
  }

  dispose(): void {
    this.subs.forEach((d) => d.dispose());
  }
}
