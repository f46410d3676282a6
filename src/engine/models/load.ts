// Loads a resolved model with transformers.js, fully offline: everything was resolved to a local
// folder first, so no network is touched here. Before and right after the ONNX session is made,
// the parts are checked to fit together (tokenizer vs embedding table, graph outputs vs the kind
// asked for, one probe pass), so a broken or mismatched model fails here with one sentence naming
// the model and the problem, not later with a stack of ONNX Runtime internals.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { PreTrainedModel, PreTrainedTokenizer, Tensor } from '@huggingface/transformers' with { 'resolution-mode': 'import' };
import { CATALOG } from './catalog';
import { externalDataFiles } from './folder';
import { ONNX_FILE, readProfile, type ModelKind, type ModelProfile } from './profile';
import type { ModelLocation } from './resolve';
import { readJson } from '../util/fsProbe';
import { WordPiece, type WordPieceJson } from '../embedding/wordPiece';

export interface LoadedModel {
  id: string;
  kind: ModelKind;
  tokenizer: PreTrainedTokenizer;
  model: PreTrainedModel;
  profile: ModelProfile;
  /**
   * Changes whenever the vectors could: the weights and tokenizer files (content signatures),
   * precision, output size, pooling, normalization, window and prefixes. Stable across loads and
   * copies of the same files. Used to key the vector store so vectors of two models never mix.
   */
  fingerprint: string;
  /** Embedding: vector size. Fill-mask: vocabulary size. Cross-encoder: number of labels. */
  dims: number;
  location: ModelLocation;
  /** Embedding models with a BERT WordPiece tokenizer: the fast copy of it (else null: transformers.js tokenizes). */
  wordPiece?: WordPiece | null;
}

export interface LoadOptions {
  /** ONNX Runtime intra-op threads; default: the number of cores. */
  threads?: number;
}

