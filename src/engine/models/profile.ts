// How a model turns token vectors into a sentence vector, and how it wants its input. Read, in
// order, from: our own semantic-notes.json in the model folder; sentence-transformers' files
// (modules.json + 1_Pooling/config.json, or a pooling_config.json, and sentence_bert_config.json);
// the built-in catalog; defaults (mean pooling, normalized, the tokenizer's window up to 512).
//
// semantic-notes.json: { "pooling": "cls"|"mean"|"max", "normalize": bool, "maxTokens": n,
//                        "queryPrefix": "", "passagePrefix": "", "dtype": "fp32"|"q8"|… }
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Pooling } from '../types';
import { CATALOG } from './catalog';

export type ModelKind = 'embedding' | 'fill-mask' | 'cross-encoder';
export type Dtype = 'fp32' | 'fp16' | 'q8' | 'int8' | 'uint8' | 'q4';

export interface ModelProfile {
  pooling: Pooling;
  normalize: boolean;
  maxTokens: number;
  queryPrefix: string;
  passagePrefix: string;
  dtype: Dtype;
}

/** transformers.js v3/v4 file names of each dtype under onnx/. */
export const ONNX_FILE: Record<Dtype, string> = {
  fp32: 'model.onnx',
  fp16: 'model_fp16.onnx',
  q8: 'model_quantized.onnx',
  int8: 'model_int8.onnx',
  uint8: 'model_uint8.onnx',
  q4: 'model_q4.onnx',
};

export function readProfile(modelDir: string, id: string): ModelProfile {
  const own = readJson(path.join(modelDir, 'semantic-notes.json')) as Partial<ModelProfile> | null;
  const st = sentenceTransformersProfile(modelDir);
  const catalog = CATALOG[id] ?? {};
  const tokCfg = readJson(path.join(modelDir, 'tokenizer_config.json')) as { model_max_length?: number } | null;
  const window = tokCfg?.model_max_length && tokCfg.model_max_length < 1e6 ? tokCfg.model_max_length : 512;
  const defaults: ModelProfile = { pooling: 'mean', normalize: true, maxTokens: Math.min(window, 512), queryPrefix: '', passagePrefix: '', dtype: defaultDtype(modelDir) };
  const p: ModelProfile = { ...defaults, ...catalog, ...st, ...(own ?? {}) };
  if (!['cls', 'mean', 'max'].includes(p.pooling)) throw new Error(`${id}: unknown pooling "${p.pooling}" in its profile`);
  if (!(p.dtype in ONNX_FILE)) throw new Error(`${id}: unknown dtype "${p.dtype}" in its profile`);
  p.maxTokens = Math.max(8, Math.min(p.maxTokens, window));
  return p;
}

function sentenceTransformersProfile(dir: string): Partial<ModelProfile> {
  const out: Partial<ModelProfile> = {};
  const modules = readJson(path.join(dir, 'modules.json')) as { type?: string; path?: string }[] | null;
  let poolingCfg: Record<string, unknown> | null = null;
  if (Array.isArray(modules)) {
    const pm = modules.find((m) => m.type?.endsWith('Pooling'));
    if (pm?.path) poolingCfg = readJson(path.join(dir, pm.path, 'config.json')) as Record<string, unknown> | null;
    out.normalize = modules.some((m) => m.type?.endsWith('Normalize'));
  }
  poolingCfg ??= readJson(path.join(dir, 'pooling_config.json')) as Record<string, unknown> | null;
  if (poolingCfg) {
    if (poolingCfg.pooling_mode_cls_token) out.pooling = 'cls';
    else if (poolingCfg.pooling_mode_max_tokens) out.pooling = 'max';
    else if (poolingCfg.pooling_mode_mean_tokens) out.pooling = 'mean';
  }
  const sb = readJson(path.join(dir, 'sentence_bert_config.json')) as { max_seq_length?: number } | null;
  if (sb?.max_seq_length) out.maxTokens = sb.max_seq_length;
  return out;
}

function defaultDtype(dir: string): Dtype {
  if (fs.existsSync(path.join(dir, 'onnx', ONNX_FILE.fp32))) return 'fp32';
  if (fs.existsSync(path.join(dir, 'onnx', ONNX_FILE.q8))) return 'q8';
  return 'fp32';
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}
