// Every CLI command end to end, as a user runs it: a real process, real models, real files.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { dataDir, modelsDir, repoRoot, tmpDir } from '../helpers/env';

const cli = path.join(repoRoot, 'out', 'src', 'cli', 'main.js');
const notes = path.join(repoRoot, 'examples', 'notes');
const MODEL = ['--model', 'semantic-notes/static-en'];

function run(args: string[], env: Record<string, string> = {}): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, SEMANTIC_NOTES_MODELS: modelsDir(), SEMANTIC_NOTES_CACHE: tmpDir('sn-cache-'), ...env } });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

function json<T>(args: string[]): T {
  const r = run([...args, '--json']);
  assert.equal(r.code, 0, r.err);
  return JSON.parse(r.out) as T;
}

/** The example notes plus a second sourdough note, so that related passages have one that stands out. */
function notesWithNeighbour(): string {
  const dir = tmpDir('sn-cli-notes-');
  fs.cpSync(notes, dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'cooking', 'sourdough-log.md'), SOURDOUGH_LOG);
  return dir;
}

const SOURDOUGH_LOG = '# Sourdough log\n\nFed the starter with rye flour and water; it doubled overnight. The dough rested, was shaped into a loaf and baked in a hot dutch oven.\n';

test('index → search (three modes) → related, and a second index embeds nothing', () => {
  const store = tmpDir('sn-cli-');
  const folder = notesWithNeighbour();
  // static-en-v2: the weaker static-en finds nothing that stands out as related in so small a folder.
  const MODEL = ['--model', 'semantic-notes/static-en-v2'];
  const first = json<{ files: number; chunks: number; embedded: number; skipped: unknown[] }>(['index', folder, '--store', store, ...MODEL]);
  assert.equal(first.files, 12);
  assert.equal(first.embedded, first.chunks);
  assert.deepEqual(first.skipped, []);
  const again = json<{ embedded: number }>(['index', folder, '--store', store, ...MODEL]);
  assert.equal(again.embedded, 0);
  for (const mode of ['hybrid', 'semantic', 'keyword']) {
    const hits = json<{ path: string; startLine: number; endLine: number; heading: string; score: number; snippet: string }[]>(['search', 'undo the last git commit', '--store', store, '--mode', mode, '-k', '3']);
    assert.equal(hits.length, 3, mode);
    assert.equal(hits[0].path, 'dev/git.md', mode);
    assert.deepEqual(Object.keys(hits[0]).sort(), ['endLine', 'heading', 'path', 'score', 'snippet', 'startLine']);
  }
  const ko = json<{ path: string }[]>(['search', '김치', '--store', store, '--mode', 'keyword', '-k', '1']);
  assert.equal(ko[0].path, 'korean/kimchi.md');
  // Only passages that stand out from the folder are related: the other sourdough note.
  const rel = json<{ path: string }[]>(['related', 'cooking/bread.md', '--store', store, '-k', '4']);
  assert.ok(rel.length >= 1 && rel.length <= 4, JSON.stringify(rel));
  assert.equal(rel[0].path, 'cooking/sourdough-log.md');
  assert.ok(rel.every((h) => h.path !== 'cooking/bread.md'));
  // Rerank with a real cross-encoder model (the test fixture) from a models folder of our own.
  const models = tmpDir('sn-models-');
  fs.symlinkSync(path.join(modelsDir(), 'semantic-notes'), path.join(models, 'semantic-notes'));
  fs.mkdirSync(path.join(models, 'semantic-notes-test'));
  fs.symlinkSync(path.join(repoRoot, 'test', 'fixtures', 'models', 'semantic-notes-test', 'tiny-cross-encoder'), path.join(models, 'semantic-notes-test', 'tiny-cross-encoder'));
  const reranked = json<{ path: string; score: number }[]>(['search', 'undo the last git commit', '--store', store, '--rerank', '--rerank-model', 'semantic-notes-test/tiny-cross-encoder', '--models-dir', models, '-k', '5']);
  assert.equal(reranked.length, 5);
  for (let i = 1; i < reranked.length; i++) assert.ok(reranked[i - 1].score >= reranked[i].score);
  const noModel = run(['search', 'git', '--store', store, '--rerank', '--rerank-model', 'acme/none']);
  assert.equal(noModel.code, 1);
  assert.match(noModel.err, /model acme\/none was not found/);
  const human = run(['search', 'docker prune', '--store', store, '-k', '1']);
  assert.equal(human.code, 0);
  assert.match(human.out, /dev\/docker\.md:\d+-\d+/);
});

