// How a model turns token vectors into a sentence vector, how long its input may be, what it
// wants in front of queries and passages, and which ONNX precision to run. Each field is taken
// from the first source that states it:
//   1. semantic-notes.json in the model folder (our own format, see README.md beside this file);
//   2. sentence-transformers files: modules.json (+ the Pooling module's config.json, a Normalize
//      module), or a lone pooling_config.json; sentence_bert_config.json (max_seq_length);
//      config_sentence_transformers.json (prompts → prefixes);
//   3. the built-in catalog (catalog.ts);
//   4. defaults: mean pooling, normalized, the model's window (at most 512 tokens), no prefixes,
//      fp32 (or q8 when onnx/model_quantized.onnx is the only weight file).
// maxTokens is always clamped to what the tokenizer and the position table allow, because a
// longer input would crash inside ONNX Runtime.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { POOLINGS, type Pooling } from '../types';
import { FUSION_METHODS, type FusionSettings } from '../search/fusion';
import { CATALOG } from './catalog';
import { isFile, readJson } from '../util/fsProbe';

export type ModelKind = 'embedding' | 'fill-mask' | 'cross-encoder';
export type Dtype = 'fp32' | 'q8' | 'fp16' | 'int8' | 'uint8' | 'q4';

export interface ModelProfile {
  pooling: Pooling;
  normalize: boolean;
  maxTokens: number;
  queryPrefix: string;
  passagePrefix: string;
  dtype: Dtype;
  /**
   * How hybrid search weighs this model's ranking against keywords. It belongs to the model: a
   * weak encoder deserves a small weight, a strong one a large one. Missing fields take the
   * product defaults (SEARCH_DEFAULTS in index/passageIndex.ts).
   */
  fusion?: Partial<FusionSettings>;
}

/** transformers.js v3/v4 file names under onnx/ (utils/dtypes.js DEFAULT_DTYPE_SUFFIX_MAPPING). */
export const ONNX_FILE: Readonly<Record<Dtype, string>> = {
  fp32: 'model.onnx',
  q8: 'model_quantized.onnx',
  fp16: 'model_fp16.onnx',
  int8: 'model_int8.onnx',
  uint8: 'model_uint8.onnx',
  q4: 'model_q4.onnx',
};

export const DTYPES = Object.keys(ONNX_FILE) as Dtype[];

export function isDtype(v: unknown): v is Dtype {
  return typeof v === 'string' && (DTYPES as string[]).includes(v);
}

/** Thrown when a model folder's own description is malformed or asks for something unsupported. */
export class ModelProfileError extends Error {
  override readonly name = 'ModelProfileError';
}

export function readProfile(modelDir: string, id: string): ModelProfile {
  const own = ownProfile(modelDir, id);
  const st = sentenceTransformersProfile(modelDir, id, own.pooling !== undefined);
  const { kind: _kind, routes: _routes, ...catalog } = CATALOG[id] ?? { kind: 'embedding' };
  const window = inputWindow(modelDir);
  const defaults: ModelProfile = { pooling: 'mean', normalize: true, maxTokens: Math.min(window, 512), queryPrefix: '', passagePrefix: '', dtype: 'fp32' };
  const p: ModelProfile = { ...defaults, ...catalog, ...st, ...own };
  p.maxTokens = Math.max(8, Math.min(p.maxTokens, window));
  p.dtype = chooseDtype(modelDir, own.dtype, catalog.dtype);
  return p;
}

/**
 * The ONNX precision to run: an explicit choice (semantic-notes.json) always wins, even when its
 * file is missing (resolution then reports the folder as incomplete). Otherwise the first of
 * config.json's transformers.js_config.dtype, the catalog's preference, fp32, q8, the other
 * precisions, whose file is present.
 */
function chooseDtype(dir: string, explicit: Dtype | undefined, preferred: Dtype | undefined): Dtype {
  if (explicit) return explicit;
  const cfg = readJson(path.join(dir, 'config.json')) as { 'transformers.js_config'?: { dtype?: unknown } } | null;
  const fromConfig = cfg?.['transformers.js_config']?.dtype;
  const order: Dtype[] = [];
  for (const d of [isDtype(fromConfig) ? fromConfig : undefined, preferred, 'fp32', 'q8', ...DTYPES] as (Dtype | undefined)[]) {
    if (d && !order.includes(d)) order.push(d);
  }
  return order.find((d) => isFile(path.join(dir, 'onnx', ONNX_FILE[d]))) ?? order[0];
}

