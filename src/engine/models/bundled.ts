// The models shipped inside the product (models/semantic-notes/… at the package root), so search
// by meaning works offline with nothing configured. The compiled code may sit at any depth below
// the package root (out/src/engine/models today, one esbuild bundle in out/ tomorrow), so the
// folder is found by walking up from this file, not by a fixed relative path.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isDir, isFile } from '../util/fsProbe';

/** The org folder bundled models live in: `<package>/models/<BUNDLED_ORG>/<name>/`. */
export const BUNDLED_ORG = 'semantic-notes';

let cached: string | null | undefined;

/**
 * The folder holding `semantic-notes/<name>/` (a transformers.js models root), or null. It is the
 * `models/` of the first directory above `from` that has both `models/semantic-notes/` and a
 * package.json: requiring the package.json keeps a stray `models/` folder in a user's tree (or
 * the drive root) from being taken for ours.
 */
export function bundledModelsDir(from: string = __dirname): string | null {
  if (from === __dirname && cached !== undefined) return cached;
  let found: string | null = null;
  for (let dir = path.resolve(from); ; ) {
    const models = path.join(dir, 'models');
    if (isDir(path.join(models, BUNDLED_ORG)) && isFile(path.join(dir, 'package.json'))) {
      found = models;
      break;
    }
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  if (from === __dirname) cached = found;
  return found;
}