test('similarity prints the matrix for every pooling and metric', () => {
  const texts = ['The weather is lovely today.', "It's so sunny outside!", 'He drove to the stadium.'];
  const r = json<{ texts: string[]; matrix: number[][] }>(['similarity', ...texts, ...MODEL]);
  assert.deepEqual(r.texts, texts);
  assert.equal(r.matrix.length, 3);
  assert.ok(Math.abs(r.matrix[0][0] - 1) < 1e-5);
  assert.equal(r.matrix[0][1], r.matrix[1][0]);
  // The shared model README's sanity figures: sunny pair closer than the stadium pair.
  assert.ok(r.matrix[0][1] > r.matrix[0][2], JSON.stringify(r.matrix));
  assert.ok(Math.abs(r.matrix[0][1] - 0.551) < 0.01, `cosine ${r.matrix[0][1]}`);
  const e = json<{ matrix: number[][] }>(['similarity', ...texts, ...MODEL, '--metric', 'euclidean', '--pooling', 'max']);
  assert.equal(e.matrix[1][1], 0);
  assert.ok(e.matrix[0][2] > 0);
  const cls = json<{ matrix: number[][] }>(['similarity', ...texts, ...MODEL, '--pooling', 'cls']);
  assert.ok(cls.matrix.length === 3);
});

test('mask gives the top-k with scores and the filled sentence', () => {
  const r = json<{ token: string; score: number; sequence: string }[]>(['mask', 'The capital of France is [MASK].', '--model', 'semantic-notes-test/tiny-bert-mlm', '-k', '5']);
  assert.equal(r.length, 5);
  assert.equal(r[0].token, 'dog'); // the fixture's torch golden top-1 (random weights)
  assert.ok(r[0].score >= r[4].score);
  assert.match(r[0].sequence, /dog/);
  const none = run(['mask', 'no mask here', '--model', 'semantic-notes-test/tiny-bert-mlm']);
  assert.equal(none.code, 1);
  assert.match(none.err, /^semantic-notes: the text has no \[MASK\]/);
});

test('eval retrieval and eval sts print their metrics', () => {
  const data = tmpDir('sn-eval-');
  // A 300-document slice of SciFact keeps the test quick; the full figures are in bench/.
  const corpus = fs.readFileSync(path.join(dataDir(), 'scifact', 'corpus.jsonl'), 'utf8').split('\n').filter(Boolean);
  const qrels = fs.readFileSync(path.join(dataDir(), 'scifact', 'qrels.tsv'), 'utf8').split('\n').filter(Boolean);
  const keep = new Set(qrels.slice(1, 60).map((l) => l.split('\t')[1]));
  const docs = corpus.filter((l) => keep.has(JSON.parse(l).id as string)).concat(corpus.slice(0, 240));
  fs.writeFileSync(path.join(data, 'corpus.jsonl'), docs.join('\n'));
  fs.writeFileSync(path.join(data, 'qrels.tsv'), [qrels[0], ...qrels.slice(1, 60)].join('\n'));
  const qids = new Set(qrels.slice(1, 60).map((l) => l.split('\t')[0]));
  fs.writeFileSync(path.join(data, 'queries.jsonl'), fs.readFileSync(path.join(dataDir(), 'scifact', 'queries.jsonl'), 'utf8').split('\n').filter((l) => l && qids.has(JSON.parse(l).id as string)).join('\n'));
  const kw = json<{ ndcg10: number; recall100: number; mrr10: number; queries: number }>(['eval', 'retrieval', '--data', data, '--mode', 'keyword']);
  assert.equal(kw.queries, qids.size);
  assert.ok(kw.ndcg10 > 0.5 && kw.ndcg10 <= 1, JSON.stringify(kw));
  const hy = json<{ ndcg10: number }>(['eval', 'retrieval', '--data', data, '--mode', 'hybrid', ...MODEL]);
  assert.ok(hy.ndcg10 > 0.3, JSON.stringify(hy));
  const sts = path.join(data, 'sts.jsonl');
  fs.writeFileSync(sts, fs.readFileSync(path.join(dataDir(), 'stsb', 'dev.jsonl'), 'utf8').split('\n').slice(0, 300).join('\n'));
  const r = json<{ spearman: number; pearson: number; pairs: number }>(['eval', 'sts', '--data', sts, ...MODEL]);
  assert.equal(r.pairs, 300);
  assert.ok(r.spearman > 20 && r.spearman < 100, JSON.stringify(r));
});

test('bad input: one line on stderr, non-zero exit, no stack trace', () => {
  const store = tmpDir('sn-cli-');
  const cases: [string[], RegExp][] = [
    [['index', '/no/such/folder', '--store', store, ...MODEL], /no such folder/],
    [['index', notes, '--store', store, '--model', 'acme/unknown'], /model acme\/unknown was not found/],
    [['search', '  ', '--store', store], /the query is empty/],
    [['search', 'x', '--store', tmpDir('sn-empty-')], /no index in/],
    [['similarity', 'a', '', ...MODEL], /non-empty/],
    [['eval', 'sts', '--data', '/no/file.jsonl', ...MODEL], /no such file/],
  ];
  for (const [args, re] of cases) {
    const r = run(args);
    assert.notEqual(r.code, 0, args.join(' '));
    assert.match(r.err, re, args.join(' '));
    assert.equal(r.err.trim().split('\n').length, 1, `one line: ${r.err}`);
    assert.doesNotMatch(r.err, /\n\s+at /);
  }
  // A corrupt store: index, then damage index.json and the manifest.
  json(['index', notes, '--store', store, ...MODEL]);
  fs.writeFileSync(path.join(store, 'index.json'), '{not json');
  const r = run(['search', 'git', '--store', store]);
  assert.equal(r.code, 1);
  assert.match(r.err, /unreadable.*index the folder again/);
});