/** Our own semantic-notes.json; every field optional, every field type-checked. */
function ownProfile(dir: string, id: string): Partial<ModelProfile> {
  const file = path.join(dir, 'semantic-notes.json');
  if (!fs.existsSync(file)) return {};
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ModelProfileError(`${id}: ${file} is not valid JSON (${(err as Error).message})`);
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new ModelProfileError(`${id}: ${file} must hold a JSON object`);
  const o = raw as Record<string, unknown>;
  const out: Partial<ModelProfile> = {};
  const bad = (key: string, want: string) => new ModelProfileError(`${id}: "${key}" in ${file} must be ${want}, not ${JSON.stringify(o[key])}`);
  if (o.pooling !== undefined) {
    if (!POOLINGS.includes(o.pooling as Pooling)) throw bad('pooling', `one of ${POOLINGS.join(', ')}`);
    out.pooling = o.pooling as Pooling;
  }
  if (o.normalize !== undefined) {
    if (typeof o.normalize !== 'boolean') throw bad('normalize', 'true or false');
    out.normalize = o.normalize;
  }
  if (o.maxTokens !== undefined) {
    if (!Number.isInteger(o.maxTokens) || (o.maxTokens as number) < 8) throw bad('maxTokens', 'a whole number of at least 8');
    out.maxTokens = o.maxTokens as number;
  }
  for (const key of ['queryPrefix', 'passagePrefix'] as const) {
    if (o[key] !== undefined) {
      if (typeof o[key] !== 'string') throw bad(key, 'a string');
      out[key] = o[key] as string;
    }
  }
  if (o.dtype !== undefined) {
    if (!isDtype(o.dtype)) throw bad('dtype', `one of ${DTYPES.join(', ')}`);
    out.dtype = o.dtype;
  }
  if (o.fusion !== undefined) {
    const f = o.fusion as Record<string, unknown>;
    if (!f || typeof f !== 'object' || Array.isArray(f)) throw bad('fusion', 'an object such as {"method": "convex", "semanticWeight": 0.3}');
    const fusion: Partial<FusionSettings> = {};
    if (f.method !== undefined) {
      if (!FUSION_METHODS.includes(f.method as FusionSettings['method'])) throw bad('fusion', `an object whose "method" is one of ${FUSION_METHODS.join(', ')}`);
      fusion.method = f.method as FusionSettings['method'];
    }
    if (f.semanticWeight !== undefined) {
      if (typeof f.semanticWeight !== 'number' || !(f.semanticWeight >= 0 && f.semanticWeight <= 1)) throw bad('fusion', 'an object whose "semanticWeight" is between 0 and 1');
      fusion.semanticWeight = f.semanticWeight;
    }
    if (f.rrfK !== undefined) {
      if (typeof f.rrfK !== 'number' || !(f.rrfK >= 0 && Number.isFinite(f.rrfK))) throw bad('fusion', 'an object whose "rrfK" is a number ≥ 0');
      fusion.rrfK = f.rrfK;
    }
    out.fusion = fusion;
  }
  return out;
}

interface StModule {
  type?: string;
  path?: string;
}

/**
 * sentence-transformers' own description. `poolingOverridden` lets semantic-notes.json rescue a
 * model whose pooling we cannot reproduce.
 */
