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
  assert.equal(chunks[0].heading, 'My Note › A + B', 'merged siblings keep their own headings after their parent');
  assert.deepEqual([chunks[0].startLine, chunks[0].endLine], [4, 10]);
  // A note of front matter alone (Dendron makes them) is one passage: its title and description.
  assert.deepEqual(chunkMarkdown('x.md', '---\nid: a.b\ntitle: "Weekly review"\ndesc: plans for the week\n---\n'), [
    { path: 'x.md', startLine: 1, endLine: 5, heading: 'Weekly review', text: 'Weekly review\nplans for the week' },
  ]);
  assert.deepEqual(chunkMarkdown('x.md', '---\ntags: [a]\n---\n'), []);
  assert.deepEqual(chunkMarkdown('x.md', ''), []);
});

test('merged tiny sections each keep their heading in the breadcrumb', () => {
  const text = '# Trip\n\n## Train\n\nKTX, 2.5 h.\n\n## Food\n\nRaw fish.\n\n## Hotel\n\nBooked a room by the beach with a sea view for three nights in a row.\n';
  const chunks = chunkMarkdown('t.md', text, { maxTokens: 256 });
  assert.deepEqual(chunks.map((c) => c.heading), ['Trip › Train + Food + Hotel']);
  // A tiny intro merges with its first subsection: the subsection's heading stays.
  assert.deepEqual(chunkMarkdown('p.md', '# Pasta\n\nQuick.\n\n## Sauce\n\nGarlic, tomatoes and basil, simmered for fifteen minutes.\n').map((c) => c.heading), ['Pasta › Sauce']);
  // Deeper levels keep their path.
  assert.deepEqual(chunkMarkdown('d.md', '# N\n\n## A\n\n### A1\n\nshort\n\n## B\n\nshort too\n').map((c) => c.heading), ['N › A › A1 + B']);
});

test('list items are one line each, wrapped or not; task boxes dropped', () => {
  const text = '# 역할\n\n백엔드 API 설계를 담당한다.\n\n- 배포 스크립트 정리\n- 모니터링 대시보드\n  추가\n- [x] 로그 보관 기간 결정\n  1. nested step\n';
  const [c] = chunkMarkdown('r.md', text, { minChars: 0 });
  assert.equal(c.text, '백엔드 API 설계를 담당한다.\n\n배포 스크립트 정리\n모니터링 대시보드 추가\n로그 보관 기간 결정\nnested step');
  assert.deepEqual([c.startLine, c.endLine], [1, 9]);
});

test('a link whose URL holds parentheses leaves only its text; code spans keep every word', () => {
  const [c] = chunkMarkdown('l.md', '# L\n\nSee [the function](https://en.wikipedia.org/wiki/Function_(mathematics)) and plus a [click me](javascript:alert(1)) link, `Partial<T>` and ![a (small) chart](c.png?(x)).\n', { minChars: 0 });
  assert.equal(c.text, 'See the function and plus a click me link, Partial<T> and a (small) chart.');
  // A table row is one line, cells parted by " | ".
  const [t] = chunkMarkdown('t.md', '# T\n\n| name | use |\n|---|---|\n| [jq](https://x.y/(a)) | JSON |\n', { minChars: 0 });
  assert.equal(t.text, 'name | use\njq | JSON');
});

test('front matter is read as YAML: quotes, escapes, folded blocks, comments; by lines when invalid', () => {
  const heading = (yaml: string) => chunkMarkdown('f.md', `---\n${yaml}\n---\n## Body\n\nSome body text long enough to stand alone as a passage here.\n`)[0].heading;
  assert.equal(heading('title: "Say \\"hi\\""'), 'Say "hi" › Body');
  assert.equal(heading("title: 'It''s mine'"), "It's mine › Body");
  assert.equal(heading('title: >-\n  Folded\n  title\ntags: [a, b]'), 'Folded title › Body');
  assert.equal(heading('title: Plain # a comment'), 'Plain › Body');
  assert.equal(heading('Title: Capital'), 'Capital › Body');
  assert.equal(heading('title: [unclosed\nother: x'), '[unclosed › Body', 'not YAML: the title line is read as it is');
  assert.deepEqual(chunkMarkdown('d.md', '---\ntitle: "Weekly \\u2014 review"\ndescription: |\n  plans for\n  the week\n---\n'), [
    { path: 'd.md', startLine: 1, endLine: 6, heading: 'Weekly — review', text: 'Weekly — review\nplans for the week' },
  ]);
});

