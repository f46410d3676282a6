// Loads the real models of ../shared/models through the product's own resolve + load path.
import { Encoder } from '../../src/engine/embedding/encoder';
import { loadModel, type LoadedModel } from '../../src/engine/models/load';
import type { ModelKind } from '../../src/engine/models/profile';
import { resolveModel } from '../../src/engine/models/resolve';
import { modelsDir, tmpDir } from './env';

export const STATIC_EN = 'semantic-notes/static-en';
export const TINY_BERT = 'semantic-notes-test/tiny-bert';
export const TINY_MLM = 'semantic-notes-test/tiny-bert-mlm';

const cache = new Map<string, Promise<LoadedModel>>();

export function load(id: string, kind: ModelKind = 'embedding'): Promise<LoadedModel> {
  const key = `${kind}:${id}`;
  if (!cache.has(key)) cache.set(key, resolveModel(id, { modelsDir: modelsDir(), cacheDir: tmpDir('sn-cache-') }).then((loc) => loadModel(loc, kind)));
  return cache.get(key)!;
}

export async function encoder(id = STATIC_EN): Promise<Encoder> {
  return new Encoder(await load(id));
}
