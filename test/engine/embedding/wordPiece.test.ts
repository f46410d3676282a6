// The encoder's fast path against the reference: our WordPiece gives transformers.js' ids on
// English and Korean text, the encoder's own tensors give the vectors transformers.js' tokenizer
// + model call give, and passages embedded from the chunker's ids get the same vectors as from
// their text. Also: the Rust tokenizer the benchmark's floor uses gives the same ids but for one case.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Tensor } from '@huggingface/transformers' with { 'resolution-mode': 'import' };
import { Encoder } from '../../../src/engine/embedding/encoder';
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

const SIGMA = 'ΣΑΣ and ΟΔΥΣΣΕΥΣ';
const ADDED = ['Soccer is a really fun [MASK].', '[CLS] x [SEP]', 'fun [mask].'];

async function differing(id: string, texts: string[]): Promise<string[]> {
  const m = await load(id);
  assert.ok(m.wordPiece, `${id} has a BERT WordPiece tokenizer`);
  const enc = new Encoder(m);
  return texts.filter((t) => m.tokenizer.encode(t, { add_special_tokens: false }).join() !== enc.tokenize(t).join());
}

test('our WordPiece gives transformers.js ids on 1,000 SciFact abstracts and edge cases (English, uncased)', async () => {
  assert.deepEqual(await differing(EN, [...jsonl('scifact/corpus.jsonl', 1000), ...EDGE, SIGMA, ...ADDED]), []);
});

test('our WordPiece gives transformers.js ids on the KorQuAD paragraphs and edge cases (Korean, cased)', async () => {
  const paras = jsonl('korquad-a/corpus.jsonl', 10_000);
  assert.ok(paras.length > 400);
  assert.deepEqual(await differing(KO, [...paras, ...EDGE, SIGMA, ...ADDED]), []);
});

test('texts with an added token ([MASK], [CLS]…) are left to transformers.js, which splits them out first', async () => {
  const m = await load(EN);
  assert.equal(m.wordPiece!.encode(ADDED[0]), null);
  assert.deepEqual(new Encoder(m).tokenize(ADDED[0]), [4715, 2003, 1037, 2428, 4569, 103, 1012]);
  assert.notEqual(m.wordPiece!.encode('fun [mask].'), null, 'lowercase is no added token');
});

// Platforms @anush008/tokenizers 0.6.0 publishes a binary for (the release workflow runs the
// tests on win32-arm64 too, which it has none for).
const RUST_BUILDS = ['linux-x64', 'linux-arm64', 'darwin-arm64', 'darwin-x64', 'win32-x64'];
const platform = `${process.platform}-${process.arch}`;

test("the Rust tokenizer (the benchmark's floor) gives the same ids, but lowercases word-final Σ to σ where JavaScript gives ς", { skip: RUST_BUILDS.includes(platform) ? false : `no ${platform} build` }, async () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Tokenizer } = require('@anush008/tokenizers') as typeof import('@anush008/tokenizers');
  const m = await load(EN);
  const rust = Tokenizer.fromFile(path.join(modelsDir(), EN, 'tokenizer.json'));
  rust.disableTruncation();
  rust.disablePadding();
  const texts = [...jsonl('scifact/corpus.jsonl', 500), ...EDGE, SIGMA];
  const ids = (await rust.encodeBatch(texts)).map((e) => e.getIds().join());
  assert.deepEqual(texts.filter((t, i) => m.tokenizer.encode(t).join() !== ids[i]), [SIGMA]);
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
    const texts = [...jsonl('scifact/corpus.jsonl', 20), ...jsonl('korquad-a/corpus.jsonl', 10), ...long, ...EDGE, SIGMA, ...ADDED];
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

test('without our WordPiece (another tokenizer kind), transformers.js tokenizes and the vectors are the same', async () => {
  const m = await load(EN);
  const texts = [...jsonl('scifact/corpus.jsonl', 8), ...EDGE, SIGMA, ...ADDED];
  const slow = new Encoder({ ...m, wordPiece: null });
  assert.equal(slow.idsConcatenate, false);
  assert.ok(maxDiff(await new Encoder(m).embed(texts), await slow.embed(texts)) < 1e-6);
});
