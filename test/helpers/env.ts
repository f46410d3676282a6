// Where tests find the shared models and data: $SEMANTIC_NOTES_MODELS, else ../shared/models
// beside the checkout (as in CI).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const repoRoot = path.resolve(__dirname, '..', '..', '..');
export const sharedDir = path.resolve(repoRoot, '..', 'shared');

export function modelsDir(): string {
  const dir = process.env.SEMANTIC_NOTES_MODELS ?? path.join(sharedDir, 'models');
  if (!fs.existsSync(dir)) throw new Error(`models folder ${dir} is missing: set SEMANTIC_NOTES_MODELS or put shared/ beside the checkout`);
  return dir;
}

export function dataDir(): string {
  return path.join(sharedDir, 'data');
}

export function tmpDir(prefix = 'sn-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
}
