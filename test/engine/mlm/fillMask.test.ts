// Fill-mask against the torch golden top-5 of the tiny MLM fixture, plus input handling.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FillMasker, FillMaskInputError, fillMaskModelFor, wholeWord } from '../../../src/engine/mlm/fillMask';
import { DEFAULT_MODELS } from '../../../src/engine/models/catalog';
import { loadModel } from '../../../src/engine/models/load';
import { ModelNotFoundError, resolveModel } from '../../../src/engine/models/resolve';
import { EngineSession } from '../../../src/engine/session';
import { modelsDir, readJson, tmpDir } from '../../helpers/env';
import { load, TINY_MLM } from '../../helpers/models';

interface Golden {
  text: string;
  input_ids: number[];
  top5: { token: string; token_id: number; score: number }[];
}

test('top-5 tokens and probabilities match torch', async () => {
  const g = readJson<Golden>(path.join(modelsDir(), TINY_MLM, 'golden.json'));
  const masker = new FillMasker(await load(TINY_MLM, 'fill-mask'));
  const [cands] = await masker.predict(g.text, 5);
  assert.deepEqual(cands.map((c) => c.tokenId), g.top5.map((t) => t.token_id));
  assert.deepEqual(cands.map((c) => c.token), g.top5.map((t) => t.token));
  cands.forEach((c, i) => assert.ok(Math.abs(c.score - g.top5[i].score) < 1e-5, `${c.token}: ${c.score} vs ${g.top5[i].score}`));
  // The user's own sentence, casing and spacing kept, with only the mask replaced.
  assert.equal(cands[0].sequence, g.text.replace('[MASK]', g.top5[0].token));
});

test('several masks give one list each; no mask or too many is a clear error', async () => {
  const masker = new FillMasker(await load(TINY_MLM, 'fill-mask'));
  const lists = await masker.predict('The [MASK] of France is [MASK].', 3);
  assert.equal(lists.length, 2);
  assert.ok(lists.every((l) => l.length === 3));
  const sum = lists[0].reduce((s, c) => s + c.score, 0);
  assert.ok(sum > 0 && sum < 1);
  await assert.rejects(masker.predict('No mask here.', 5), (e: unknown) => e instanceof FillMaskInputError && /has no \[MASK\]/.test((e as Error).message));
  await assert.rejects(masker.predict('[MASK] '.repeat(6), 5), /at most 5/);
  // RoBERTa-style <mask> typed by a user maps to the model's own mask token.
  const [alt] = await masker.predict('The capital of France is <mask>.', 5);
  assert.equal(alt.length, 5);
});

const MINI_MLM = 'semantic-notes/mini-mlm-en';

test('whole words: a piece continuing a word joins the word before the mask; the sentence keeps the user\'s text', () => {
  const t = 'Soccer is really Fun [MASK].';
  const at = t.indexOf('[MASK]');
  assert.deepEqual(wholeWord(t, at, 6, '##s', 's'), { word: 'Funs', sequence: 'Soccer is really Funs.' });
  assert.deepEqual(wholeWord(t, at, 6, 'game', 'game'), { word: 'game', sequence: 'Soccer is really Fun game.' });
  // Glued to the word before it: the same join, no space to remove.
  assert.deepEqual(wholeWord('fun[MASK]!', 3, 6, '##s', 's'), { word: 'funs', sequence: 'funs!' });
  // Nothing to continue at the start or after punctuation.
  assert.equal(wholeWord('[MASK] is great', 0, 6, '##s', 's'), null);
  assert.equal(wholeWord('Well, [MASK] is great', 6, 6, '##s', 's'), null);
  // A Korean word continues the same way; SentencePiece pieces show without their marker.
  assert.deepEqual(wholeWord('나는 학[MASK] 갔다', 4, 6, '##교에', '교에'), { word: '학교에', sequence: '나는 학교에 갔다' });
  assert.deepEqual(wholeWord('<mask> day', 0, 6, '▁nice', ''), { word: 'nice', sequence: 'nice day' });
});

test('mini-mlm-en: candidates are whole words, never a ## piece; each sentence is the user\'s with only its mask replaced', async () => {
  const masker = new FillMasker(await load(MINI_MLM, 'fill-mask'));
  let merged = 0;
  for (const text of ['The Borrow Checker [MASK] OWNERSHIP rules.', 'She was play[MASK] the guitar', 'Soccer is a really fun [MASK].']) {
    const [cands] = await masker.predict(text, 30);
    assert.equal(cands.length, 30);
    assert.equal(new Set(cands.map((c) => c.token)).size, 30, 'no duplicate words');
    const at = text.indexOf('[MASK]');
    for (const c of cands) {
      assert.ok(!c.token.startsWith('##') && c.token.trim() === c.token && c.token !== '', c.token);
      if (c.sequence === text.slice(0, at) + c.token + text.slice(at + 6)) continue;
      // A continuation: the word before the mask grew into the candidate.
      const prev = /(\S+)\s*$/.exec(text.slice(0, at))![1];
      assert.ok(c.token.startsWith(prev) && c.token.length > prev.length, `${c.token} continues ${prev}`);
      assert.equal(c.sequence, text.slice(0, at).replace(/\S+\s*$/, '') + c.token + text.slice(at + 6));
      merged++;
    }
  }
  assert.ok(merged > 0, 'the model proposes word pieces, shown joined to their word');
  // With two masks, each list fills its own mask and leaves the other as the user typed it.
  const [first, second] = await masker.predict('Run cargo [MASK] to build, then <mask> it.', 3);
  for (const c of first) assert.ok(c.sequence.startsWith(`Run cargo ${c.token} to build`) || c.sequence.startsWith(`Run ${c.token}`), c.sequence);
  for (const c of first) assert.ok(c.sequence.endsWith('then <mask> it.'), c.sequence);
  for (const c of second) assert.equal(c.sequence, `Run cargo [MASK] to build, then ${c.token} it.`);
});

