// Where a notes folder's index lives: each model gets its own store folder (so vectors never
// mix), named from the model id and its fingerprint, and `index.json` beside them says which one
// was written last, for the CLI's read-only open.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomicSync } from '../store/atomicFile';

/** What an index folder holds, written beside the per-model store folders. */
export interface StoreInfo {
  root: string;
  model: string | null;
  folder: string;
  fingerprint: string;
  dims: number;
}

const STORE_INFO = 'index.json';

export function storeFolderName(modelId: string | null, fingerprint: string): string {
  if (!modelId) return 'keyword-only';
  const slug = modelId.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 60);
  return `${slug}-${crypto.createHash('sha256').update(fingerprint).digest('hex').slice(0, 10)}`;
}

/** Written on every open; left alone when it already says the same (an fsync costs more than the rest of a small open). */
export function writeStoreInfo(storeDir: string, info: StoreInfo): void {
  const file = path.join(storeDir, STORE_INFO);
  const text = JSON.stringify(info, null, 1);
  try {
    if (fs.readFileSync(file, 'utf8') === text) return;
  } catch {
    /* absent or unreadable: written below */
  }
  writeFileAtomicSync(file, text);
}

export function readStoreInfo(storeDir: string): StoreInfo {
  const file = path.join(storeDir, STORE_INFO);
  let info: StoreInfo;
  try {
    info = JSON.parse(fs.readFileSync(file, 'utf8')) as StoreInfo;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`no index in ${storeDir}: create one with "semantic-notes index <folder> --store ${storeDir}"`);
    throw new Error(`the index description ${file} is unreadable (${(err as Error).message}): index the folder again`);
  }
  if (typeof info.root !== 'string' || typeof info.folder !== 'string' || typeof info.fingerprint !== 'string') {
    throw new Error(`the index description ${file} is damaged: index the folder again`);
  }
  return info;
}
