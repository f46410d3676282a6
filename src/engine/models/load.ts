// Loads a resolved model with transformers.js, fully offline (everything was resolved to a local
// folder first), and checks that its parts fit together before the first inference can fail
// deep inside ONNX Runtime.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { PreTrainedModel, PreTrainedTokenizer } from '@huggingface/transformers' with { 'resolution-mode': 'import' };
import { ONNX_FILE, readProfile, type ModelKind, type ModelProfile } from './profile';
import type { ModelLocation } from './resolve';

export interface LoadedModel {
  id: string;
  tokenizer: PreTrainedTokenizer;
  model: PreTrainedModel;
  profile: ModelProfile;
  /** Changes whenever the vectors could: model files, dtype, pooling, normalization. */
  fingerprint: string;
}

type Transformers = typeof import('@huggingface/transformers', { with: { 'resolution-mode': 'import' } });
let transformers: Transformers | null = null;
let queue: Promise<unknown> = Promise.resolve();

function lib(): Transformers {
  // Loaded on first use: importing it costs ~0.5 s, which CLI commands without a model skip.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  transformers ??= require('@huggingface/transformers') as Transformers;
  return transformers;
}

export class ModelLoadError extends Error {
  override readonly name = 'ModelLoadError';
}

export function loadModel(loc: ModelLocation, kind: ModelKind): Promise<LoadedModel> {
  // transformers.js reads its folder from a global, so loads run one at a time.
  const run = queue.then(() => doLoad(loc, kind));
  queue = run.catch(() => {});
  return run;
}

async function doLoad(loc: ModelLocation, kind: ModelKind): Promise<LoadedModel> {
  const T = lib();
  const profile = readProfile(loc.dir, loc.id);
  const onnx = path.join(loc.dir, 'onnx', ONNX_FILE[profile.dtype]);
  checkVocab(loc);
  T.env.allowRemoteModels = false;
  T.env.allowLocalModels = true;
  T.env.localModelPath = loc.root.endsWith(path.sep) ? loc.root : loc.root + path.sep;
  const options = { dtype: profile.dtype, local_files_only: true, session_options: { intraOpNumThreads: Math.max(1, (await import('node:os')).availableParallelism()) } };
  let tokenizer: PreTrainedTokenizer;
  let model: PreTrainedModel;
  try {
    tokenizer = await T.AutoTokenizer.from_pretrained(loc.id, { local_files_only: true });
  } catch (err) {
    throw new ModelLoadError(`${loc.id}: its tokenizer in ${loc.dir} could not be read (${firstLine(err)})`);
  }
  try {
    const Auto = kind === 'embedding' ? T.AutoModel : kind === 'fill-mask' ? T.AutoModelForMaskedLM : T.AutoModelForSequenceClassification;
    model = await Auto.from_pretrained(loc.id, options as never);
  } catch (err) {
    throw new ModelLoadError(`${loc.id}: ${path.relative(loc.dir, onnx)} could not be loaded as ${kind === 'embedding' ? 'an' : 'a'} ${kind} model (${firstLine(err)}); the file may be truncated or of another kind — delete ${loc.dir} and fetch it again`);
  }
  const cfg = JSON.parse(fs.readFileSync(path.join(loc.dir, 'config.json'), 'utf8')) as { hidden_size?: number };
  const fingerprint = [loc.id, profile.dtype, fileSignature(onnx), cfg.hidden_size ?? '', profile.pooling, profile.normalize, profile.maxTokens, profile.queryPrefix, profile.passagePrefix].join('|');
  return { id: loc.id, tokenizer, model, profile, fingerprint };
}

/** A tokenizer whose ids run past the model's embedding table would crash inside ORT. */
function checkVocab(loc: ModelLocation): void {
  const cfg = readJson(path.join(loc.dir, 'config.json')) as { vocab_size?: number } | null;
  if (!cfg) throw new ModelLoadError(`${loc.id}: config.json in ${loc.dir} is missing or not JSON`);
  const tok = readJson(path.join(loc.dir, 'tokenizer.json')) as { model?: { vocab?: Record<string, number> | [string, number][] }; added_tokens?: { id: number }[] } | null;
  if (!tok) throw new ModelLoadError(`${loc.id}: tokenizer.json in ${loc.dir} is missing or not JSON`);
  const vocab = tok.model?.vocab;
  let maxId = -1;
  if (Array.isArray(vocab)) maxId = vocab.length - 1;
  else if (vocab) for (const v of Object.values(vocab)) if (v > maxId) maxId = v;
  for (const t of tok.added_tokens ?? []) if (t.id > maxId) maxId = t.id;
  if (cfg.vocab_size && maxId >= cfg.vocab_size) {
    throw new ModelLoadError(`${loc.id}: the tokenizer has ids up to ${maxId} but the model knows only ${cfg.vocab_size} tokens — the tokenizer does not belong to this model`);
  }
}

/** Size and hashes of the first and last MiB: cheap, yet changes with the content. */
function fileSignature(file: string): string {
  const st = fs.statSync(file);
  const fd = fs.openSync(file, 'r');
  try {
    const n = Math.min(st.size, 1 << 20);
    const head = Buffer.alloc(n);
    const tail = Buffer.alloc(n);
    fs.readSync(fd, head, 0, n, 0);
    fs.readSync(fd, tail, 0, n, st.size - n);
    return crypto.createHash('sha256').update(String(st.size)).update(head).update(tail).digest('hex').slice(0, 16);
  } finally {
    fs.closeSync(fd);
  }
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

function firstLine(err: unknown): string {
  return String((err as Error)?.message ?? err).split('\n')[0].slice(0, 300);
}
