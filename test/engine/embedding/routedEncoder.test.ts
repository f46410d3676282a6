// The routed encoder on the real bundled models: pure English is [en, 0], pure Korean [0, ko],
// so same-script cosines are each model's own and cross-script cosines are exactly 0; mixed texts
// carry both parts, weighed by their script shares; the fingerprint follows both parts.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { Encoder } from '../../../src/engine/embedding/encoder';
import { RoutedEncoder } from '../../../src/engine/embedding/routedEncoder';
import { cosine } from '../../../src/engine/embedding/similarity';
import { loadModel } from '../../../src/engine/models/load';
import { resolveModel } from '../../../src/engine/models/resolve';
import { EngineSession, DEFAULT_EMBEDDING_MODEL } from '../../../src/engine/session';
import { tmpDir } from '../../helpers/env';

const EN = 'semantic-notes/static-en-v2';
const KO = 'semantic-notes/static-ko';

async function bundled(id: string): Promise<Encoder> {
  const loc = await resolveModel(id, { cacheDir: tmpDir('sn-cache-') });
  assert.equal(loc.source, 'bundled');
  return new Encoder(await loadModel(loc, 'embedding'));
}

const parts = (() => {
  let p: Promise<[Encoder, Encoder]> | null = null;
  return () => (p ??= Promise.all([bundled(EN), bundled(KO)]));
})();

function slice(v: Float32Array, from: number, to: number): Float32Array {
  return v.subarray(from, to);
}

function norm(v: Float32Array): number {
  return Math.sqrt(v.reduce((s, x) => s + x * x, 0));
}

test('pure English is [en(text), 0]; pure Korean is [0, ko(text)]; vectors are unit length', async () => {
  const [en, ko] = await parts();
  const r = new RoutedEncoder({ id: 'x/routed', other: en, hangul: ko });
  assert.equal(r.dims, en.dims + ko.dims);
  assert.equal(r.dims, 256 + 192);
  const [e, k] = await r.embed(['The borrow checker enforces ownership rules.', '빌림 검사기는 소유권 규칙을 검사한다.']);
  const [eOnly] = await en.embed(['The borrow checker enforces ownership rules.']);
  const [kOnly] = await ko.embed(['빌림 검사기는 소유권 규칙을 검사한다.']);
  assert.deepEqual(slice(e, 0, 256), eOnly);
  assert.ok(slice(e, 256, 448).every((x) => x === 0));
  assert.ok(slice(k, 0, 256).every((x) => x === 0));
  assert.deepEqual(slice(k, 256, 448), kOnly);
  for (const v of [e, k]) assert.ok(Math.abs(norm(v) - 1) < 1e-5);
});

test('same-script cosine is the part model\'s cosine; cross-script cosine is 0', async () => {
  const [en, ko] = await parts();
  const r = new RoutedEncoder({ id: 'x/routed', other: en, hangul: ko });
  const texts = ['How do I undo the last commit?', 'Reset the branch to the previous commit.', '잠이 안 옵니다', '졸음이 옵니다'];
  const v = await r.embed(texts);
  const ve = await en.embed(texts.slice(0, 2));
  const vk = await ko.embed(texts.slice(2));
  assert.ok(Math.abs(cosine(v[0], v[1]) - cosine(ve[0], ve[1])) < 1e-6);
  assert.ok(Math.abs(cosine(v[2], v[3]) - cosine(vk[0], vk[1])) < 1e-6);
  assert.equal(cosine(v[0], v[2]), 0);
  assert.equal(cosine(v[1], v[3]), 0);
});

test('a mixed text carries both parts, weighed by the square roots of its script shares', async () => {
  const [en, ko] = await parts();
  const r = new RoutedEncoder({ id: 'x/routed', other: en, hangul: ko, weighting: 'sqrt' });
  const text = 'Rust의 ownership 규칙과 borrow 검사';
  const route = r.route(text);
  assert.equal(route.other, 'ownership borrow');
  assert.equal(route.hangul, 'Rust의 규칙과 검사');
  // Shares are of the whole text's letters: 19 Latin (Rust, ownership, borrow), 6 Hangul.
  const h = 6 / 25;
  assert.ok(Math.abs(route.wHangul - Math.sqrt(h)) < 1e-12);
  assert.ok(Math.abs(route.wOther - Math.sqrt(1 - h)) < 1e-12);
  const [v] = await r.embed([text]);
  const [e] = await en.embed([route.other!]);
  const [k] = await ko.embed([route.hangul!]);
  // Each half is its model's unit vector times its weight (the weights already have unit length).
  const half = (x: Float32Array, w: number, y: Float32Array) => x.every((xi, i) => Math.abs(xi - w * y[i]) < 1e-6);
  assert.ok(half(slice(v, 0, 256), route.wOther, e));
  assert.ok(half(slice(v, 256, 448), route.wHangul, k));
  // Share and equal weightings put different weights on the same parts.
  const share = new RoutedEncoder({ id: 'x/routed', other: en, hangul: ko, weighting: 'share' }).route(text);
  assert.ok(Math.abs(share.wHangul - h) < 1e-12);
  const square = new RoutedEncoder({ id: 'x/routed', other: en, hangul: ko }).route(text);
  assert.ok(Math.abs(square.wHangul - h * h) < 1e-12 && Math.abs(square.wOther - (1 - h) ** 2) < 1e-12, 'square is the default');
  const equal = new RoutedEncoder({ id: 'x/routed', other: en, hangul: ko, weighting: 'equal' }).route(text);
  assert.deepEqual([equal.wOther, equal.wHangul], [1, 1]);
});

