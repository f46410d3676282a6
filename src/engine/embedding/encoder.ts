// The bi-encoder: tokenize → one ONNX pass per batch → pool → normalize. Texts are sorted by
// length before batching so a batch pads to similar lengths (less wasted compute), and results
// come back in the caller's order.
import type { PreTrainedModel, PreTrainedTokenizer, Tensor } from '@huggingface/transformers' with { 'resolution-mode': 'import' };
import type { Pooling } from '../types';
import type { ModelProfile } from '../models/profile';
import { pool } from './pooling';
import { ModelScheduler, type Priority } from './scheduler';

export interface EncoderModel {
  id: string;
  tokenizer: PreTrainedTokenizer;
  model: PreTrainedModel;
  profile: ModelProfile;
  fingerprint: string;
}

export interface EmbedOptions {
  /** Queries and passages may carry different prefixes (e5: "query: " / "passage: "). */
  role?: 'query' | 'passage';
  pooling?: Pooling;
  normalize?: boolean;
  priority?: Priority;
  signal?: AbortSignal;
  /** Called after each batch with the number of texts embedded so far. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * What indexing, search and evaluation need from an embedding model: a single ONNX model
 * (Encoder) or several routed by script (RoutedEncoder). `fingerprint` keys the vector store.
 */
export interface Embedder {
  readonly id: string;
  /** Length of every vector embed() returns. */
  readonly dims: number;
  readonly fingerprint: string;
  readonly profile: ModelProfile;
  /** Tokens of a text without special tokens, as the model's window counts them (sizes chunks). */
  countTokens(text: string): number;
  embed(texts: string[], opts?: EmbedOptions): Promise<Float32Array[]>;
}

export class Encoder implements Embedder {
  readonly id: string;
  readonly profile: ModelProfile;
  readonly fingerprint: string;
  private readonly tokenizer: PreTrainedTokenizer;
  private readonly model: PreTrainedModel;
  private dimsCache: number | undefined;

  constructor(
    m: EncoderModel,
    private readonly scheduler = new ModelScheduler(),
    private readonly batchSize = 32,
  ) {
    this.id = m.id;
    this.profile = m.profile;
    this.fingerprint = m.fingerprint;
    this.tokenizer = m.tokenizer;
    this.model = m.model;
  }

  /** Output dimension, read from the model config (hidden_size) or from the first pass. */
  get dims(): number {
    if (this.dimsCache === undefined) {
      const cfg = this.model.config as unknown as { hidden_size?: number; dim?: number };
      this.dimsCache = cfg.hidden_size ?? cfg.dim ?? 0;
    }
    return this.dimsCache;
  }

  /** Number of WordPiece tokens of a text, without [CLS]/[SEP]; used to size chunks. */
  countTokens(text: string): number {
    return this.tokenizer.encode(text, { add_special_tokens: false }).length;
  }

  async embed(texts: string[], opts: EmbedOptions = {}): Promise<Float32Array[]> {
    const prefix = opts.role === 'query' ? this.profile.queryPrefix : this.profile.passagePrefix;
    const pooling = opts.pooling ?? this.profile.pooling;
    const normalize = opts.normalize ?? this.profile.normalize;
    const order = texts.map((_, i) => i).sort((a, b) => texts[a].length - texts[b].length);
    const out = new Array<Float32Array>(texts.length);
    for (let start = 0; start < order.length; start += this.batchSize) {
      opts.signal?.throwIfAborted();
      const idx = order.slice(start, start + this.batchSize);
      const batch = idx.map((i) => prefix + texts[i]);
      const vectors = await this.scheduler.schedule(opts.priority ?? 'background', () =>
        this.runBatch(batch, pooling, normalize),
      );
      idx.forEach((i, j) => (out[i] = vectors[j]));
      opts.onProgress?.(Math.min(start + this.batchSize, texts.length), texts.length);
    }
    return out;
  }

  private async runBatch(batch: string[], pooling: Pooling, normalize: boolean): Promise<Float32Array[]> {
    const enc = this.tokenizer(batch, { padding: true, truncation: true, max_length: this.profile.maxTokens });
    const output = (await this.model(enc)) as Record<string, Tensor>;
    const hidden = output.last_hidden_state ?? output.token_embeddings ?? Object.values(output)[0];
    const [b, seq, dims] = hidden.dims as number[];
    this.dimsCache = dims;
    const mask = (enc.attention_mask as Tensor).data as BigInt64Array;
    return pool({ data: hidden.data as Float32Array, batch: b, seq, dims, mask }, pooling, normalize);
  }
}
