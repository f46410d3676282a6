// The chunker on real notes: breadcrumbs, exact line ranges, budgets, Korean, code fences,
// front matter, and pathological input.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chunkMarkdown, estimateTokens } from '../../../src/engine/notes/chunker';
import { repoRoot } from '../../helpers/env';
import { encoder } from '../../helpers/models';

const read = (p: string) => fs.readFileSync(path.join(repoRoot, 'examples', 'notes', p), 'utf8');

test('sections become passages with breadcrumbs and exact line ranges', () => {
  const text = read('cooking/bread.md');
  const lines = text.split('\n');
  const chunks = chunkMarkdown('cooking/bread.md', text, { minChars: 0 });
  assert.deepEqual(chunks.map((c) => c.heading), ['Sourdough bread', 'Sourdough bread › Starter', 'Sourdough bread › Dough', 'Sourdough bread › Baking']);
  assert.deepEqual(chunks.map((c) => [c.startLine, c.endLine]), [[5, 7], [9, 12], [14, 17], [19, 22]]);
  for (const c of chunks) {
    const span = lines.slice(c.startLine - 1, c.endLine).join(' ');
    for (const word of c.text.split(/\s+/).slice(0, 5)) assert.ok(span.includes(word), `${word} in lines ${c.startLine}-${c.endLine}`);
  }
  assert.ok(!chunks.some((c) => c.text.includes('tags:')), 'front matter is not passage text');
});

test('small sections merge; front matter title names a note without H1', () => {
  const chunks = chunkMarkdown('n.md', '---\ntitle: "My Note"\n---\n## A\n\nshort a\n\n## B\n\nshort b\n');
  assert.equal(chunks.length, 1);
  assert.equal(chunks[0].heading, 'My Note', 'siblings merge under their parent');
  assert.deepEqual([chunks[0].startLine, chunks[0].endLine], [4, 10]);
  assert.deepEqual(chunkMarkdown('x.md', '---\ntitle: x\n---\n'), []);
  assert.deepEqual(chunkMarkdown('x.md', ''), []);
});

test('markup is cleaned but words kept; code fences kept without markers', () => {
  const [c] = chunkMarkdown('m.md', '# T\n\nSee [the docs](https://x.y/z) and [[Other Note|that note]], **bold** and ![diagram](a.png) <b>tag</b>.\n\n```js\nconst a = 1;\n```\n', { minChars: 0 });
  assert.equal(c.text, 'See the docs and that note, bold and diagram tag .\n\nconst a = 1;');
});

test('long sections split on blocks to fit the real token budget; Korean too', async () => {
  const enc = await encoder();
  const count = (t: string) => enc.countTokens(t);
  const para = (i: number) => `Paragraph ${i} talks about indexing notes and searching them by meaning with embeddings and keywords.`;
  const md = `# Long\n\n${Array.from({ length: 40 }, (_, i) => para(i)).join('\n\n')}\n`;
  const chunks = chunkMarkdown('long.md', md, { maxTokens: 64, countTokens: count });
  assert.ok(chunks.length >= 10);
  for (const c of chunks) assert.ok(count(c.text) <= 64, `${count(c.text)} tokens`);
  assert.equal(chunks[0].startLine, 1);
  assert.equal(chunks.at(-1)!.endLine, 81);
  const ko = chunkMarkdown('ko.md', read('korean/kimchi.md'), { minChars: 0 });
  assert.deepEqual(ko.map((c) => c.heading), ['김치찌개 만들기 › 재료', '김치찌개 만들기 › 끓이기']);
  assert.ok(estimateTokens('기차가 옵니다') >= 6);
});

test('a 10 MB single line is split quickly into in-budget passages', () => {
  const line = 'word '.repeat(2_000_000);
  const t0 = Date.now();
  const chunks = chunkMarkdown('big.md', `# Big\n\n${line}\n`, { maxTokens: 256 });
  const ms = Date.now() - t0;
  assert.ok(chunks.length > 1000);
  assert.ok(chunks.every((c) => c.text.length > 0 && estimateTokens(c.text) <= 256));
  assert.equal(chunks[0].startLine, 1, 'a section starts at its heading');
  assert.ok(chunks.slice(1).every((c) => c.startLine === 3 && c.endLine === 3));
  assert.ok(ms < 20_000, `${ms} ms`);
});

test('.txt files are chunked by paragraph without markdown', () => {
  const chunks = chunkMarkdown('ideas.txt', read('ideas.txt'), { minChars: 0, maxTokens: 20 });
  assert.equal(chunks[0].text, 'Plain text notes work too.');
  assert.deepEqual([chunks[1].startLine, chunks[1].endLine], [3, 3]);
});