test('markup is cleaned but words kept; code fences kept without markers', () => {
  const [c] = chunkMarkdown('m.md', '# T\n\nSee [the docs](https://x.y/z) and [[Other Note|that note]], **bold** and ![diagram](a.png) <b>tag</b>.\n\n```js\nconst a = 1;\n```\n', { minChars: 0 });
  assert.equal(c.text, 'See the docs and that note, bold and diagram tag.\n\nconst a = 1;');
});

test('Dendron labels, <sup>/<sub> inside words, inline code over a line break', async () => {
  const [w] = chunkMarkdown('w.md', '# T\n\nSee [[Quarterly plan|work.plans.q3]], [[Obsidian Note|its alias]] and [[daily.journal]].\n', { minChars: 0 });
  assert.equal(w.text, 'See Quarterly plan, its alias and daily.journal.');
  const [h] = chunkMarkdown('h.md', '# T\n\nWater is H<sub>2</sub>O and E = mc<sup>2</sup>; one<br>two <span class="x">tagged</span>\n', { minChars: 0 });
  assert.equal(h.text, 'Water is H2O and E = mc2; one two tagged');
  // A paragraph whose last line is only the closing backtick of a code span: split on lines,
  // its passages must tile the file without overlapping.
  const body = Array.from({ length: 8 }, (_, i) => `line ${i} has some words in it and more words here`).join('\n');
  for (const text of [`# T\n\n${body} \`code\n\`\n\nafter\n`, `# T\n\n\`\n${body} code\`\n\nafter\n`, `# T\n\n\`\`\`\n${body}\n\`\`\`\n`]) {
    const chunks = chunkMarkdown('c.md', text, { minChars: 0, maxTokens: 24 });
    assert.ok(chunks.length >= 3);
    for (let i = 1; i < chunks.length; i++) assert.ok(chunks[i].startLine > chunks[i - 1].endLine, JSON.stringify(chunks.map((c) => [c.startLine, c.endLine])));
    const lines = text.split('\n');
    for (const c of chunks) {
      const first = c.text.split('\n')[0].split(' ').slice(0, 2).join(' ');
      assert.ok(lines.slice(c.startLine - 1, c.endLine).join('\n').includes(first), `${first} within ${c.startLine}-${c.endLine}`);
    }
  }
  // A blob without spaces is one [UNK] per 100 letters to WordPiece: passages stay short anyway.
  const enc = await encoder();
  const blob = chunkMarkdown('b.md', `# Blob\n\n${'QUJD'.repeat(250_000)}\n`, { maxTokens: 254, countTokens: (t) => enc.countTokens(t) });
  assert.ok(blob.length > 100 && blob.every((c) => c.text.length <= 254 * 12 + 8), `${Math.max(...blob.map((c) => c.text.length))} chars`);
  assert.equal(blob.reduce((n, c) => n + c.text.replace(/^Blob\n?/, '').replace(/\s/g, '').length, 0), 1_000_000);
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

test('markup that never closes (a 100 KB line of `[a](`, `**a`, `[[a|`, `<a`…) chunks in linear time, words kept', () => {
  const n = 25_000;
  const lines: Record<string, string> = {
    links: '[a]('.repeat(n),
    images: '![a'.repeat(n),
    wikilinks: '[[a|'.repeat(n),
    strong: '**a '.repeat(n),
    strike: '~~a '.repeat(n),
    tags: '<a '.repeat(n),
    brackets: `${'['.repeat(n)}a${']'.repeat(n)}`,
    spaces: `a${' '.repeat(n * 4)}a`,
  };
  const t0 = Date.now();
  for (const [name, line] of Object.entries(lines)) {
    const t = Date.now();
    const chunks = chunkMarkdown('p.md', `# P\n\n${line}\n`, { maxTokens: 256 });
    const words = chunks.reduce((k, c) => k + (c.text.match(/a/g)?.length ?? 0), 0);
    assert.equal(words, (line.match(/a/g) ?? []).length, `${name}: every "a" kept`);
    assert.ok(chunks.every((c) => estimateTokens(c.text) <= 256), name);
    console.log(`${name}: ${line.length} chars in ${Date.now() - t} ms`);
  }
  // Unbounded patterns took minutes here (quadratic); bounded ones take about a second each.
  assert.ok(Date.now() - t0 < 60_000, `${Date.now() - t0} ms`);
});
