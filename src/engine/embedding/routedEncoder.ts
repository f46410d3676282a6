// Two models, one vector space each, concatenated into one vector: a text's Hangul words are read
// by the Korean model and the rest by the other (English) model, and the vector is
//   [ w_other · other(rest) | w_hangul · hangul(Hangul words) ]  (each part unit length),
// then normalized as a whole. The weights come from the text's script shares (scriptShares), so
// pure English → [e, 0], pure Korean → [0, k], mixed → both. Cosine in this space is each model's
// own cosine for same-script pairs and 0 across scripts: a Korean query meets Korean passages in
// the Korean model's space, English in the English one, and one vector index and one store keep
// working unchanged.
import * as crypto from 'node:crypto';
import type { ModelProfile } from '../models/profile';
import { scriptCounts } from '../text/script';
import { splitByScript } from '../text/split';
import type { EmbedOptions, Embedder } from './encoder';

/**
 * How a mixed text's two parts are weighed, from the Hangul share h of its letters (1 − h the rest):
 * - sqrt:   w = (√(1 − h), √h): each part's share of the squared length equals its share of the letters
 * - share:  w = (1 − h, h)
 * - square: w = ((1 − h)², h²): the main script dominates sooner
 * - equal:  w = (1, 1) whenever both parts have letters
 * Sharper weightings keep a mostly-Korean passage nearly as close to a Korean query as a purely
 * Korean one (a few English names in it cost little), at the price of the minor part's pull.
 */
export type RoutedWeighting = 'sqrt' | 'share' | 'square' | 'equal';
export const ROUTED_WEIGHTINGS: readonly RoutedWeighting[] = ['sqrt', 'share', 'square', 'equal'];

/**
 * Which text the Hangul model reads: only the words with Hangul ("hangul-words"), or the whole text
 * ("all": the Korean model was trained on Korean text full of English terms, and reads them too).
 */
export type HangulInput = 'hangul-words' | 'all';

export interface RoutedEncoderOptions {
  id: string;
  /** Reads the Hangul part. */
  hangul: Embedder;
  /** Reads everything else. */
  other: Embedder;
  weighting?: RoutedWeighting;
  hangulInput?: HangulInput;
  /** Profile fields stated for the routed model itself (e.g. its catalog entry's fusion settings). */
  profile?: Partial<ModelProfile>;
}

// Chosen by bench/models.ts on the tuning split (SciFact train + korquad-a, union corpus, semantic
// nDCG@10, mean of the two languages): square 0.540, share 0.534, sqrt 0.503, equal 0.421.
export const DEFAULT_ROUTED_WEIGHTING: RoutedWeighting = 'square';
export const DEFAULT_HANGUL_INPUT: HangulInput = 'hangul-words';

interface Route {
  /** Text for the other model, or null when its weight is 0. */
  other: string | null;
  hangul: string | null;
  wOther: number;
  wHangul: number;
}

export class RoutedEncoder implements Embedder {
  readonly id: string;
  readonly dims: number;
  readonly fingerprint: string;
  readonly profile: ModelProfile;
  readonly weighting: RoutedWeighting;
  readonly hangulInput: HangulInput;
  private readonly hangul: Embedder;
  private readonly other: Embedder;

  constructor(o: RoutedEncoderOptions) {
    this.id = o.id;
    this.hangul = o.hangul;
    this.other = o.other;
    this.weighting = o.weighting ?? DEFAULT_ROUTED_WEIGHTING;
    this.hangulInput = o.hangulInput ?? DEFAULT_HANGUL_INPUT;
    this.dims = o.other.dims + o.hangul.dims;
    const a = o.other.profile;
    const b = o.hangul.profile;
    this.profile = {
      pooling: a.pooling,
      normalize: true,
      // Chunks are sized so that both models read them whole.
      maxTokens: Math.min(a.maxTokens, b.maxTokens),
      queryPrefix: '',
      passagePrefix: '',
      dtype: a.dtype,
      ...o.profile,
    };
    const parts = `other=${o.other.fingerprint}\0hangul=${o.hangul.fingerprint}\0${this.weighting}\0${this.hangulInput}`;
    this.fingerprint = `${o.id}|routed-${this.weighting}-${this.hangulInput}|${this.dims}d|${crypto.createHash('sha256').update(parts).digest('hex').slice(0, 16)}`;
  }

