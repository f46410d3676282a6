// What makes a model folder usable, the record a download leaves in it, and the error for a
// model that cannot be had. Shared by resolve.ts (searching) and download.ts (fetching).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ONNX_FILE, readProfile, type Dtype } from './profile';

/** Written last into a downloaded folder: what was fetched, from where, and how big each file is. */
export const MANIFEST_FILE = '.semantic-notes-download.json';

export interface DownloadManifest {
  format: 1;
  id: string;
  revision: string;
  /** The hub's X-Repo-Commit for the files, when it sent one. */
  commit: string | null;
  remoteHost: string;
  dtype: Dtype;
  files: Record<string, { size: number; sha256?: string }>;
  downloadedAt: string;
}

export function readManifest(dir: string): DownloadManifest | null {
  const m = readJson(path.join(dir, MANIFEST_FILE)) as DownloadManifest | null | undefined;
  return m && m.format === 1 && m.files && typeof m.files === 'object' ? m : null;
}

export class ModelNotFoundError extends Error {
  override readonly name = 'ModelNotFoundError';
  constructor(
    readonly id: string,
    readonly searched: string[],
    readonly downloadsAllowed: boolean,
    /** Why folders that exist were not usable, or what the hub answered. */
    readonly details: string[] = [],
  ) {
    const where = searched.length ? `Looked in ${searched.join(', ')}.` : 'No folder was searched.';
    const why = details.length ? ` ${details.map((d) => (d.endsWith('.') ? d : `${d}.`)).join(' ')}` : '';
    const fix = downloadsAllowed
      ? ' Check the model id (org/name as on huggingface.co) and the network connection, or put the model in a folder in transformers.js layout and point SEMANTIC_NOTES_MODELS (or --models-dir, or the modelsDirectory setting) at it.'
      : ' To fix it, put the model in a folder in transformers.js layout (<folder>/<org>/<name>/ with config.json, tokenizer.json, tokenizer_config.json and onnx/model.onnx) and point SEMANTIC_NOTES_MODELS (or --models-dir, or the modelsDirectory setting) at that folder, or allow downloads (--allow-download, or the allowDownloads setting) to fetch it from the Hugging Face hub into the cache.';
    super(`The model ${id} was not found. ${where}${why}${fix}`);
  }
}


/**
 * Why a model folder cannot be used, or null when it is complete: config.json, tokenizer.json,
 * tokenizer_config.json (both read by transformers.js's AutoTokenizer), the ONNX file of the
 * wanted precision and its external-data chunks. A folder we downloaded also carries a manifest
 * whose recorded sizes must still match.
 */
export function checkModelFolder(dir: string, id: string, dtype?: Dtype): string | null {
  if (!isDir(dir)) return 'no such folder';
  const config = readJson(path.join(dir, 'config.json'));
  if (config === undefined) return 'config.json is missing';
  if (config === null || typeof config !== 'object') return 'config.json is not valid JSON';
  for (const f of ['tokenizer.json', 'tokenizer_config.json']) if (!isFile(path.join(dir, f))) return `${f} is missing`;
  const want = dtype ?? readProfile(dir, id).dtype;
  const onnx = `onnx/${ONNX_FILE[want]}`;
  const size = fileSize(path.join(dir, onnx));
  if (size === null) return `${onnx} (${want} weights) is missing`;
  if (size === 0) return `${onnx} is empty`;
  for (const chunk of externalDataFiles(config as Record<string, unknown>, want)) {
    if (!isFile(path.join(dir, chunk))) return `${chunk} (external weights of ${onnx}) is missing`;
  }
  const manifest = readManifest(dir);
  if (manifest) {
    for (const [name, rec] of Object.entries(manifest.files)) {
      const actual = fileSize(path.join(dir, name));
      if (actual !== null && actual !== rec.size) return `${name} has ${actual} bytes but was downloaded with ${rec.size}: the folder was damaged`;
    }
  }
  return null;
}

/** onnx/<file>_data[_N] chunks named by config.json's transformers.js_config.use_external_data_format. */
export function externalDataFiles(config: Record<string, unknown>, dtype: Dtype): string[] {
  const custom = (config['transformers.js_config'] ?? {}) as { use_external_data_format?: unknown };
  const fmt = custom.use_external_data_format;
  const full = ONNX_FILE[dtype];
  let n = 0;
  if (fmt && typeof fmt === 'object') {
    const m = fmt as Record<string, unknown>;
    n = Number(m[full] ?? m['model'] ?? 0);
  } else n = Number(fmt ?? 0);
  if (!Number.isInteger(n) || n <= 0) return [];
  return Array.from({ length: Math.min(n, 100) }, (_, i) => `onnx/${full}_data${i === 0 ? '' : `_${i}`}`);
}


function readJson(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function fileSize(p: string): number | null {
  try {
    const st = fs.statSync(p);
    return st.isFile() ? st.size : null;
  } catch {
    return null;
  }
}

function isFile(p: string): boolean {
  return fileSize(p) !== null;
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}
