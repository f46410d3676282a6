// The download recommendation by the language of the notes, and the catalog's default models.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CATALOG, DEFAULT_MODELS, recommendedModel, routesOf } from '../../../src/engine/models/catalog';
import { scriptShares } from '../../../src/engine/text/script';
import { POOLINGS, SEARCH_MODES } from '../../../src/engine/types';
import { repoRoot } from '../../helpers/env';

const notes = path.join(repoRoot, 'examples', 'notes');
const read = (...files: string[]) => files.map((f) => fs.readFileSync(path.join(notes, f), 'utf8')).join('\n');

test('English notes → all-MiniLM-L6-v2; Korean or mixed notes → multilingual-e5-small', () => {
  const english = read('health.md', 'travel.md', 'dev/git.md', 'cooking/bread.md');
  const korean = read('korean/kimchi.md', 'korean/study.md', 'korean/travel-busan.md');
  assert.equal(recommendedModel(scriptShares(english)), 'Xenova/all-MiniLM-L6-v2');
  assert.equal(recommendedModel(scriptShares(korean)), 'Xenova/multilingual-e5-small');
  assert.equal(recommendedModel(scriptShares(`${english}\n${korean}`)), 'Xenova/multilingual-e5-small');
  // One Korean word in a page of English stays English; a Korean note among English ones does not.
  assert.equal(recommendedModel(scriptShares(`${english} 김치`)), 'Xenova/all-MiniLM-L6-v2');
  assert.equal(recommendedModel(scriptShares(`${english}\n${read('korean/study.md')}`)), 'Xenova/multilingual-e5-small');
  // Other scripts also need the multilingual model; notes without letters get the English one.
  assert.equal(recommendedModel(scriptShares('東京の天気は晴れです')), 'Xenova/multilingual-e5-small');
  assert.equal(recommendedModel(scriptShares('2024-03-12 → 42')), 'Xenova/all-MiniLM-L6-v2');
});

test('the recommended multilingual model carries its e5 query/passage prefixes in the catalog', () => {
  assert.equal(CATALOG['Xenova/multilingual-e5-small'].queryPrefix, 'query: ');
  assert.equal(CATALOG['Xenova/multilingual-e5-small'].passagePrefix, 'passage: ');
});

test('the default embedding model is routed by script over the two bundled encoders', () => {
  assert.equal(DEFAULT_MODELS.embedding, 'semantic-notes/bilingual-static');
  assert.deepEqual(routesOf(DEFAULT_MODELS.embedding), { hangul: 'semantic-notes/static-ko', other: 'semantic-notes/static-en-v2' });
  assert.equal(routesOf('semantic-notes/static-en-v2'), null);
  for (const id of Object.values(routesOf(DEFAULT_MODELS.embedding)!)) assert.ok(fs.existsSync(path.join(repoRoot, 'models', id, 'onnx', 'model_quantized.onnx')), id);
});

test('the settings in package.json state the catalog\'s default models and the engine\'s lists of choices', () => {
  const props = (JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { contributes: { configuration: { properties: Record<string, { default?: unknown; enum?: unknown[] }> } | { properties: Record<string, { default?: unknown; enum?: unknown[] }> }[] } }).contributes.configuration;
  const all: Record<string, { default?: unknown; enum?: unknown[] }> = Object.assign({}, ...(Array.isArray(props) ? props : [props]).map((c) => c.properties));
  assert.equal(all['semanticNotes.embeddingModel'].default, DEFAULT_MODELS.embedding);
  assert.equal(all['semanticNotes.fillMaskModel'].default, DEFAULT_MODELS.fillMask);
  assert.equal(all['semanticNotes.crossEncoderModel'].default, DEFAULT_MODELS.crossEncoder);
  assert.deepEqual(new Set(all['semanticNotes.pooling'].enum), new Set(['', ...POOLINGS]));
  assert.deepEqual(new Set(all['semanticNotes.search.defaultMode'].enum), new Set(SEARCH_MODES));
});
