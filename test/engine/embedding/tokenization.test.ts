// The real English and Korean WordPiece tokenizers, as the models use them: ids match the
// reference ids recorded in shared/models/README.md.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { modelsDir } from '../../helpers/env';

async function tokenizer(id: string) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const T = require('@huggingface/transformers') as typeof import('@huggingface/transformers', { with: { 'resolution-mode': 'import' } });
  T.env.allowRemoteModels = false;
  T.env.localModelPath = `${modelsDir()}/`;
  return T.AutoTokenizer.from_pretrained(id, { local_files_only: true });
}

test('English uncased WordPiece (all-MiniLM-L6-v2 / static-en)', async () => {
  const tok = await tokenizer('semantic-notes/static-en');
  assert.deepEqual(tok.encode('The weather is lovely today.'), [101, 1996, 4633, 2003, 8403, 2651, 1012, 102]);
  assert.deepEqual(tok.encode('Soccer is a really fun [MASK].'), [101, 4715, 2003, 1037, 2428, 4569, 103, 1012, 102]);
});

test('Korean WordPiece (KR-SBERT) keeps Hangul syllables and splits endings', async () => {
  const tok = await tokenizer('tokenizer-only/KR-SBERT-V40K-klueNLI-augSTS');
  assert.deepEqual(tok.encode('잠이 안 옵니다'), [2, 22079, 3488, 3591, 8416, 3]);
  assert.deepEqual(tok.encode('졸음이 옵니다'), [2, 3792, 10851, 3591, 8416, 3]);
  assert.deepEqual(tok.encode('기차가 옵니다'), [2, 23771, 5087, 3591, 8416, 3]);
  assert.deepEqual(tok.tokenize('기차가 옵니다'), ['기차', '##가', '옵', '##니다']);
});
