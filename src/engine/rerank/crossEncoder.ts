// Cross-encoder reranking: query and passage go through the model together and it outputs a
// relevance logit. Too slow for a whole corpus, so it reorders only the top candidates.
import type { PreTrainedModel, PreTrainedTokenizer, Tensor } from '@huggingface/transformers' with { 'resolution-mode': 'import' };
import { ModelScheduler } from '../embedding/scheduler';
import type { ModelProfile } from '../models/profile';

export interface CrossEncoderModel {
  id: string;
  tokenizer: PreTrainedTokenizer;
  model: PreTrainedModel;
  /** maxTokens: the window a query and passage pair is cut to (the model's own, from its profile). */
  profile: Pick<ModelProfile, 'maxTokens'>;
}

export class CrossEncoder {
  constructor(
    private readonly m: CrossEncoderModel,
    private readonly scheduler = new ModelScheduler(),
    private readonly batchSize = 16,
  ) {}

  get id(): string {
    return this.m.id;
  }

  /** Number of labels the model outputs (1: a relevance logit; 2: not relevant / relevant). */
  get labels(): number {
    const cfg = this.m.model.config as unknown as { num_labels?: number; id2label?: Record<string, string> };
    return cfg.num_labels ?? Object.keys(cfg.id2label ?? { 0: '' }).length;
  }

  /** Relevance logits, one per passage (higher is more relevant). */
  async score(query: string, passages: string[], signal?: AbortSignal): Promise<number[]> {
    const scores: number[] = [];
    for (let start = 0; start < passages.length; start += this.batchSize) {
      signal?.throwIfAborted();
      const batch = passages.slice(start, start + this.batchSize);
      const enc = this.m.tokenizer(new Array(batch.length).fill(query), {
        text_pair: batch,
        padding: true,
        truncation: true,
        max_length: this.m.profile.maxTokens,
      });
      const out = (await this.scheduler.schedule('interactive', () => this.m.model(enc))) as Record<string, Tensor>;
      const logits = out.logits.data as Float32Array;
      const labels = (out.logits.dims[1] as number) ?? 1;
      // One label: the logit is the score. Two labels (not relevant / relevant): use the margin.
      for (let i = 0; i < batch.length; i++) {
        scores.push(labels === 1 ? logits[i] : logits[i * labels + labels - 1] - logits[i * labels]);
      }
    }
    return scores;
  }
}