  /** The ids of the two models: [other, hangul]. */
  get parts(): [string, string] {
    return [this.other.id, this.hangul.id];
  }

  countTokens(text: string): number {
    const r = this.route(text);
    return Math.max(r.other === null ? 0 : this.other.countTokens(r.other), r.hangul === null ? 0 : this.hangul.countTokens(r.hangul));
  }

  /** What each model reads of a text and with what weight. */
  route(text: string): Route {
    const c = scriptCounts(text);
    if (c.hangul === 0) return { other: text, hangul: null, wOther: 1, wHangul: 0 };
    const parts = splitByScript(text);
    const hangulText = this.hangulInput === 'all' ? text : parts.hangul;
    if (c.hangul === c.letters || parts.rest === '') return { other: null, hangul: hangulText, wOther: 0, wHangul: 1 };
    const h = c.hangul / c.letters;
    const [wOther, wHangul] = WEIGHTS[this.weighting](h);
    return { other: parts.rest, hangul: hangulText, wOther, wHangul };
  }

  async embed(texts: string[], opts: EmbedOptions = {}): Promise<Float32Array[]> {
    const routes = texts.map((t) => this.route(t));
    const otherIdx = routes.flatMap((r, i) => (r.other !== null ? [i] : []));
    const hangulIdx = routes.flatMap((r, i) => (r.hangul !== null ? [i] : []));
    const total = otherIdx.length + hangulIdx.length;
    // Progress is reported in texts: model passes done so far, scaled to the caller's count.
    const progress = (offset: number) => (done: number) => opts.onProgress?.(Math.round(((offset + done) / Math.max(1, total)) * texts.length), texts.length);
    // Ids given for the whole texts do not belong to either part's text.
    const partOpts = { ...opts, normalize: true, ids: undefined };
    const otherVecs = otherIdx.length ? await this.other.embed(otherIdx.map((i) => routes[i].other!), { ...partOpts, onProgress: progress(0) }) : [];
    const hangulVecs = hangulIdx.length ? await this.hangul.embed(hangulIdx.map((i) => routes[i].hangul!), { ...partOpts, onProgress: progress(otherIdx.length) }) : [];
    const out = texts.map(() => new Float32Array(this.dims));
    const split = this.other.dims;
    otherIdx.forEach((i, j) => scaleInto(out[i], 0, otherVecs[j], routes[i].wOther));
    hangulIdx.forEach((i, j) => scaleInto(out[i], split, hangulVecs[j], routes[i].wHangul));
    if (opts.normalize ?? this.profile.normalize) for (const v of out) normalize(v);
    return out;
  }
}

const WEIGHTS: Record<RoutedWeighting, (h: number) => [number, number]> = {
  sqrt: (h) => [Math.sqrt(1 - h), Math.sqrt(h)],
  share: (h) => [1 - h, h],
  square: (h) => [(1 - h) ** 2, h ** 2],
  equal: () => [1, 1],
};

function scaleInto(dst: Float32Array, offset: number, src: Float32Array, w: number): void {
  for (let k = 0; k < src.length; k++) dst[offset + k] = src[k] * w;
}

function normalize(v: Float32Array): void {
  let s = 0;
  for (let k = 0; k < v.length; k++) s += v[k] * v[k];
  if (s === 0) return;
  const inv = 1 / Math.sqrt(s);
  for (let k = 0; k < v.length; k++) v[k] *= inv;
}
