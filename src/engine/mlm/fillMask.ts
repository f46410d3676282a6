// Masked-word prediction, as transformers' FillMaskPipeline does it: softmax over the vocabulary
// at each mask position, top-k tokens. Unlike the pipeline, candidates are whole words (a word
// piece is joined to the word it continues) and the sentence is the user's own text with only the
// mask replaced. The model is picked by the sentence's script (fillMaskModelFor).
import type { PreTrainedModel, PreTrainedTokenizer, Tensor } from '@huggingface/transformers' with { 'resolution-mode': 'import' };
import { ModelScheduler } from '../embedding/scheduler';
import { DEFAULT_MODELS } from '../models/catalog';
import type { ModelProfile } from '../models/profile';
import { hasHangul } from '../text/script';

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
  /** maxTokens: the window the model reads around the masks (its own, from its profile). */
  profile: Pick<ModelProfile, 'maxTokens'>;
}

/**
 * The masked-LM for a sentence: one the user chose (anything but the English default) reads every
 * sentence; otherwise a sentence with Hangul goes to the multilingual model (an English WordPiece
 * vocabulary cuts Hangul into jamo, so it cannot predict a Korean word) and the rest to the
 * English default.
 */
export function fillMaskModelFor(text: string, configured: string | undefined): string {
  const chosen = configured?.trim();
  if (chosen && chosen !== DEFAULT_MODELS.fillMask) return chosen;
  return hasHangul(text) ? DEFAULT_MODELS.multilingualFillMask : DEFAULT_MODELS.fillMask;
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
    // The profile's window is already clamped to the tokenizer's and the position table's.
    const maxLength = this.m.profile.maxTokens;
    const toModel = (t: string) => t.replace(USER_MASK, this.maskToken);
    // The part of the user's text the model reads (all of it when it fits): the sentences shown are
    // this part with one mask replaced, so a mask inside a long note does not return the whole note.
    const part = maskWindow(text, (t) => tokenizer(toModel(t)).input_ids.dims.at(-1) as number, maxLength);
    const enc = tokenizer(toModel(part), { truncation: true, max_length: maxLength });
    const ids = Array.from((enc.input_ids as Tensor).data as BigInt64Array, Number);
    const positions = ids.flatMap((id, i) => (id === maskId ? [i] : []));
    if (positions.length === 0) throw new FillMaskInputError(`the mask lies beyond the model's ${maxLength}-token window; shorten the text before it`);
    const output = (await this.scheduler.schedule('interactive', () => model(enc))) as Record<string, Tensor>;
    const logits = output.logits;
    const vocab = logits.dims[2] as number;
    const data = logits.data as Float32Array;
    // The window keeps every mask in order, so the j-th mask position is the user's j-th mask.
    const userMasks = [...part.matchAll(USER_MASK)];
    return positions.map((pos, j) => {
      const probs = softmax(data.subarray(pos * vocab, (pos + 1) * vocab));
      const at = userMasks[j];
      const out: FillMaskCandidate[] = [];
      const seen = new Set<string>();
      const special = new Set(tokenizer.all_special_ids ?? []);
      // A few more than k: word pieces that continue nothing are dropped, and duplicates merged.
      for (const tokenId of topIndices(probs, topK + 16)) {
        if (out.length >= topK) break;
        if (special.has(tokenId)) continue;
        const w = wholeWord(part, at.index!, at[0].length, this.piece(tokenId), tokenizer.decode([tokenId], { skip_special_tokens: false }).trim());
        if (!w || seen.has(w.word)) continue;
        seen.add(w.word);
        out.push({ token: w.word, tokenId, score: probs[tokenId], sequence: w.sequence });
      }
      return out;
    });
  }

  private pieces: string[] | null = null;

  /** The vocabulary entry of an id as written in the vocabulary ("##s", "▁the", "the"). */
  private piece(id: number): string {
    if (!this.pieces) {
      this.pieces = [];
      for (const [tok, i] of this.m.tokenizer.get_vocab()) this.pieces[i] = tok;
    }
    return this.pieces[id] ?? '';
  }
}

/**
 * The word a predicted piece makes at a mask, and the user's text with only that mask replaced
 * (their casing and spacing kept, unlike the tokenizer's lowercased, re-spaced decode). A piece
 * that continues a word ("##s" in WordPiece) joins the word before the mask: "fun [MASK]" with
 * "##s" is "funs". Null when there is no word before the mask to continue.
 */
export function wholeWord(text: string, maskAt: number, maskLength: number, piece: string, decoded: string): { word: string; sequence: string } | null {
  const after = text.slice(maskAt + maskLength);
  const continues = piece.startsWith('##') && piece.length > 2;
  if (!continues) {
    const word = decoded || piece.replace(/^▁/, '');
    if (!word) return null;
    return { word, sequence: text.slice(0, maskAt) + word + after };
  }
  const before = text.slice(0, maskAt);
  const m = /([\p{L}\p{M}\p{N}_]+)(\s*)$/u.exec(before);
  if (!m) return null;
  const word = m[1] + piece.slice(2);
  return { word, sequence: before.slice(0, m.index) + word + after };
}

/**
 * The model reads one window of tokens: for a long text (a whole note with a [MASK] in it) keep
 * the part around the masks (as the user typed them: [MASK] or <mask>), cut at spaces, shrinking
 * until it fits. Masks too far apart to fit
 * in one window are refused with the reason.
 */
export function maskWindow(text: string, countTokens: (t: string) => number, maxTokens: number): string {
  if (text.length <= maxTokens || countTokens(text) <= maxTokens) return text;
  const all = [...text.matchAll(USER_MASK)];
  if (all.length === 0) return text;
  const first = all[0].index!;
  const last = all[all.length - 1].index! + all[all.length - 1][0].length;
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
