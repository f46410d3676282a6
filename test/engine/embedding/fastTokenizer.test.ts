// The encoder's fast path against the reference: the Rust tokenizer gives transformers.js' ids on
// English and Korean text, the encoder's own tensors give the vectors transformers.js' tokenizer
// + model call give, passages embedded from the chunker's ids get the same vectors as from their
// text, and a missing native module leaves loading and embedding working.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Tensor } from '@huggingface/transformers' with { 'resolution-mode': 'import' };
import { Encoder, FAST_TOKENIZER_MIN_CHARS } from '../../../src/engine/embedding/encoder';
import { mayDiffer } from '../../../src/engine/embedding/fastTokenizer';
import { pool } from '../../../src/engine/embedding/pooling';
import { keywordText } from '../../../src/engine/index/passageIndex';
import { chunkMarkdown, chunkMarkdownWithIds } from '../../../src/engine/notes/chunker';
import { dataDir, modelsDir, repoRoot } from '../../helpers/env';
import { load, TINY_BERT } from '../../helpers/models';

const EN = 'semantic-notes/static-en-v2';
const KO = 'semantic-notes/static-ko';

function jsonl(file: string, n: number): string[] {
  return fs.readFileSync(path.join(dataDir(), file), 'utf8').split('\n').filter(Boolean).slice(0, n).map((l) => (JSON.parse(l) as { text: string }).text);
}

// Characters where tokenizers (and Unicode tables) tend to part ways.
const EDGE = ['', ' ', '\n\n', 'a\u0000b\u0001c', 'café Café CAFÉ cafe\u0301', '한국어 텍스트', '한국어'.normalize('NFD'), '👍🏽 family 👨‍👩‍👧 ok', `${'x'.repeat(150)} y`, '\u200b\u200d\ufeffzero width', 'Ǆ ǅ ǆ ﬁ ﬀ Ⅻ ① ㈱ ㎏', 'İstanbul ß ẞ', '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝐛𝐨𝐥𝐝', '中文字符 日本語のテキスト ㄱㄴㄷ', '\t\r\n\u00a0\u2028\u3000 spaces', '\ue000 private use', '\u0378 unassigned 🫨', 'don\'t "quote" — dash…', '```js\nconst x = 1;\n```', 'Soccer is a really fun [MASK].'];

// Platforms @anush008/tokenizers 0.6.0 publishes a binary for (win32-arm64 has none: the encoder
// falls back there, and the release workflow runs these tests on every target).
const RUST_BUILDS = ['linux-x64', 'linux-arm64', 'darwin-arm64', 'darwin-x64', 'win32-x64'];
const platform = `${process.platform}-${process.arch}`;
const noBuild = RUST_BUILDS.includes(platform) ? false : `@anush008/tokenizers has no ${platform} binary`;

async function sameIds(id: string, texts: string[]): Promise<string[]> {
  const m = await load(id);
  assert.ok(m.fastTokenizer, `the Rust tokenizer should load for ${id} on ${platform}`);
  const fast = await m.fastTokenizer.encodeBatch(texts);
  return texts.filter((t, i) => m.tokenizer.encode(t).join() !== fast[i].join());
}

test('the Rust tokenizer gives transformers.js ids on 1,000 SciFact abstracts and edge cases (English, uncased)', { skip: noBuild }, async () => {
  assert.deepEqual(await sameIds(EN, [...jsonl('scifact/corpus.jsonl', 1000), ...EDGE]), []);
});

test('the Rust tokenizer gives transformers.js ids on the KorQuAD paragraphs and edge cases (Korean, cased)', { skip: noBuild }, async () => {
  const paras = jsonl('korquad-a/corpus.jsonl', 10_000);
  assert.ok(paras.length > 400);
  assert.deepEqual(await sameIds(KO, [...paras, ...EDGE]), []);
});

test('word-final Σ is where they differ (JS lowercases it to ς): such texts go to transformers.js', { skip: noBuild }, async () => {
  const t = 'ΣΑΣ and ΟΔΥΣΣΕΥΣ';
  assert.deepEqual(await sameIds(EN, [t]), [t], 'if the two now agree on final sigma, mayDiffer can go');
  assert.ok(mayDiffer(t));
  const m = await load(EN);
  const enc = new Encoder(m);
  const slow = new Encoder({ ...m, fastTokenizer: null });
  // With abstracts, so the batch is long enough for the Rust tokenizer.
  const texts = [t, ...jsonl('scifact/corpus.jsonl', 5)];
  assert.ok(texts.join('').length >= FAST_TOKENIZER_MIN_CHARS);
  const [a] = await enc.embed(texts);
  const [b] = await slow.embed(texts);
  assert.deepEqual(Array.from(a), Array.from(b));
});

/** The former path: transformers.js tokenizes and runs the model, then the same pooling. */
async function reference(id: string, texts: string[]): Promise<Float32Array[]> {
  const m = await load(id);
  const out: Float32Array[] = [];
  for (const t of texts) {
    const enc = m.tokenizer([t], { padding: true, truncation: true, max_length: m.profile.maxTokens });
    const o = (await m.model(enc)) as Record<string, Tensor>;
    const h = o.last_hidden_state;
    const [b, seq, dims] = h.dims as number[];
    out.push(...pool({ data: h.data as Float32Array, batch: b, seq, dims, mask: (enc.attention_mask as Tensor).data as BigInt64Array }, m.profile.pooling, m.profile.normalize));
  }
  return out;
}