function sentenceTransformersProfile(dir: string, id: string, poolingOverridden: boolean): Partial<ModelProfile> {
  const out: Partial<ModelProfile> = {};
  const modulesRaw = readJson(path.join(dir, 'modules.json'));
  const modules = Array.isArray(modulesRaw) ? (modulesRaw as StModule[]) : null;
  const isType = (m: StModule, name: string) => typeof m.type === 'string' && m.type.split('.').pop() === name;
  let poolingCfg: Record<string, unknown> | null = null;
  let transformerDir = dir;
  if (modules) {
    // Module paths are plain sub-folder names; anything else is not followed out of the folder.
    const sub = (p: unknown) => (typeof p === 'string' && (p === '' || (/^[\w-][\w.-]*$/.test(p) && !p.includes('..'))) ? p : null);
    const pm = modules.find((m) => isType(m, 'Pooling'));
    const pmPath = sub(pm?.path ?? '');
    if (pm && pmPath !== null) poolingCfg = readJson(path.join(dir, pmPath, 'config.json')) as Record<string, unknown> | null;
    const tm = modules.find((m) => isType(m, 'Transformer'));
    const tmPath = sub(tm?.path);
    if (tmPath) transformerDir = path.join(dir, tmPath);
    out.normalize = modules.some((m) => isType(m, 'Normalize'));
    const extra = modules.filter((m) => !['Transformer', 'Pooling', 'Normalize'].some((t) => isType(m, t)));
    if (extra.length && !poolingOverridden) {
      throw new ModelProfileError(
        `${id}: its sentence-transformers pipeline has ${extra.map((m) => m.type).join(', ')} after pooling, which an ONNX export of the transformer does not contain; its vectors cannot be reproduced here (a semantic-notes.json with an explicit "pooling" overrides this check)`,
      );
    }
  }
  poolingCfg ??= readJson(path.join(dir, 'pooling_config.json')) as Record<string, unknown> | null;
  if (poolingCfg) {
    const pooling = poolingFromConfig(poolingCfg);
    if (pooling) out.pooling = pooling;
    else if (!poolingOverridden) {
      const modes = Object.keys(poolingCfg).filter((k) => k.startsWith('pooling_mode_') && poolingCfg![k] === true);
      throw new ModelProfileError(
        `${id}: its pooling (${modes.join(', ') || 'none set'}) is not one Semantic Notes supports (cls, mean, max); set "pooling" in a semantic-notes.json in ${dir} to override`,
      );
    }
  }
  const sb = (readJson(path.join(transformerDir, 'sentence_bert_config.json')) ?? readJson(path.join(dir, 'sentence_bert_config.json'))) as { max_seq_length?: unknown } | null;
  if (Number.isInteger(sb?.max_seq_length) && (sb!.max_seq_length as number) > 0) out.maxTokens = sb!.max_seq_length as number;
  const stCfg = readJson(path.join(dir, 'config_sentence_transformers.json')) as { prompts?: Record<string, unknown> } | null;
  const prompts = stCfg?.prompts;
  if (prompts && typeof prompts === 'object') {
    if (typeof prompts.query === 'string') out.queryPrefix = prompts.query;
    const passage = prompts.passage ?? prompts.document;
    if (typeof passage === 'string') out.passagePrefix = passage;
  }
  return out;
}

function poolingFromConfig(cfg: Record<string, unknown>): Pooling | null {
  // Newer sentence-transformers write a single "pooling_mode" string.
  const mode = typeof cfg.pooling_mode === 'string' ? cfg.pooling_mode : null;
  const on = (k: string) => cfg[`pooling_mode_${k}`] === true || mode === k;
  const enabled = ['cls_token', 'mean_tokens', 'max_tokens', 'mean_sqrt_len_tokens', 'weightedmean_tokens', 'lasttoken'].filter(on);
  if (mode === 'cls') enabled.push('cls_token');
  if (mode === 'mean') enabled.push('mean_tokens');
  if (mode === 'max') enabled.push('max_tokens');
  const set = new Set(enabled);
  // Mean scaled by sqrt(length) points the same way as the mean: cosine cannot tell them apart.
  if (set.has('mean_sqrt_len_tokens')) {
    set.delete('mean_sqrt_len_tokens');
    set.add('mean_tokens');
  }
  if (set.size !== 1) return null;
  const only = [...set][0];
  return only === 'cls_token' ? 'cls' : only === 'mean_tokens' ? 'mean' : only === 'max_tokens' ? 'max' : null;
}

/** The longest input the tokenizer and the model's position table both allow. */
export function inputWindow(dir: string): number {
  const tok = readJson(path.join(dir, 'tokenizer_config.json')) as { model_max_length?: unknown } | null;
  const cfg = readJson(path.join(dir, 'config.json')) as { max_position_embeddings?: unknown; model_type?: unknown; pad_token_id?: unknown } | null;
  let window = Infinity;
  const mml = tok?.model_max_length;
  // Tokenizers without a limit store a huge sentinel (1e30).
  if (typeof mml === 'number' && mml > 0 && mml < 1e6) window = mml;
  const mpe = cfg?.max_position_embeddings;
  if (typeof mpe === 'number' && mpe > 0) {
    // RoBERTa-style models number positions from padding_idx + 1 (514 positions → 512 tokens).
    const roberta = typeof cfg?.model_type === 'string' && /roberta|camembert/.test(cfg.model_type);
    const offset = roberta ? (typeof cfg?.pad_token_id === 'number' ? cfg.pad_token_id : 1) + 1 : 0;
    window = Math.min(window, mpe - offset);
  }
  return Number.isFinite(window) ? window : 512;
}


