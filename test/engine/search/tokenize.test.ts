// The keyword tokenizer on English, identifiers, Korean, other scripts and hostile input, and the
// Porter stemmer against the examples of Porter's paper.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { bigrams, PRODUCT_TOKENIZER, queryTerms, stripJosa, tokenize, tokenizeWithSurfaces, type TokenizerParts } from '../../../src/engine/search/tokenize';
import { porterStem } from '../../../src/engine/search/stem';

test('English: lowercase, stopwords dropped, Porter stems', () => {
  assert.deepEqual(tokenize('The Running of the Studies'), ['run', 'studi']);
  assert.deepEqual(tokenize('relational databases, CONNECTED nodes!'), ['relat', 'databas', 'connect', 'node']);
  // Query and document forms meet on the same stem.
  assert.deepEqual(tokenize('indexing'), tokenize('indexes'));
  assert.deepEqual(tokenize('connection'), tokenize('connected'));
  // Digits and mixed tokens are kept, not stemmed.
  assert.deepEqual(tokenize('covid-19 h264 2024 v1.2'), ['covid', '19', 'h264', '2024', 'v1', '2']);
});

test('identifiers: the whole token and its parts', () => {
  assert.deepEqual(tokenize('searchIndex'), ['searchindex', 'search', 'index']);
  assert.deepEqual(tokenize('snake_case_name'), ['snake_case_name', 'snake', 'case', 'name']);
  assert.deepEqual(tokenize('HTMLParser'), ['htmlparser', 'html', 'parser']);
  // Only plain a-z words are stemmed: identifiers stay whole, their parts are stemmed.
  assert.deepEqual(tokenize('parse_JSONFile'), ['parse_jsonfile', 'pars', 'json', 'file']);
  // Plain capitalised and all-caps words are not split.
  assert.deepEqual(tokenize('Alzheimer MRI'), ['alzheim', 'mri']);
  // A query for a part finds the identifier.
  assert.ok(tokenize('getUserName').includes(tokenize('user')[0]));
});

test('NFKC folding: full-width, ligatures, decomposed Hangul', () => {
  assert.deepEqual(tokenize('ＦＵＬＬ ｗｉｄｔｈ'), tokenize('full width'));
  assert.deepEqual(tokenize('ﬁle'), tokenize('file'));
  assert.deepEqual(tokenize('기차가'.normalize('NFD')), tokenize('기차가'));
});

test('Korean: particles are stripped, the rest becomes syllable bigrams', () => {
  assert.deepEqual(tokenize('기차가 옵니다'), ['기차', '옵니', '니다']);
  for (const form of ['기차', '기차가', '기차를', '기차는', '기차에서', '기차로']) assert.deepEqual(tokenize(form), ['기차'], form);
  // Compounds and spacing: "상태관리" and "상태 관리" share their bigrams.
  assert.deepEqual(tokenize('상태관리를'), ['상태', '태관', '관리']);
  assert.deepEqual(tokenize('상태 관리'), ['상태', '관리']);
  // A josa is only removed when two syllables remain: 국가 stays 국가.
  assert.deepEqual(tokenize('국가'), ['국가']);
  assert.deepEqual(tokenize('국가는'), ['국가']);
  // One-syllable words are unigrams; mixed-script words are cut at the script change.
  assert.deepEqual(tokenize('안 KTX기차'), ['안', 'ktx', '기차']);
  assert.deepEqual(tokenize('React의 상태'), ['react', '의', '상태']);
});

test('query terms: distinct, bigrams of one word share its weight', () => {
  const q = queryTerms('컴퓨터 컴퓨터 search');
  assert.deepEqual(q.terms, ['컴퓨', '퓨터', 'search']);
  assert.deepEqual(q.weights, [0.5, 0.5, 1]);
  // The largest weight of a repeated term wins.
  const r = queryTerms('컴퓨터 컴퓨');
  assert.deepEqual(r.terms, ['컴퓨', '퓨터']);
  assert.deepEqual(r.weights, [1, 0.5]);
  assert.deepEqual(queryTerms('the of and'), { terms: [], weights: [], surfaces: [], lastWord: 'and' });
});

test('surface words: each term with the word it came from; the last word if still being typed', () => {
  assert.deepEqual(tokenizeWithSurfaces('Borrowing the references of searchIndex 기차가'), {
    tokens: ['borrow', 'refer', 'searchindex', 'search', 'index', '기차'],
    surfaces: ['borrowing', 'references', 'searchindex', 'search', 'index', ''],
  });
  const q = queryTerms('Rust ownersh');
  assert.deepEqual(q.surfaces, ['rust', 'ownersh']);
  assert.equal(q.lastWord, 'ownersh');
  // A word followed by anything (a space, a full stop) is finished; Hangul is not a Latin prefix.
  assert.equal(queryTerms('rust ownership ').lastWord, null);
  assert.equal(queryTerms('rust ownership.').lastWord, null);
  assert.equal(queryTerms('rust 소유권').lastWord, null);
  // A stopword being typed is still the last word ("the" → "theory").
  assert.equal(queryTerms('string the').lastWord, 'the');
});

