// What the extension knows of the models: the embedding model's state (from configure and the
// service's modelState notifications) and whether rerank works (its rerankState notifications).
// The UI reads it to say plainly when search runs on keywords only or when rerank is off for want
// of its model.
import * as vscode from 'vscode';
import type { ModelReport, ModelState, UpgradeEvent } from '../protocol/protocol';
import type { ServiceClient } from './serviceClient';

export class ModelStatus implements vscode.Disposable {
  private embeddingState: ModelState | null = null;
  private upgradeState: UpgradeEvent | null = null;
  private rerankProblem: string | null = null;
  /** Count the service's model notifications, so that an older answer does not undo a newer event. */
  private embeddingEvents = 0;
  private upgradeEvents = 0;
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.emitter.event;
  private readonly subs: vscode.Disposable[];

  constructor(service: ServiceClient) {
    this.subs = [
      this.emitter,
      service.onModelState((e) => {
        this.embeddingEvents++;
        this.setEmbedding(e.embedding);
      }),
      service.onUpgrade((e) => {
        this.upgradeEvents++;
        this.setUpgrade(e);
      }),
      service.onRerankState((s) => {
        this.rerankProblem = s.state === 'missing' || s.state === 'error' ? s.message : null;
        this.emitter.fire();
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

  /** The model being prepared to take over (or the last one that could not), null when none. */
  get upgrade(): UpgradeEvent | null {
    return this.upgradeState;
  }

  /** Marks when a request that answers a ModelReport is sent (pass it to setReport). */
  get eventCount(): { embedding: number; upgrade: number } {
    return { embedding: this.embeddingEvents, upgrade: this.upgradeEvents };
  }

  /**
   * What configure or prepareModels answered. `sentAt` (eventCount when the request was sent):
   * a notification that arrived meanwhile is newer than the answer (an upgrade can fail before
   * configure's answer is on its way), so the answer does not overwrite it.
   */
  setReport(r: ModelReport, sentAt?: { embedding: number; upgrade: number }): void {
    if (!sentAt || sentAt.upgrade === this.upgradeEvents) this.upgradeState = r.upgrade ?? null;
    if (!sentAt || sentAt.embedding === this.embeddingEvents) this.setEmbedding(r.embedding);
    else this.emitter.fire();
  }

  private setUpgrade(e: UpgradeEvent): void {
    this.upgradeState = e.phase === 'done' ? null : e;
    this.emitter.fire();
  }

  /** The cross-encoder setting or models folder changed: try rerank again. */
  resetRerank(): void {
    if (this.rerankProblem === null) return;
    this.rerankProblem = null;
    this.emitter.fire();
  }

  /** A one-line notice for search UIs, or '' when everything asked for is available. */
  searchNotice(mode: string, rerank: boolean, unreadableQuery = false): string {
    const notes: string[] = [];
    // The service fell back to keywords because the model reads nothing in this query (e.g. Korean
    // with an English-only model); hybrid does so silently, semantic says so.
    if (unreadableQuery && mode === 'semantic') notes.push(vscode.l10n.t('The embedding model cannot read this query: these are keyword matches.'));
    if (mode !== 'keyword' && this.embeddingState && this.embeddingState.state !== 'ready') notes.push(vscode.l10n.t('No embedding model: showing keyword (BM25) results.'));
    if (rerank && this.rerankProblem) notes.push(vscode.l10n.t('Rerank is unavailable (no cross-encoder model); results are not reranked.'));
    return notes.join(' ');
  }

  dispose(): void {
    this.subs.forEach((d) => d.dispose());
  }
}
