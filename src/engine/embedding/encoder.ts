// The bi-encoder: tokenize → one ONNX pass per batch → pool → normalize. Texts are sorted by
// token count before batching so a batch pads to similar lengths (less wasted compute), and
// results come back in the caller's order. The tensors are built straight from the ids and fed
// to the ONNX Runtime session (transformers.js' model call costs more than the pass itself for a
// static model); ids come from our WordPiece (wordPiece.ts: transformers.js' ids, ~3× faster), or
// from the ids the chunker already counted (EmbedOptions.ids).
import type { PreTrainedModel, PreTrainedTokenizer, Tensor } from '@huggingface/transformers' with { 'resolution-mode': 'import' };
import type { InferenceSession, Tensor as OrtTensor } from 'onnxruntime-node';
import type { Pooling } from '../types';
import type { ModelProfile } from '../models/profile';
import type { WordPiece } from './wordPiece';
import { pool, poolRows } from './pooling';
import { ModelScheduler, type Priority } from './scheduler';

export interface EncoderModel {
  id: string;
  tokenizer: PreTrainedTokenizer;
  model: PreTrainedModel;
  profile: ModelProfile;
  fingerprint: string;
  /** The fast copy of a BERT WordPiece tokenizer (models/load.ts); null: transformers.js tokenizes. */
  wordPiece?: WordPiece | null;
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
  /**
   * Token ids of each text (no special tokens, no prefix) from this encoder's tokenize(), so the
   * text is not tokenized again; null/undefined entries are tokenized here. Ignored unless the
   * encoder's idsConcatenate is true.
   */
  ids?: readonly (readonly number[] | null | undefined)[];
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

const PASS_TOKENS = 16;
const PASS_TOKENS_STATIC = 512;

/**
 * Cuts texts sorted by token count (lengths ascending) into batches of at most maxRows, where the
 * padded tokens plus passTokens per pass are fewest (a pass pads every row to its longest): 32
 * abstracts of 100 to 512 tokens make a few passes, not one padded to 512. Returns [start, end) pairs.
 */
export function splitBatches(lengths: readonly number[], maxRows: number, passTokens: number): [number, number][] {
  const n = lengths.length;
  // best[j]: least cost of the first j rows; from[j]: where the last batch of that best starts.
  const best = new Float64Array(n + 1).fill(Infinity);
  const from = new Int32Array(n + 1);
  best[0] = 0;
  for (let j = 1; j <= n; j++) {
    for (let i = Math.max(0, j - maxRows); i < j; i++) {
      const c = best[i] + (j - i) * lengths[j - 1] + passTokens;
      if (c < best[j]) {
        best[j] = c;
        from[j] = i;
      }
    }
  }
  const out: [number, number][] = [];
  for (let j = n; j > 0; j = from[j]) out.push([from[j], j]);
  return out.reverse();
}

const KNOWN_INPUTS = new Set(['input_ids', 'attention_mask', 'token_type_ids']);

type Ort = typeof import('onnxruntime-node');
let ortModule: Ort | null = null;
function ort(): Ort {
  // The same onnxruntime-node transformers.js made the session with (external to the bundle).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  ortModule ??= require('onnxruntime-node') as Ort;
  return ortModule;
}

export class Encoder implements Embedder {
  readonly id: string;
  readonly profile: ModelProfile;
  readonly fingerprint: string;
  /** ids(a + whitespace + b) = ids(a) ++ ids(b): the chunker's ids can be reused (EmbedOptions.ids). */
  readonly idsConcatenate: boolean;
  private readonly tokenizer: PreTrainedTokenizer;
  private readonly model: PreTrainedModel;
  private readonly wordPiece: WordPiece | null;
  private readonly session: InferenceSession | null;
  private readonly outputName: string | null;
  private readonly padId: number;
  /** [CLS] and [SEP] (what encode adds around a text), when the tokenizer adds exactly those two. */
  private readonly specials: [number, number] | null;
  private dimsCache: number | undefined;
  /** What one more pass costs, in padded tokens (splitBatches). */
  private readonly passTokens: number;

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
    this.wordPiece = m.wordPiece ?? null;
    const session = (m.model as unknown as { sessions?: Record<string, InferenceSession> }).sessions?.model ?? null;
    // Our own tensors only for the inputs we know how to fill; any other graph goes through transformers.js.
    this.session = session && session.inputNames.every((n) => KNOWN_INPUTS.has(n)) && session.inputNames.includes('input_ids') ? session : null;
    const outs = session?.outputNames ?? [];
    this.outputName = outs.find((o) => o === 'last_hidden_state') ?? outs.find((o) => o === 'token_embeddings') ?? outs[0] ?? null;
    this.padId = (m.tokenizer as unknown as { pad_token_id?: number }).pad_token_id ?? 0;
    const empty = m.tokenizer.encode('');
    const probe = m.tokenizer.encode('semantic notes');
    const bare = m.tokenizer.encode('semantic notes', { add_special_tokens: false });
    this.specials = empty.length === 2 && probe.join() === [empty[0], ...bare, empty[1]].join() ? [empty[0], empty[1]] : null;
    // BERT's normalizer works per character, its pre-tokenizer splits at whitespace and WordPiece
    // reads each word alone: ids(a + whitespace + b) = ids(a) ++ ids(b).
    this.idsConcatenate = this.specials !== null && this.wordPiece !== null;
    // A static model (no transformer layers) costs little per token, so a pass's fixed cost (JS,
    // tensors, the session call) is worth many tokens; a transformer's tokens are dear.
    const layers = (m.model.config as unknown as { num_hidden_layers?: number }).num_hidden_layers;
    this.passTokens = layers === 0 ? PASS_TOKENS_STATIC : PASS_TOKENS;
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
    return this.tokenize(text).length;
  }