export class ModelLoadError extends Error {
  override readonly name = 'ModelLoadError';
  constructor(
    readonly id: string,
    message: string,
  ) {
    super(message);
  }
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

const EXPECTED_OUTPUT: Record<ModelKind, string[]> = {
  embedding: ['last_hidden_state', 'token_embeddings'],
  'fill-mask': ['logits'],
  'cross-encoder': ['logits'],
};

export function loadModel(loc: ModelLocation, kind: ModelKind, opts: LoadOptions = {}): Promise<LoadedModel> {
  // transformers.js reads its folder from a global (env.localModelPath), so loads run one at a time.
  const run = queue.then(() => doLoad(loc, kind, opts));
  queue = run.catch(() => {});
  return run;
}

async function doLoad(loc: ModelLocation, kind: ModelKind, opts: LoadOptions): Promise<LoadedModel> {
  const id = loc.id;
  const fail = (problem: string) => new ModelLoadError(id, `Model ${id} (${loc.dir}) cannot be loaded: ${problem}.`);
  let profile: ModelProfile;
  try {
    profile = readProfile(loc.dir, id);
  } catch (err) {
    throw fail((err as Error).message.replace(/^[^:]+: /, ''));
  }
  if (loc.dtype) profile = { ...profile, dtype: loc.dtype };
  const onnxName = `onnx/${ONNX_FILE[profile.dtype]}`;
  const onnxPath = path.join(loc.dir, onnxName);
  const config = readJson(path.join(loc.dir, 'config.json'));
  if (!config || typeof config !== 'object') throw fail('config.json is missing or not valid JSON');
  const onnxSize = sizeOf(onnxPath);
  if (onnxSize === null) throw fail(`${onnxName} (${profile.dtype} weights) is missing`);
  if (onnxSize === 0) throw fail(`${onnxName} is empty — delete the folder and fetch the model again`);
  const { maxId: tokenizerMaxId, json: tokenizerJson } = checkVocab(loc, config as Record<string, unknown>, fail);

  const T = lib();
  T.env.allowRemoteModels = false;
  T.env.allowLocalModels = true;
  T.env.localModelPath = loc.root.endsWith(path.sep) ? loc.root : loc.root + path.sep;
  // transformers.js looks in its file cache (env.cacheDir) *before* localModelPath (utils/hub.js
  // loadResourceFile → checkCachedResource), so a stale copy there would shadow our folder.
  T.env.useFSCache = false;
  T.env.useBrowserCache = false;
  T.env.useCustomCache = false;

  let tokenizer: PreTrainedTokenizer;
  try {
    tokenizer = await T.AutoTokenizer.from_pretrained(id, { local_files_only: true });
  } catch (err) {
    throw fail(`its tokenizer (tokenizer.json, tokenizer_config.json) could not be read: ${firstLine(err)}`);
  }

  const threads = Math.max(1, Math.floor(opts.threads ?? os.availableParallelism()));
  const Auto = kind === 'embedding' ? T.AutoModel : kind === 'fill-mask' ? T.AutoModelForMaskedLM : T.AutoModelForSequenceClassification;
  let model: PreTrainedModel;
  try {
    model = await Auto.from_pretrained(id, {
      dtype: profile.dtype,
      device: 'cpu',
      local_files_only: true,
      // One pass uses every core; BERT-like graphs have no parallel branches worth inter-op threads.
      session_options: { intraOpNumThreads: threads, interOpNumThreads: 1 },
    });
  } catch (err) {
    const msg = firstLine(err);
    const corrupt = /protobuf|parse|invalid model|load model|corrupt|unexpected end|no graph/i.test(msg);
    throw fail(
      corrupt
        ? `${onnxName} (${onnxSize} bytes) is not a readable ONNX model — it is probably truncated or damaged; delete ${loc.dir} and fetch the model again (ONNX Runtime: ${msg})`
        : `${onnxName} could not be opened as ${article(kind)} ${kind} model (${msg})`,
    );
  }

  let dims: number;
  try {
    dims = await probe(id, kind, tokenizer, model, tokenizerMaxId);
  } catch (err) {
    await model.dispose().catch(() => {});
    throw fail((err as Error).message);
  }
  const fingerprint = fingerprintOf(loc, profile, onnxName, config as Record<string, unknown>, kind, dims);
  const wordPiece = kind === 'embedding' ? WordPiece.from(tokenizerJson) : null;
  return { id, kind, tokenizer, model, profile, fingerprint, dims, location: loc, wordPiece };
}

/**
 * Checks the graph has the output the kind needs and runs one tiny pass, so shape or vocabulary
 * problems surface at load. Returns the output size.
 */
async function probe(id: string, kind: ModelKind, tokenizer: PreTrainedTokenizer, model: PreTrainedModel, tokenizerMaxId: number): Promise<number> {
  const session = (model as unknown as { sessions?: Record<string, { outputNames?: readonly string[] }> }).sessions?.model;
  const outputs = session?.outputNames ?? [];
  const expected = EXPECTED_OUTPUT[kind];
  if (outputs.length && !outputs.some((o) => expected.includes(o))) {
    const cat = CATALOG[id]?.kind;
    const guess = outputs.includes('logits') ? 'a fill-mask or classification model' : outputs.includes('last_hidden_state') ? 'an embedding model' : 'another kind of model';
    throw new Error(`its ONNX graph outputs ${outputs.join(', ')}, not ${expected.join(' or ')}: it is ${guess}, not ${article(kind)} ${kind} model${cat && cat !== kind ? ` (the catalog lists ${id} as ${article(cat)} ${cat} model)` : ''}`);
  }
  let out: Record<string, Tensor>;
  try {
    const enc = tokenizer(['semantic notes'], { padding: true, truncation: true, max_length: 16 });
    out = (await model(enc)) as Record<string, Tensor>;
  } catch (err) {
    throw new Error(`a test pass through ONNX Runtime failed (${firstLine(err)})`);
  }
  const t = expected.map((name) => out[name]).find(Boolean) ?? Object.values(out)[0];
  const shape = (t?.dims ?? []) as number[];
  if (kind === 'embedding') {
    if (shape.length !== 3) throw new Error(`its output has shape [${shape.join(', ')}], expected [batch, tokens, dims]`);
    return shape[2];
  }
  if (kind === 'fill-mask') {
    if (shape.length !== 3) throw new Error(`its logits have shape [${shape.join(', ')}], expected [batch, tokens, vocabulary]`);
    if (shape[2] <= tokenizerMaxId) throw new Error(`it scores ${shape[2]} tokens but the tokenizer has ids up to ${tokenizerMaxId}: the tokenizer does not belong to this model`);
    return shape[2];
  }
  if (shape.length !== 2) throw new Error(`its logits have shape [${shape.join(', ')}], expected [batch, labels]`);
  return shape[1];
}

/**
 * The tokenizer's highest id must fit the model's embedding table (config vocab_size), or the first
 * unusual word would crash inside ONNX Runtime's Gather. Returns that highest id, and the parsed
 * tokenizer.json (read once, for the fast WordPiece too).
 */
function checkVocab(loc: ModelLocation, config: Record<string, unknown>, fail: (p: string) => Error): { maxId: number; json: WordPieceJson } {
  const tok = readJson(path.join(loc.dir, 'tokenizer.json')) as { model?: { vocab?: Record<string, number> | [string, number][] }; added_tokens?: { id: number }[] } | null;
  if (!tok || typeof tok !== 'object') throw fail('tokenizer.json is missing or not valid JSON');
  const vocab = tok.model?.vocab;
  let maxId = -1;
  if (Array.isArray(vocab)) maxId = vocab.length - 1; // Unigram: [piece, score] pairs, id = index
  else if (vocab && typeof vocab === 'object') for (const v of Object.values(vocab)) if (typeof v === 'number' && v > maxId) maxId = v;
  for (const t of tok.added_tokens ?? []) if (typeof t?.id === 'number' && t.id > maxId) maxId = t.id;
  const size = config.vocab_size;
  if (typeof size === 'number' && size > 0 && maxId >= size) {
    throw fail(`its tokenizer has ${maxId + 1} tokens (ids up to ${maxId}) but the model's embedding table (config.json vocab_size) has only ${size}: the tokenizer does not belong to this model`);
  }
  return { maxId, json: tok as WordPieceJson };
}

function fingerprintOf(loc: ModelLocation, p: ModelProfile, onnxName: string, config: Record<string, unknown>, kind: ModelKind, dims: number): string {
  const h = crypto.createHash('sha256');
  // Content only (not paths, dates or where the files came from): a copy of the same files into
  // another folder keeps its index.
  for (const f of [onnxName, ...externalDataFiles(config, p.dtype), 'tokenizer.json']) h.update(`${f}\0${fileSignature(path.join(loc.dir, f))}\0`);
  h.update(`${p.queryPrefix}\0${p.passagePrefix}\0`);
  const norm = p.normalize ? 'norm' : 'raw';
  const shape = kind === 'embedding' ? `${p.pooling}-${norm}` : kind;
  return `${loc.id}|${p.dtype}|${dims}d|${shape}|${p.maxTokens}t|${h.digest('hex').slice(0, 16)}`;
}

/** Size and hashes of the first and last MiB: cheap, yet changes with the content. */
function fileSignature(file: string): string {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return 'absent';
  }
  try {
    const size = fs.fstatSync(fd).size;
    const n = Math.min(size, 1 << 20);
    const head = Buffer.alloc(n);
    const tail = Buffer.alloc(n);
    fs.readSync(fd, head, 0, n, 0);
    fs.readSync(fd, tail, 0, n, size - n);
    return crypto.createHash('sha256').update(String(size)).update(head).update(tail).digest('hex');
  } finally {
    fs.closeSync(fd);
  }
}

function sizeOf(p: string): number | null {
  try {
    const st = fs.statSync(p);
    return st.isFile() ? st.size : null;
  } catch {
    return null;
  }
}


function article(kind: ModelKind): string {
  return kind === 'embedding' ? 'an' : 'a';
}

function firstLine(err: unknown): string {
  return String((err as Error)?.message ?? err)
    .split('\n')[0]
    .slice(0, 300);
}
