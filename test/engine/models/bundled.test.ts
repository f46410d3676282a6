// The models shipped in the repository: found by walking up from the code to the package root
// (whatever the depth of the compiled file), used after the models folder and the cache and
// before the hub, and complete.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bundledModelsDir } from '../../../src/engine/models/bundled';
import { ModelNotFoundError, checkModelFolder, resolveModel } from '../../../src/engine/models/resolve';
import { modelsDir, repoRoot, tmpDir } from '../../helpers/env';
import { copyModel } from './fakeHub';

const EN = 'semantic-notes/static-en-v2';
const KO = 'semantic-notes/static-ko';

test('the bundled folder is models/ at the package root, found from the compiled code', () => {
  assert.equal(bundledModelsDir(), path.join(repoRoot, 'models'));
  for (const id of [EN, KO]) assert.equal(checkModelFolder(path.join(repoRoot, 'models', id), id), null, id);
});

test('walking up: any depth below a package.json with models/semantic-notes; a bare models/ folder is not taken', () => {
  const pkg = tmpDir('sn-pkg-');
  fs.writeFileSync(path.join(pkg, 'package.json'), '{}');
  fs.mkdirSync(path.join(pkg, 'models', 'semantic-notes'), { recursive: true });
  const bundle = path.join(pkg, 'out');
  const deep = path.join(pkg, 'out', 'src', 'engine', 'models');
  fs.mkdirSync(deep, { recursive: true });
  assert.equal(bundledModelsDir(bundle), path.join(pkg, 'models'));
  assert.equal(bundledModelsDir(deep), path.join(pkg, 'models'));
  // A nested folder with models/semantic-notes but no package.json is skipped on the way up.
  const inner = path.join(pkg, 'out', 'inner');
  fs.mkdirSync(path.join(inner, 'models', 'semantic-notes'), { recursive: true });
  assert.equal(bundledModelsDir(path.join(inner, 'x')), path.join(pkg, 'models'));
  const lone = tmpDir('sn-lone-');
  fs.mkdirSync(path.join(lone, 'models', 'semantic-notes'), { recursive: true });
  assert.equal(bundledModelsDir(path.join(lone, 'models')), null);
});

test('resolution order: models folder → cache → bundled; hub only after all three', async () => {
  const empty = tmpDir('sn-cache-');
  const b = await resolveModel(EN, { cacheDir: empty });
  assert.deepEqual(b, { id: EN, dir: path.join(repoRoot, 'models', EN), root: path.join(repoRoot, 'models'), source: 'bundled' });
  // A configured models folder with the model wins (../shared has the same model).
  assert.equal((await resolveModel(EN, { modelsDir: modelsDir(), cacheDir: empty })).source, 'models-dir');
  // So does the cache.
  const cache = tmpDir('sn-cache-');
  copyModel(path.join(repoRoot, 'models', KO), path.join(cache, KO));
  assert.equal((await resolveModel(KO, { cacheDir: cache })).source, 'cache');
  // A models folder without the model falls through to the bundled copy.
  assert.equal((await resolveModel(KO, { modelsDir: tmpDir('sn-models-'), cacheDir: empty })).source, 'bundled');
  // With the bundled folder switched off and nothing else, the model is not found; the hub is never
  // asked without downloads allowed.
  await assert.rejects(resolveModel(KO, { cacheDir: empty, bundledDir: null }), ModelNotFoundError);
  // Ids that are not bundled are not looked for there (nor named as searched).
  await assert.rejects(resolveModel('acme/other', { cacheDir: empty }), (e: unknown) => {
    assert.ok(e instanceof ModelNotFoundError);
    assert.deepEqual(e.searched, [path.join(empty, 'acme', 'other')]);
    return true;
  });
});