test('the model is picked by the sentence\'s script unless the user chose one', () => {
  assert.equal(fillMaskModelFor('Soccer is a really fun [MASK].', DEFAULT_MODELS.fillMask), DEFAULT_MODELS.fillMask);
  assert.equal(fillMaskModelFor('나는 [MASK]에 갔다.', DEFAULT_MODELS.fillMask), DEFAULT_MODELS.multilingualFillMask);
  assert.equal(fillMaskModelFor('나는 [MASK]에 갔다.', ''), DEFAULT_MODELS.multilingualFillMask);
  assert.equal(fillMaskModelFor('It is [MASK].', undefined), DEFAULT_MODELS.fillMask);
  // A user setting overrides, for every sentence.
  assert.equal(fillMaskModelFor('나는 [MASK]에 갔다.', MINI_MLM), MINI_MLM);
  assert.equal(DEFAULT_MODELS.multilingualFillMask, 'Xenova/bert-base-multilingual-cased');
});

test('through the session: a Korean sentence asks for the multilingual model, an English one for the English model, a chosen model answers both', async () => {
  const base = { modelsDir: modelsDir(), cacheDir: tmpDir('sn-cache-'), embeddingModel: 'semantic-notes/static-en', crossEncoderModel: '' };
  // Neither default masked-LM exists offline here: which one is missing shows which was picked.
  const auto = new EngineSession({ ...base, fillMaskModel: DEFAULT_MODELS.fillMask });
  await assert.rejects(auto.mask('나는 [MASK]에 갔다.', 5), (e: unknown) => e instanceof ModelNotFoundError && e.id === DEFAULT_MODELS.multilingualFillMask);
  await assert.rejects(auto.mask('I went to the [MASK].', 5), (e: unknown) => e instanceof ModelNotFoundError && e.id === DEFAULT_MODELS.fillMask);
  const chosen = new EngineSession({ ...base, fillMaskModel: MINI_MLM });
  const [ko] = await chosen.mask('나는 [MASK]에 갔다.', 3);
  assert.equal(ko.length, 3);
  for (const c of ko) assert.ok(c.sequence.startsWith('나는 ') && c.sequence.endsWith('에 갔다.'), c.sequence);
  const [en] = await chosen.mask('I went to the [MASK] this morning.', 3);
  assert.equal(en.length, 3);
});

test('a mask inside a long note: the sentence shown is the part read around the mask, in the user\'s own words', async () => {
  const masker = new FillMasker(await load(MINI_MLM, 'fill-mask'));
  const filler = 'The Weather was mild and the Garden was quiet that afternoon. ';
  const text = `${filler.repeat(300)}Soccer is a really fun <mask>. ${filler.repeat(300)}`;
  const [cands] = await masker.predict(text, 3);
  for (const c of cands) {
    assert.ok(c.sequence.length < text.length / 4, `${c.sequence.length} characters`);
    assert.ok(c.sequence.includes(`Soccer is a really fun ${c.token}. The Weather`), c.sequence.slice(0, 80));
    assert.ok(text.replace('<mask>', c.token).includes(c.sequence), 'a part of the user text, casing kept');
  }
});

test('fill-mask reads at most its profile\'s maxTokens: a mask in a sentence longer than that is read in a window around it', async () => {
  // A copy of the tiny MLM whose own profile (semantic-notes.json) sets a 24-token window.
  const dir = tmpDir('sn-mlm-window-');
  fs.cpSync(path.join(modelsDir(), TINY_MLM), path.join(dir, TINY_MLM), { recursive: true });
  fs.writeFileSync(path.join(dir, TINY_MLM, 'semantic-notes.json'), JSON.stringify({ maxTokens: 24 }));
  const m = await loadModel(await resolveModel(TINY_MLM, { modelsDir: dir, cacheDir: tmpDir() }), 'fill-mask');
  assert.equal(m.profile.maxTokens, 24);
  const text = 'the first words of a long line come here and then the capital of france is [MASK] and more words follow after it until the end';
  assert.ok(m.tokenizer.encode(text).length > 24 && m.tokenizer.encode(text).length <= 128, 'longer than the profile window, within the tokenizer\'s');
  const [cands] = await new FillMasker(m).predict(text, 3);
  assert.equal(cands.length, 3);
  for (const c of cands) {
    assert.ok(c.sequence.length < text.length && text.includes(c.sequence.replace(c.token, '[MASK]')), `the sentence shown is the window read around the mask: ${c.sequence}`);
    assert.ok(m.tokenizer.encode(c.sequence.replace(c.token, '[MASK]')).length <= 24, `the window fits maxTokens: ${c.sequence}`);
  }
});
