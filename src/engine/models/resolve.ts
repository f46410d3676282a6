// Where a model's files are: an explicit models folder first, then the per-user cache, then —
// only when downloads are allowed — the Hugging Face hub, downloaded into the cache. A download
// lands in a staging folder and is moved into place only when every required file is complete,
// so a cancelled or broken download never passes for a model.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CATALOG } from './catalog';
import { ONNX_FILE, readProfile, type Dtype } from './profile';

export interface DownloadProgress {
  file: string;
  loaded: number;
  total: number;
  status: 'download' | 'done';
}

export interface ResolveOptions {
  modelsDir?: string;
  cacheDir?: string;
  allowDownload?: boolean;
  /** Hub address (default https://huggingface.co); mirrors and the loopback test hub set it. */
  remoteHost?: string;
  revision?: string;
  onProgress?: (p: DownloadProgress) => void;
  signal?: AbortSignal;
}

export interface ModelLocation {
  id: string;
  /** The model's own folder. */
  dir: string;
  /** The folder that holds `<org>/<name>/` (transformers.js localModelPath). */
  root: string;
  source: 'models-dir' | 'cache' | 'hub';
}

export class ModelNotFoundError extends Error {
  override readonly name = 'ModelNotFoundError';
  constructor(readonly id: string, readonly searched: string[], downloadsAllowed: boolean, cause?: string) {
    super(
      `model ${id} was not found` +
        (searched.length ? ` in ${searched.join(' or ')}` : '') +
        (cause ? ` (${cause})` : '') +
        (downloadsAllowed
          ? '; check the model id and your connection to the Hugging Face hub'
          : '; point SEMANTIC_NOTES_MODELS (or --models-dir, or the modelsDirectory setting) at a folder holding it, or allow downloads (--allow-download)'),
    );
  }
}

const REQUIRED = ['config.json', 'tokenizer.json', 'tokenizer_config.json'];
const OPTIONAL = ['special_tokens_map.json', 'modules.json', '1_Pooling/config.json', 'sentence_bert_config.json', 'semantic-notes.json', 'pooling_config.json'];

export function defaultCacheDir(): string {
  if (process.env.SEMANTIC_NOTES_CACHE) return process.env.SEMANTIC_NOTES_CACHE;
  if (process.platform === 'win32') return path.join(process.env.LOCALAPPDATA ?? path.join(os.homedir(), 'AppData', 'Local'), 'semantic-notes', 'models');
  if (process.platform === 'darwin') return path.join(os.homedir(), 'Library', 'Caches', 'semantic-notes', 'models');
  return path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'semantic-notes', 'models');
}

export function validateModelId(id: string): void {
  if (!/^[A-Za-z0-9][\w.-]*(\/[A-Za-z0-9][\w.-]*)?$/.test(id) || id.includes('..')) {
    throw new Error(`"${id}" is not a valid model id (expected org/name, e.g. Xenova/all-MiniLM-L6-v2)`);
  }
}

/** A model folder is usable when its config, tokenizer and ONNX file for its dtype are all there. */
export function isCompleteModel(dir: string, id: string): boolean {
  if (!REQUIRED.every((f) => fs.existsSync(path.join(dir, f)))) return false;
  try {
    return fs.existsSync(path.join(dir, 'onnx', ONNX_FILE[readProfile(dir, id).dtype]));
  } catch {
    return false;
  }
}

export async function resolveModel(id: string, opts: ResolveOptions = {}): Promise<ModelLocation> {
  validateModelId(id);
  const cacheDir = opts.cacheDir ?? defaultCacheDir();
  const searched: string[] = [];
  for (const [root, source] of [[opts.modelsDir, 'models-dir'], [cacheDir, 'cache']] as const) {
    if (!root) continue;
    const dir = path.join(root, id);
    searched.push(dir);
    if (isCompleteModel(dir, id)) return { id, dir, root, source };
  }
  if (!opts.allowDownload) throw new ModelNotFoundError(id, searched, false);
  const dir = await download(id, cacheDir, opts);
  return { id, dir, root: cacheDir, source: 'hub' };
}

async function download(id: string, cacheDir: string, opts: ResolveOptions): Promise<string> {
  const host = (opts.remoteHost ?? 'https://huggingface.co').replace(/\/+$/, '');
  const revision = opts.revision ?? 'main';
  const target = path.join(cacheDir, id);
  const staging = path.join(cacheDir, '.partial', `${id.replace('/', '--')}-${process.pid}-${Date.now()}`);
  fs.mkdirSync(staging, { recursive: true });
  const url = (file: string) => `${host}/${id}/resolve/${encodeURIComponent(revision)}/${file}`;
  try {
    for (const f of REQUIRED) await fetchTo(url(f), path.join(staging, f), f, opts, true);
    for (const f of OPTIONAL) await fetchTo(url(f), path.join(staging, f), f, opts, false);
    // Catalog entries name their dtype; otherwise prefer the 8-bit file (4x smaller, near-equal quality).
    const dtypes: Dtype[] = CATALOG[id]?.dtype ? [CATALOG[id]!.dtype!] : ['q8', 'fp32'];
    let got = false;
    for (const d of dtypes) {
      const f = `onnx/${ONNX_FILE[d]}`;
      if (await fetchTo(url(f), path.join(staging, f), f, opts, false)) {
        got = true;
        break;
      }
    }
    if (!got) throw new Error(`the hub has no ONNX weights for ${id} (looked for ${dtypes.map((d) => ONNX_FILE[d]).join(', ')})`);
    fs.rmSync(target, { recursive: true, force: true });
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.renameSync(staging, target);
    return target;
  } catch (err) {
    fs.rmSync(staging, { recursive: true, force: true });
    if (opts.signal?.aborted) throw new Error(`download of ${id} was cancelled`);
    const msg = (err as Error).message;
    if (/404/.test(msg)) throw new ModelNotFoundError(id, [host], true, msg);
    throw new Error(`could not download ${id}: ${msg}`);
  }
}

/** Streams one file to disk with progress. Returns false for an optional file the hub lacks. */
async function fetchTo(url: string, file: string, name: string, opts: ResolveOptions, required: boolean): Promise<boolean> {
  let res: Response;
  try {
    res = await fetch(url, { signal: opts.signal, redirect: 'follow' });
  } catch (err) {
    throw new Error(`${name}: ${(err as Error).cause ? String((err as Error & { cause: Error }).cause.message) : (err as Error).message}`);
  }
  if (res.status === 404 && !required) return false;
  if (!res.ok || !res.body) throw new Error(`${name}: HTTP ${res.status}`);
  const total = Number(res.headers.get('content-length') ?? 0);
  let loaded = 0;
  let last = 0;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const body = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream);
  body.on('data', (chunk: Buffer) => {
    loaded += chunk.length;
    const now = Date.now();
    if (now - last > 100) {
      last = now;
      opts.onProgress?.({ file: name, loaded, total, status: 'download' });
    }
  });
  await pipeline(body, fs.createWriteStream(file));
  if (total && loaded !== total) throw new Error(`${name}: connection closed after ${loaded} of ${total} bytes`);
  opts.onProgress?.({ file: name, loaded, total: total || loaded, status: 'done' });
  return true;
}