test('other scripts: CJK and Thai bigrams, RTL words, emoji and junk never crash', () => {
  assert.deepEqual(tokenize('東京タワー'), ['東京', '京タ', 'タワ', 'ワー']);
  assert.deepEqual(tokenize('ภาษาไทย'), ['ภา', 'าษ', 'ษา', 'าไ', 'ไท', 'ทย']);
  assert.deepEqual(tokenize('שלום עולם مرحبا'), ['שלום', 'עולם', 'مرحبا']);
  assert.deepEqual(tokenize('🙂🚀 👍🏽 ❤️ 👨‍👩‍👧'), []);
  assert.deepEqual(tokenize('rocket🚀launch'), ['rocket', 'launch']);
  assert.deepEqual(tokenize('café naïve'), ['café', 'naïve']); // only a-z words are stemmed
  assert.deepEqual(tokenize('𠀀𠀁'), ['𠀀𠀁']); // astral Han: one bigram of two code points
  assert.deepEqual(tokenize('\uD800 lone \uDC00 surrogates'), ['lone', 'surrog']);
  assert.deepEqual(tokenize(''), []);
  assert.deepEqual(tokenize('   \n\t '), []);
  assert.deepEqual(tokenize('x'.repeat(65)), []); // an over-long "word" (hash, base64) is not indexed
  // Combining marks stay inside their word (Devanagari vowel signs).
  assert.deepEqual(tokenize('नमस्ते दुनिया'), ['नमस्ते', 'दुनिया']);
  // Large, random input terminates and yields strings only.
  let junk = '';
  for (let i = 0; i < 20000; i++) junk += String.fromCharCode((i * 7919) % 0xffff);
  for (const t of tokenize(junk)) assert.equal(typeof t, 'string');
});

test('tokenizer parts a caller replaces (as the tuning script does)', () => {
  const plain: TokenizerParts = { processTerm: (w) => w, identifierParts: false, segment: (run, emit, q) => bigrams(run, emit, q) };
  assert.deepEqual(tokenize('The searchIndex runs', plain), ['the', 'searchindex', 'runs']);
  assert.deepEqual(tokenize('기차가 옵니다', plain), ['기차', '차가', '옵니', '니다']);
  const stemOnly: TokenizerParts = { ...PRODUCT_TOKENIZER, segment: (run, emit) => emit(stripJosa(run), 1) };
  assert.deepEqual(tokenize('기차가', stemOnly), ['기차']);
  const noStop: TokenizerParts = { ...PRODUCT_TOKENIZER, processTerm: (w) => (w === 'cats' ? 'cat' : w) };
  assert.deepEqual(tokenize('the cats', noStop), ['the', 'cat']);
  // The product's parts: stopwords out, Porter, identifier parts, particle-stripped bigrams.
  assert.deepEqual(tokenize('The searchIndex runs 기차가'), ['searchindex', 'search', 'index', 'run', '기차']);
  assert.deepEqual(queryTerms('컴퓨터를').weights, [0.5, 0.5]);
});

test('Porter stemmer: the examples of Porter (1980)', () => {
  const cases: Record<string, string> = {
    caresses: 'caress', ponies: 'poni', ties: 'ti', caress: 'caress', cats: 'cat',
    feed: 'feed', agreed: 'agre', plastered: 'plaster', bled: 'bled', motoring: 'motor', sing: 'sing',
    conflated: 'conflat', troubled: 'troubl', sized: 'size', hopping: 'hop', tanned: 'tan', falling: 'fall',
    hissing: 'hiss', fizzed: 'fizz', failing: 'fail', filing: 'file', happy: 'happi', sky: 'sky',
    relational: 'relat', conditional: 'condit', rational: 'ration', valenci: 'valenc', hesitanci: 'hesit',
    digitizer: 'digit', conformabli: 'conform', radicalli: 'radic', differentli: 'differ', vileli: 'vile',
    analogousli: 'analog', vietnamization: 'vietnam', predication: 'predic', operator: 'oper',
    feudalism: 'feudal', decisiveness: 'decis', hopefulness: 'hope', callousness: 'callous',
    formaliti: 'formal', sensitiviti: 'sensit', sensibiliti: 'sensibl', triplicate: 'triplic',
    formative: 'form', formalize: 'formal', electriciti: 'electr', electrical: 'electr', hopeful: 'hope',
    goodness: 'good', revival: 'reviv', allowance: 'allow', inference: 'infer', airliner: 'airlin',
    gyroscopic: 'gyroscop', adjustable: 'adjust', defensible: 'defens', irritant: 'irrit',
    replacement: 'replac', adjustment: 'adjust', dependent: 'depend', adoption: 'adopt', homologou: 'homolog',
    communism: 'commun', activate: 'activ', angulariti: 'angular', homologous: 'homolog', effective: 'effect',
    bowdlerize: 'bowdler', probate: 'probat', rate: 'rate', cease: 'ceas', controll: 'control', roll: 'roll',
    generalizations: 'gener', oscillators: 'oscil',
  };
  for (const [w, s] of Object.entries(cases)) assert.equal(porterStem(w), s, w);
});