test('texts without letters go to the other model; token counts are the larger part\'s; order and progress are kept', async () => {
  const [en, ko] = await parts();
  const r = new RoutedEncoder({ id: 'x/routed', other: en, hangul: ko });
  assert.deepEqual(r.route('2024-03-12 → 42'), { other: '2024-03-12 → 42', hangul: null, wOther: 1, wHangul: 0 });
  assert.equal(r.countTokens('hello world'), en.countTokens('hello world'));
  assert.equal(r.countTokens('잠이 안 옵니다'), ko.countTokens('잠이 안 옵니다'));
  const texts = ['하나', 'two', '셋 three', 'four', '다섯'];
  const progress: number[] = [];
  const batch = await r.embed(texts, { onProgress: (d, t) => (assert.equal(t, 5), progress.push(d)) });
  for (let i = 0; i < texts.length; i++) assert.deepEqual(batch[i], (await r.embed([texts[i]]))[0]);
  assert.equal(progress.at(-1), 5);
  assert.deepEqual(progress, [...progress].sort((a, b) => a - b));
});

test('the fingerprint combines both parts: another part, weighting or input changes it', async () => {
  const [en, ko] = await parts();
  const a = new RoutedEncoder({ id: 'x/routed', other: en, hangul: ko });
  assert.equal(a.fingerprint, new RoutedEncoder({ id: 'x/routed', other: en, hangul: ko }).fingerprint);
  const fakeKo = { ...ko, id: ko.id, dims: ko.dims, profile: ko.profile, countTokens: ko.countTokens.bind(ko), embed: ko.embed.bind(ko), fingerprint: `${ko.fingerprint}-changed` };
  const others = [
    new RoutedEncoder({ id: 'x/routed', other: en, hangul: fakeKo }),
    new RoutedEncoder({ id: 'x/routed', other: en, hangul: ko, weighting: 'equal' }),
    new RoutedEncoder({ id: 'x/routed', other: en, hangul: ko, weighting: 'sqrt' }),
    new RoutedEncoder({ id: 'x/routed', other: en, hangul: ko, hangulInput: 'all' }),
    new RoutedEncoder({ id: 'x/routed', other: ko, hangul: en }),
  ];
  for (const o of others) assert.notEqual(o.fingerprint, a.fingerprint);
  assert.match(a.fingerprint, /^x\/routed\|routed-square-hangul-words\|448d\|[0-9a-f]{16}$/);
});

test('the product default is the routed bilingual model, built from the bundled parts with nothing configured', async () => {
  assert.equal(DEFAULT_EMBEDDING_MODEL, 'semantic-notes/bilingual-static');
  const s = new EngineSession({ cacheDir: tmpDir('sn-cache-'), embeddingModel: DEFAULT_EMBEDDING_MODEL, fillMaskModel: '', crossEncoderModel: '' });
  const enc = await s.encoder();
  assert.ok(enc instanceof RoutedEncoder);
  assert.equal(enc.id, 'semantic-notes/bilingual-static');
  assert.deepEqual(enc.parts, [EN, KO]);
  assert.equal(enc.dims, 448);
  assert.equal(enc.profile.dtype, 'q8');
  // By meaning, in each language: the related sentence is nearer than the unrelated one.
  const { matrix } = await s.similarity(['How do I undo a git commit?', 'git reset moves the branch back to an earlier commit', 'Bake the bread in a hot oven', '김치찌개 끓이는 법', '김치와 돼지고기를 넣고 끓인다', '기차를 타고 부산에 갔다'], 'cosine');
  assert.ok(matrix[0][1] > matrix[0][2], `${matrix[0][1]} vs ${matrix[0][2]}`);
  assert.ok(matrix[3][4] > matrix[3][5], `${matrix[3][4]} vs ${matrix[3][5]}`);
  assert.equal(matrix[0][3], 0);
});
