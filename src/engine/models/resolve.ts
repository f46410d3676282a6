// Where a model's files are. In order: an explicit models folder (the CLI's --models-dir or
// $SEMANTIC_NOTES_MODELS, or the extension setting), the per-user cache, the models bundled with
// the product (models/ at the package root, bundled.ts), and — only when downloads are allowed —
// the Hugging Face hub, downloaded into the cache (download.ts).
//
// Layout (the transformers.js "local model" layout, so env.localModelPath = root works):
//   <models dir>/<org>/<name>/{config.json, tokenizer.json, tokenizer_config.json, onnx/model*.onnx}
//   <cache>/<org>/<name>/…                 revision "main" (same keys as transformers.js's FileCache)
//   <cache>/@<revision>/<org>/<name>/…     any other revision, kept apart from main
//   <cache>/.partial/…                     downloads in progress (never read as models)
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bundledModelsDir } from './bundled';
import { downloadModel, type DownloadProgress } from './download';
import { ModelNotFoundError, checkModelFolder } from './folder';

export { ModelNotFoundError, checkModelFolder, externalDataFiles, MANIFEST_FILE } from './folder';
import { DTYPES, isDtype, type Dtype } from './profile';
import { isDir } from '../util/fsProbe';

export type { DownloadProgress } from './download';

export interface ResolveOptions {
  /** A folder of models in transformers.js layout, searched first. */
  modelsDir?: string;
  /** The download cache; defaultCacheDir() when absent. */
  cacheDir?: string;
  allowDownload?: boolean;
  /** Hub address (default $HF_ENDPOINT, else https://huggingface.co); mirrors and test hubs set it. */
  remoteHost?: string;
  /** Branch, tag or commit on the hub (default main). Local folders have no revisions. */
  revision?: string;
  /** ONNX precision to require (fp32, q8, fp16, int8, uint8, q4); default: the model's profile. */
  dtype?: string;
  onProgress?: (p: DownloadProgress) => void;
  signal?: AbortSignal;
  /** The folder of bundled models; default: found beside the package (bundledModelsDir()); null: none. */
  bundledDir?: string | null;
}

export interface ModelLocation {
  id: string;
  /** The model's own folder. */
  dir: string;
  /** The folder that holds `<org>/<name>/` (transformers.js env.localModelPath). */
  root: string;
  source: 'models-dir' | 'cache' | 'bundled' | 'hub';
  /** The precision asked for at resolution; loading uses it instead of the profile's. */
  dtype?: Dtype;
  /** Hub revision of a cached or downloaded folder. */
  revision?: string;
}

/** Per-user model cache: $SEMANTIC_NOTES_CACHE, else the platform's cache folder + semantic-notes/models. */
export function defaultCacheDir(): string {
  const env = process.env;
  if (env.SEMANTIC_NOTES_CACHE) return path.resolve(env.SEMANTIC_NOTES_CACHE);
  if (process.platform === 'win32') return path.join(env.LOCALAPPDATA || path.join(os.homedir(), 'AppData', 'Local'), 'semantic-notes', 'models');
  if (process.platform === 'darwin') return path.join(os.homedir(), 'Library', 'Caches', 'semantic-notes', 'models');
  // XDG: a relative XDG_CACHE_HOME is invalid and must be ignored.
  const xdg = env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : path.join(os.homedir(), '.cache');
  return path.join(xdg, 'semantic-notes', 'models');
}

// One path segment as the hub allows it and transformers.js recognises it as a model id
// (utils/hub/constants.js REPO_ID_REGEX: word characters, '-', '.', starting and ending with a
// word character, at most 96); ".." and "--" are rejected as the hub does.
const SEGMENT = /^\w(?:[\w.-]{0,94}\w)?$/;

export function validateModelId(id: string): void {
  const parts = typeof id === 'string' ? id.split('/') : [];
  const ok =
    parts.length >= 1 &&
    parts.length <= 2 &&
    parts.every((p) => SEGMENT.test(p) && !p.includes('..') && !p.includes('--')) &&
    !/\.(git|ipynb)$/.test(id); // utils/hub/utils.js isValidHfModelId
  if (!ok) throw new Error(`"${id}" is not a valid model id: expected org/name as on huggingface.co, e.g. Xenova/all-MiniLM-L6-v2`);
}

export function validateRevision(rev: string): void {
  if (!/^[\w.\-/]{1,200}$/.test(rev) || rev.split('/').some((p) => p === '' || p === '.' || p === '..')) {
    throw new Error(`"${rev}" is not a valid revision: expected a branch, tag or commit id`);
  }
}

export function parseDtype(dtype: string | undefined): Dtype | undefined {
  if (dtype === undefined || dtype === '' || dtype === 'auto') return undefined;
  if (!isDtype(dtype)) throw new Error(`"${dtype}" is not a supported ONNX precision: use one of ${DTYPES.join(', ')}`);
  return dtype;
}

/** The cache root holding `<org>/<name>` for a revision. */
export function cacheRootFor(cacheDir: string, revision = 'main'): string {
  return revision === 'main' ? cacheDir : path.join(cacheDir, `@${revision.replace(/\//g, '%2F')}`);
}

export async function resolveModel(id: string, opts: ResolveOptions = {}): Promise<ModelLocation> {
  validateModelId(id);
  const dtype = parseDtype(opts.dtype);
  const revision = opts.revision ?? 'main';
  validateRevision(revision);
  const cacheDir = path.resolve(opts.cacheDir ?? defaultCacheDir());
  const cacheRoot = cacheRootFor(cacheDir, revision);
  const searched: string[] = [];
  const details: string[] = [];
  const candidates: [string | undefined, ModelLocation['source']][] = [
    [opts.modelsDir ? path.resolve(opts.modelsDir) : undefined, 'models-dir'],
    [cacheRoot, 'cache'],
    // Bundled models are a fixed set: other ids are not looked for (nor listed as searched) there.
    [opts.bundledDir === undefined ? (bundledModelsDir() ?? undefined) : (opts.bundledDir ?? undefined), 'bundled'],
  ];
  for (const [root, source] of candidates) {
    if (!root) continue;
    const dir = path.join(root, ...id.split('/'));
    if (source === 'bundled' && !isDir(dir)) continue;
    searched.push(dir);
    if (source === 'models-dir' && !isDir(root)) {
      details.push(`The models folder ${root} does not exist`);
      continue;
    }
    const problem = checkModelFolder(dir, id, dtype);
    if (problem === null) return { id, dir, root, source, ...(dtype ? { dtype } : {}), ...(source === 'cache' ? { revision } : {}) };
    if (problem !== 'no such folder') details.push(`${dir} is incomplete: ${problem}`);
  }
  if (!opts.allowDownload) throw new ModelNotFoundError(id, searched, false, details);
  const dir = await downloadModel({ id, cacheRoot, revision, dtype, remoteHost: opts.remoteHost, onProgress: opts.onProgress, signal: opts.signal, searched, details });
  return { id, dir, root: cacheRoot, source: 'hub', ...(dtype ? { dtype } : {}), revision };
}

