// Model profiles from each source: semantic-notes.json, sentence-transformers files (modules.json
// + the Pooling module, pooling_config.json, sentence_bert_config.json, prompts), the catalog and
// the defaults; and the clamping that keeps inputs inside the model's window.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CATALOG, DEFAULT_MODELS } from '../../../src/engine/models/catalog';
import { ModelProfileError, ONNX_FILE, inputWindow, readProfile } from '../../../src/engine/models/profile';
import { modelsDir, tmpDir } from '../../helpers/env';

function folder(files: Record<string, unknown>): string {
  const dir = tmpDir('sn-profile-');
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return dir;
}

const POOL = (mode: string) => ({ word_embedding_dimension: 8, pooling_mode_cls_token: mode === 'cls', pooling_mode_mean_tokens: mode === 'mean', pooling_mode_max_tokens: mode === 'max', pooling_mode_mean_sqrt_len_tokens: false });
const MODULES = (...types: string[]) => types.map((t, i) => ({ idx: i, name: String(i), path: t === 'Transformer' ? '' : `${i}_${t}`, type: `sentence_transformers.models.${t}` }));

test('defaults: mean, normalized, the tokenizer window up to 512, fp32 — q8 when only the quantized file exists', () => {
  const dir = folder({ 'tokenizer_config.json': { model_max_length: 384 }, 'onnx/model.onnx': 'x' });
  assert.deepEqual(readProfile(dir, 'x/unknown'), { pooling: 'mean', normalize: true, maxTokens: 384, queryPrefix: '', passagePrefix: '', dtype: 'fp32' });
  const huge = folder({ 'tokenizer_config.json': { model_max_length: 1e30 }, 'onnx/model_quantized.onnx': 'x' });
  assert.equal(readProfile(huge, 'x/unknown').maxTokens, 512, 'the "no limit" sentinel falls back to 512');
  assert.equal(readProfile(huge, 'x/unknown').dtype, 'q8');
  const both = folder({ 'onnx/model.onnx': 'x', 'onnx/model_quantized.onnx': 'x' });
  assert.equal(readProfile(both, 'x/unknown').dtype, 'fp32');
  const tjs = folder({ 'config.json': { 'transformers.js_config': { dtype: 'q8' } }, 'onnx/model.onnx': 'x', 'onnx/model_quantized.onnx': 'x' });
  assert.equal(readProfile(tjs, 'x/unknown').dtype, 'q8', "config.json's transformers.js_config.dtype is honoured");
});

test('the window is also bounded by the position table (RoBERTa offsets by padding_idx + 1)', () => {
  assert.equal(inputWindow(folder({ 'tokenizer_config.json': { model_max_length: 512 }, 'config.json': { max_position_embeddings: 128 } })), 128);
  assert.equal(inputWindow(folder({ 'config.json': { model_type: 'xlm-roberta', max_position_embeddings: 514, pad_token_id: 1 } })), 512);
  assert.equal(inputWindow(folder({})), 512);
  // A profile asking for more than the model can take is clamped.
  const dir = folder({ 'config.json': { max_position_embeddings: 128 }, 'semantic-notes.json': { maxTokens: 4096 } });
  assert.equal(readProfile(dir, 'x/unknown').maxTokens, 128);
});

test('sentence-transformers: modules.json + 1_Pooling, Normalize, max_seq_length, prompts', () => {
  const dir = folder({
    'modules.json': MODULES('Transformer', 'Pooling'),
    '1_Pooling/config.json': POOL('cls'),
    'sentence_bert_config.json': { max_seq_length: 200, do_lower_case: false },
    'config_sentence_transformers.json': { prompts: { query: 'Represent this query: ', document: '' } },
  });
  assert.deepEqual(readProfile(dir, 'x/unknown'), { pooling: 'cls', normalize: false, maxTokens: 200, queryPrefix: 'Represent this query: ', passagePrefix: '', dtype: 'fp32' });
  const withNorm = folder({ 'modules.json': MODULES('Transformer', 'Pooling', 'Normalize'), '1_Pooling/config.json': POOL('max') });
  assert.equal(readProfile(withNorm, 'x/unknown').pooling, 'max');
  assert.equal(readProfile(withNorm, 'x/unknown').normalize, true);
  // sentence-transformers v3+ module paths (sentence_transformers.sentence_transformer.modules.pooling.Pooling).
  const v5 = folder({ 'modules.json': [{ path: '1_Pooling', type: 'sentence_transformers.sentence_transformer.modules.pooling.Pooling' }], '1_Pooling/config.json': POOL('cls') });
  assert.equal(readProfile(v5, 'x/unknown').pooling, 'cls');
  // mean_sqrt_len differs from the mean by a per-text scale only: the same direction.
  const sqrt = folder({ 'pooling_config.json': { pooling_mode_mean_sqrt_len_tokens: true } });
  assert.equal(readProfile(sqrt, 'x/unknown').pooling, 'mean');
});