  /** Ids of a text without special tokens, as transformers.js gives them; for EmbedOptions.ids. */
  tokenize(text: string): number[] {
    return this.wordPiece?.encode(text) ?? this.tokenizer.encode(text, { add_special_tokens: false });
  }

  async embed(texts: string[], opts: EmbedOptions = {}): Promise<Float32Array[]> {
    const prefix = opts.role === 'query' ? this.profile.queryPrefix : this.profile.passagePrefix;
    const pooling = opts.pooling ?? this.profile.pooling;
    const normalize = opts.normalize ?? this.profile.normalize;
    const out = new Array<Float32Array>(texts.length);
    if (!this.session) {
      await this.embedReference(texts.map((t) => prefix + t), out, pooling, normalize, opts);
      return out;
    }
    const ids = this.idsOf(texts, prefix, opts.ids);
    const order = texts.map((_, i) => i).sort((a, b) => ids[a].length - ids[b].length);
    let done = 0;
    for (const [start, end] of splitBatches(order.map((i) => ids[i].length), this.batchSize, this.passTokens)) {
      opts.signal?.throwIfAborted();
      const idx = order.slice(start, end);
      const vectors = await this.scheduler.schedule(opts.priority ?? 'background', () =>
        this.runBatch(idx.map((i) => ids[i]), pooling, normalize),
      );
      idx.forEach((i, j) => (out[i] = vectors[j]));
      done += idx.length;
      opts.onProgress?.(done, texts.length);
    }
    return out;
  }

