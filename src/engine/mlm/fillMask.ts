// Masked-word prediction, as transformers' FillMaskPipeline does it: softmax over the vocabulary
// at each mask position, top-k tokens, and the sentence with the token filled in.
import type { PreTrainedModel, PreTrainedTokenizer, Tensor } from '@huggingface/transformers' with { 'resolution-mode': 'import' };
import { ModelScheduler } from '../embedding/scheduler';

export interface FillMaskCandidate {
  token: string;
  tokenId: number;
  score: number;
  sequence: string;
}

export interface FillMaskModel {
  id: string;
  tokenizer: PreTrainedTokenizer;
  model: PreTrainedModel;
}

/** Thrown for input the model cannot answer; the message is meant for the user. */
export class FillMaskInputError extends Error {}

/** Users type `[MASK]` whatever the model; RoBERTa-style models use `<mask>` instead. */
const USER_MASK = /\[MASK\]|<mask>/g;
export const MAX_MASKS = 5;

export class FillMasker {
  constructor(private readonly m: FillMaskModel, private readonly scheduler = new ModelScheduler()) {}

  get maskToken(): string {
    return this.m.tokenizer.mask_token ?? '[MASK]';
  }

  /** One candidate list per mask in the text, in order. */
  async predict(text: string, topK = 5): Promise<FillMaskCandidate[][]> {
    const { tokenizer, model } = this.m;
    const maskId = tokenizer.mask_token_id;
    if (maskId === undefined || maskId === null) throw new FillMaskInputError(`${this.m.id} has no mask token: it is not a fill-mask model`);
    const masks = text.match(USER_MASK)?.length ?? 0;
    if (masks === 0) throw new FillMaskInputError(`the text has no ${this.maskToken}: put ${this.maskToken} where the missing word goes`);
    if (masks > MAX_MASKS) throw new FillMaskInputError(`the text has ${masks} masks; at most ${MAX_MASKS} are predicted at once`);
    const maxLength = Math.min(tokenizer.model_max_length ?? 512, 512);
    const normalized = maskWindow(text.replace(USER_MASK, this.maskToken), this.maskToken, (t) => tokenizer(t).input_ids.dims.at(-1) as number, maxLength);
    const enc = tokenizer(normalized, { truncation: true, max_length: maxLength });
    const ids = Array.from((enc.input_ids as Tensor).data as BigInt64Array, Number);
    const positions = ids.flatMap((id, i) => (id === maskId ? [i] : []));
    if (positions.length === 0) throw new FillMaskInputError(`the mask lies beyond the model's ${maxLength}-token window; shorten the text before it`);
    const output = (await this.scheduler.schedule('interactive', () => model(enc))) as Record<string, Tensor>;
    const logits = output.logits;
    const vocab = logits.dims[2] as number;
    const data = logits.data as Float32Array;
    return positions.map((pos) => {
      const probs = softmax(data.subarray(pos * vocab, (pos + 1) * vocab));
      return topIndices(probs, topK).map((tokenId) => {
        const filled = ids.slice();
        filled[pos] = tokenId;
        return {
          token: tokenizer.decode([tokenId], { skip_special_tokens: false }).trim(),
          tokenId,
          score: probs[tokenId],
          sequence: tokenizer.decode(filled, { skip_special_tokens: true }),
        };
      });
    });
  }
}

/**
 * The model reads one window of tokens: for a long text (a whole note with a [MASK] in it) keep
 * the part around the masks, cut at spaces, shrinking until it fits. Masks too far apart to fit
 * in one window are refused with the reason.
 */
export function maskWindow(text: string, mask: string, countTokens: (t: string) => number, maxTokens: number): string {
  if (text.length <= maxTokens || countTokens(text) <= maxTokens) return text;
  const first = text.indexOf(mask);
  const last = text.lastIndexOf(mask) + mask.length;
  for (let margin = maxTokens * 4; margin >= 8; margin = Math.floor(margin * 0.7)) {
    let start = Math.max(0, first - margin);
    let end = Math.min(text.length, last + margin);
    if (start > 0) start = text.indexOf(' ', start) >= 0 && text.indexOf(' ', start) < first ? text.indexOf(' ', start) + 1 : start;
    if (end < text.length) end = text.lastIndexOf(' ', end) > last ? text.lastIndexOf(' ', end) : end;
    const part = text.slice(start, end);
    if (countTokens(part) <= maxTokens) return part;
  }
  throw new FillMaskInputError(`the masks are too far apart to be read together (the model reads ${maxTokens} tokens at once); predict them one at a time`);
}

function softmax(logits: Float32Array): Float64Array {
  let max = -Infinity;
  for (const x of logits) if (x > max) max = x;
  const out = new Float64Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += out[i] = Math.exp(logits[i] - max);
  for (let i = 0; i < out.length; i++) out[i] /= sum;
  return out;
}

function topIndices(values: Float64Array, k: number): number[] {
  const top: number[] = [];
  for (let i = 0; i < values.length; i++) {
    if (top.length < k || values[i] > values[top[top.length - 1]]) {
      let j = Math.min(top.length, k - 1);
      top[j] = i;
      while (j > 0 && values[top[j]] > values[top[j - 1]]) {
        [top[j], top[j - 1]] = [top[j - 1], top[j]];
        j--;
      }
    }
  }
  return top;
}