function maxDiff(a: Float32Array[], b: Float32Array[]): number {
  let d = 0;
  a.forEach((v, i) => v.forEach((x, k) => (d = Math.max(d, Math.abs(x - b[i][k])))));
  return d;
}

for (const id of [EN, KO, TINY_BERT]) {
  test(`${id}: the encoder's own tensors give transformers.js' vectors, long texts cut the same way`, async () => {
    const m = await load(id);
    const long = jsonl('scifact/corpus.jsonl', 300).filter((t) => m.tokenizer.encode(t).length > m.profile.maxTokens).slice(0, 3);
    assert.ok(long.length > 0 || m.profile.maxTokens > 1000, 'some abstracts run past the window');
    const texts = [...jsonl('scifact/corpus.jsonl', 20), ...jsonl('korquad-a/corpus.jsonl', 10), ...long, ...EDGE, 'ΣΑΣ'];
    const enc = new Encoder(m, undefined, 8);
    const got = await enc.embed(texts);
    const want = await reference(id, texts);
    // Padding to other batch lengths moves float sums by rounding only.
    assert.ok(maxDiff(got, want) < 1e-5, `max |Δ| ${maxDiff(got, want)}`);
  });
}

test("passages embedded from the chunker's ids: the ids are the passage text's, the vectors the same", async () => {
  const m = await load(EN);
  const enc = new Encoder(m);
  assert.ok(enc.idsConcatenate);
  const notesDir = path.join(repoRoot, 'examples', 'notes');
  const files = fs.readdirSync(notesDir, { recursive: true, encoding: 'utf8' }).filter((f) => /\.(md|txt)$/.test(f));
  const docs = [...files.map((f) => ({ name: f, text: fs.readFileSync(path.join(notesDir, f), 'utf8') })), ...jsonl('scifact/corpus.jsonl', 40).map((text, i) => ({ name: `${i}.txt`, text }))];
  const texts: string[] = [];
  const ids: (readonly number[] | null)[] = [];
  let reused = 0;
  for (const d of docs) {
    // A small budget, so blocks split on lines and sentences and small passages merge.
    const opts = { maxTokens: 48 };
    const cut = chunkMarkdownWithIds(d.name, d.text, { ...opts, tokenize: (s) => enc.tokenize(s) });
    assert.deepEqual(cut.chunks, chunkMarkdown(d.name, d.text, { ...opts, countTokens: (s) => enc.countTokens(s) }), `${d.name}: the same passages`);
    cut.chunks.forEach((c, i) => {
      const passage = cut.ids[i];
      if (passage) {
        reused++;
        assert.deepEqual(passage, enc.tokenize(c.text), `${d.name}: ids of "${c.text.slice(0, 40)}"`);
      }
      texts.push(keywordText(c));
      ids.push(passage && c.heading ? [...enc.tokenize(c.heading), ...passage] : passage);
    });
  }
  assert.ok(reused > 0.95 * texts.length, `${reused} of ${texts.length} passages came with ids`);
  const fromIds = await enc.embed(texts, { role: 'passage', ids });
  const fromText = await enc.embed(texts, { role: 'passage' });
  assert.ok(maxDiff(fromIds, fromText) < 1e-6);
});

test('without the native module a model still loads and embeds, with transformers.js tokenizing', () => {
  // A child process where resolving @anush008/tokenizers fails, as on a platform without its binary.
  const script = `
    const Module = require('node:module');
    const resolve = Module._resolveFilename;
    Module._resolveFilename = function (req, ...rest) {
      if (req.startsWith('@anush008/')) throw Object.assign(new Error('Cannot find module ' + req), { code: 'MODULE_NOT_FOUND' });
      return resolve.call(this, req, ...rest);
    };
    const { loadModel } = require(${JSON.stringify(path.join(repoRoot, 'out', 'src', 'engine', 'models', 'load.js'))});
    const { resolveModel } = require(${JSON.stringify(path.join(repoRoot, 'out', 'src', 'engine', 'models', 'resolve.js'))});
    const { Encoder } = require(${JSON.stringify(path.join(repoRoot, 'out', 'src', 'engine', 'embedding', 'encoder.js'))});
    (async () => {
      const m = await loadModel(await resolveModel(${JSON.stringify(EN)}, { modelsDir: ${JSON.stringify(modelsDir())} }), 'embedding');
      const [v] = await new Encoder(m).embed(['semantic notes']);
      console.log(JSON.stringify({ fast: m.fastTokenizer, dims: v.length, norm: Math.hypot(...v) }));
    })().catch((e) => { console.error(e); process.exit(1); });`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const res = JSON.parse(r.stdout.trim().split('\n').pop()!) as { fast: unknown; dims: number; norm: number };
  assert.equal(res.fast, null);
  assert.equal(res.dims, 256);
  assert.ok(Math.abs(res.norm - 1) < 1e-5);
});