  /**
   * Ids with special tokens, cut to the window as transformers.js cuts them (the first maxTokens,
   * so a cut text loses its [SEP]: the vectors stay those of the reference path).
   */
  private idsOf(texts: string[], prefix: string, given: EmbedOptions['ids']): number[][] {
    const max = this.profile.maxTokens;
    const out = new Array<number[]>(texts.length);
    // Given ids are of the text alone; a prefix joins them only across whitespace.
    const reuse = this.idsConcatenate && given && (prefix === '' || /\s$/.test(prefix));
    const prefixIds = reuse && prefix ? this.tokenize(prefix) : [];
    const rest: number[] = [];
    for (let i = 0; i < texts.length; i++) {
      const g = reuse ? given[i] : null;
      if (g) {
        const [cls, sep] = this.specials!;
        const n = Math.min(max, prefixIds.length + g.length + 2);
        const ids = new Array<number>(n);
        ids[0] = cls;
        let k = 1;
        for (let j = 0; j < prefixIds.length && k < n; j++) ids[k++] = prefixIds[j];
        for (let j = 0; j < g.length && k < n; j++) ids[k++] = g[j];
        if (k < n) ids[k] = sep;
        out[i] = ids;
      } else rest.push(i);
    }
    for (const i of rest) {
      const t = prefix + texts[i];
      let ids: number[];
      if (this.specials) {
        const [cls, sep] = this.specials;
        ids = [cls, ...this.tokenize(t), sep];
      } else ids = this.tokenizer.encode(t);
      out[i] = ids.length > max ? ids.slice(0, max) : ids;
    }
    return out;
  }

  private async runBatch(batch: number[][], pooling: Pooling, normalize: boolean): Promise<Float32Array[]> {
    const { Tensor } = ort();
    const b = batch.length;
    let seq = 0;
    for (const ids of batch) if (ids.length > seq) seq = ids.length;
    const lengths = new Int32Array(b);
    // int64 tensors written through an int32 view (little-endian low words; ids are small and
    // non-negative): no BigInt per token.
    const idsBuf = new BigInt64Array(b * seq);
    const maskBuf = new BigInt64Array(b * seq);
    const ids32 = new Int32Array(idsBuf.buffer);
    const mask32 = new Int32Array(maskBuf.buffer);
    for (let r = 0; r < b; r++) {
      const row = batch[r];
      lengths[r] = row.length;
      const base = 2 * r * seq;
      for (let t = 0; t < seq; t++) {
        ids32[base + 2 * t] = t < row.length ? row[t] : this.padId;
        mask32[base + 2 * t] = t < row.length ? 1 : 0;
      }
    }
    const dims = [b, seq];
    const feeds: Record<string, OrtTensor> = {};
    for (const name of this.session!.inputNames) {
      const data = name === 'input_ids' ? idsBuf : name === 'attention_mask' ? maskBuf : new BigInt64Array(b * seq);
      feeds[name] = new Tensor('int64', data, dims);
    }
    const output = await this.session!.run(feeds, [this.outputName!]);
    const hidden = output[this.outputName!];
    const [, outSeq, d] = hidden.dims as number[];
    this.dimsCache = d;
    return poolRows(hidden.data as Float32Array, b, outSeq, d, lengths, pooling, normalize);
  }

  /** transformers.js end to end: for graphs with inputs other than BERT's three. */
  private async embedReference(batchTexts: string[], out: Float32Array[], pooling: Pooling, normalize: boolean, opts: EmbedOptions): Promise<void> {
    const order = batchTexts.map((_, i) => i).sort((a, b) => batchTexts[a].length - batchTexts[b].length);
    for (let start = 0; start < order.length; start += this.batchSize) {
      opts.signal?.throwIfAborted();
      const idx = order.slice(start, start + this.batchSize);
      const batch = idx.map((i) => batchTexts[i]);
      const vectors = await this.scheduler.schedule(opts.priority ?? 'background', async () => {
        const enc = this.tokenizer(batch, { padding: true, truncation: true, max_length: this.profile.maxTokens });
        const output = (await this.model(enc)) as Record<string, Tensor>;
        const hidden = output.last_hidden_state ?? output.token_embeddings ?? Object.values(output)[0];
        const [b, seq, dims] = hidden.dims as number[];
        this.dimsCache = dims;
        const mask = (enc.attention_mask as Tensor).data as BigInt64Array;
        return pool({ data: hidden.data as Float32Array, batch: b, seq, dims, mask }, pooling, normalize);
      });
      idx.forEach((i, j) => (out[i] = vectors[j]));
      opts.onProgress?.(Math.min(start + this.batchSize, batchTexts.length), batchTexts.length);
    }
  }
}