test('sentence-transformers files beat the catalog; the real KR-SBERT pooling_config.json reads as mean', () => {
  const kr = path.join(modelsDir(), 'tokenizer-only', 'KR-SBERT-V40K-klueNLI-augSTS');
  const p = readProfile(kr, 'snunlp/KR-SBERT-V40K-klueNLI-augSTS');
  assert.equal(p.pooling, 'mean');
  assert.equal(p.normalize, false, 'catalog: no Normalize module upstream');
  assert.equal(p.maxTokens, 128, 'catalog: upstream sentence_bert_config max_seq_length');
  // An unknown id with the same folder gets the defaults for what the folder does not say.
  assert.deepEqual(readProfile(kr, 'someone/kr-sbert'), { pooling: 'mean', normalize: true, maxTokens: 512, queryPrefix: '', passagePrefix: '', dtype: 'fp32' });
  // A catalog entry loses to the folder's own sentence-transformers pooling.
  const bge = folder({ 'modules.json': MODULES('Transformer', 'Pooling', 'Normalize'), '1_Pooling/config.json': POOL('mean') });
  assert.equal(readProfile(bge, 'Xenova/bge-small-en-v1.5').pooling, 'mean');
  assert.equal(readProfile(folder({}), 'Xenova/bge-small-en-v1.5').pooling, 'cls');
});

test('semantic-notes.json wins over everything, and bad values are named with the file', () => {
  const dir = folder({
    'modules.json': MODULES('Transformer', 'Pooling', 'Normalize'),
    '1_Pooling/config.json': POOL('cls'),
    'semantic-notes.json': { pooling: 'max', normalize: false, maxTokens: 64, queryPrefix: 'q: ', passagePrefix: 'p: ', dtype: 'q8' },
  });
  assert.deepEqual(readProfile(dir, 'Xenova/multilingual-e5-small'), { pooling: 'max', normalize: false, maxTokens: 64, queryPrefix: 'q: ', passagePrefix: 'p: ', dtype: 'q8' });
  for (const [bad, re] of [
    [{ pooling: 'avg' }, /"pooling" in .*semantic-notes\.json must be one of mean, cls, max, not "avg"/],
    [{ normalize: 'yes' }, /"normalize" .* must be true or false/],
    [{ maxTokens: 2.5 }, /"maxTokens" .* whole number/],
    [{ dtype: 'q2' }, /"dtype" .* must be one of fp32, q8, fp16, int8, uint8, q4/],
    [[1, 2], /must hold a JSON object/],
    ['{oops', /not valid JSON/],
  ] as const) {
    const d = folder({ 'semantic-notes.json': bad });
    assert.throws(() => readProfile(d, 'x/bad'), (e: unknown) => e instanceof ModelProfileError && re.test(e.message) && e.message.startsWith('x/bad: '));
  }
});

test('pipelines we cannot reproduce are refused unless semantic-notes.json says how to pool', () => {
  const dense = folder({ 'modules.json': MODULES('Transformer', 'Pooling', 'Dense', 'Normalize'), '1_Pooling/config.json': POOL('mean') });
  assert.throws(() => readProfile(dense, 'x/dense'), /sentence_transformers\.models\.Dense after pooling/);
  const last = folder({ 'modules.json': MODULES('Transformer', 'Pooling'), '1_Pooling/config.json': { pooling_mode_lasttoken: true } });
  assert.throws(() => readProfile(last, 'x/last'), /pooling \(pooling_mode_lasttoken\) is not one Semantic Notes supports/);
  fs.writeFileSync(path.join(last, 'semantic-notes.json'), JSON.stringify({ pooling: 'mean' }));
  assert.equal(readProfile(last, 'x/last').pooling, 'mean');
});

test('catalog: e5 prefixes, CLS for bge, the local models; dtype preference only when its file exists', () => {
  const empty = folder({});
  const e5 = readProfile(empty, 'Xenova/multilingual-e5-small');
  assert.equal(e5.queryPrefix, 'query: ');
  assert.equal(e5.passagePrefix, 'passage: ');
  assert.equal(readProfile(empty, 'Xenova/all-MiniLM-L6-v2').maxTokens, 256);
  assert.equal(readProfile(empty, 'Xenova/paraphrase-multilingual-MiniLM-L12-v2').maxTokens, 128);
  // The catalog prefers q8 for Xenova models, but a folder with only fp32 weights still works.
  assert.equal(readProfile(empty, 'Xenova/all-MiniLM-L6-v2').dtype, 'q8');
  assert.equal(readProfile(folder({ 'onnx/model.onnx': 'x' }), 'Xenova/all-MiniLM-L6-v2').dtype, 'fp32');
  assert.equal(readProfile(folder({ 'onnx/model.onnx': 'x', 'onnx/model_quantized.onnx': 'x' }), 'Xenova/all-MiniLM-L6-v2').dtype, 'q8');
  const staticEn = readProfile(path.join(modelsDir(), 'semantic-notes', 'static-en'), 'semantic-notes/static-en');
  assert.deepEqual(staticEn, { pooling: 'mean', normalize: true, maxTokens: 512, queryPrefix: '', passagePrefix: '', dtype: 'fp32', fusion: { method: 'convex', semanticWeight: 0.3 } });
  assert.equal(readProfile(path.join(modelsDir(), 'semantic-notes-test', 'tiny-bert'), 'semantic-notes-test/tiny-bert').maxTokens, 128);
});

test('DEFAULT_MODELS are catalogued with the right kinds; ONNX file names follow transformers.js', () => {
  assert.equal(CATALOG[DEFAULT_MODELS.embedding].kind, 'embedding');
  assert.equal(CATALOG[DEFAULT_MODELS.multilingualEmbedding].kind, 'embedding');
  assert.equal(CATALOG[DEFAULT_MODELS.fillMask].kind, 'fill-mask');
  assert.equal(CATALOG[DEFAULT_MODELS.multilingualFillMask].kind, 'fill-mask');
  assert.equal(CATALOG[DEFAULT_MODELS.crossEncoder].kind, 'cross-encoder');
  assert.deepEqual(ONNX_FILE, { fp32: 'model.onnx', q8: 'model_quantized.onnx', fp16: 'model_fp16.onnx', int8: 'model_int8.onnx', uint8: 'model_uint8.onnx', q4: 'model_q4.onnx' });
});

test('fusion: stated by semantic-notes.json or the catalog; bad values are named with the file', () => {
  const own = folder({ 'semantic-notes.json': { fusion: { method: 'rrf', semanticWeight: 0.6, rrfK: 20 } } });
  assert.deepEqual(readProfile(own, 'x/own').fusion, { method: 'rrf', semanticWeight: 0.6, rrfK: 20 });
  assert.equal(readProfile(folder({}), 'x/unknown').fusion, undefined, 'an unknown model states none (the product default applies)');
  assert.deepEqual(CATALOG['semantic-notes/bilingual-static'].fusion, { method: 'convex', semanticWeight: 0.3 });
  for (const bad of [{ fusion: 'convex' }, { fusion: { method: 'sum' } }, { fusion: { semanticWeight: 1.5 } }, { fusion: { rrfK: -1 } }]) {
    const d = folder({ 'semantic-notes.json': bad });
    assert.throws(() => readProfile(d, 'x/bad'), (err: Error) => err instanceof ModelProfileError && err.message.includes('"fusion"') && err.message.includes('semantic-notes.json'), JSON.stringify(bad));
  }
});
