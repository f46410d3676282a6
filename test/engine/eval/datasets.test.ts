// Loaders for BEIR folders and STS jsonl: the real shared files, streaming, and clear errors for
// missing or garbled input.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beirFiles, loadBeir, loadQrels, loadSts, readBeirCorpus, readQrels, readSts } from '../../../src/engine/eval/datasets';
import { dataDir, tmpDir } from '../../helpers/env';

function write(dir: string, name: string, text: string): string {
  const f = path.join(dir, name);
  fs.mkdirSync(path.dirname(f), { recursive: true });
  fs.writeFileSync(f, text);
  return f;
}

async function rejects(p: Promise<unknown>, re: RegExp): Promise<void> {
  await assert.rejects(p, (err: Error) => {
    assert.match(err.message, re);
    return true;
  });
}

test('the shared SciFact and STS files load with the documented sizes', async () => {
  const dir = path.join(dataDir(), 'scifact');
  const test_ = await loadBeir(dir);
  assert.equal(test_.corpus.length, 5183);
  assert.equal(test_.queries.length, 300);
  assert.equal([...test_.qrels.values()].reduce((s, m) => s + m.size, 0), 339);
  // train/ has no corpus of its own: the parent's is used.
  const files = beirFiles(path.join(dir, 'train'));
  assert.equal(files.corpus, path.join(dir, 'corpus.jsonl'));
  const train = await loadBeir(files);
  assert.equal(train.queries.length, 809);
  assert.equal([...train.qrels.values()].reduce((s, m) => s + m.size, 0), 919);
  const sts = await loadSts(path.join(dataDir(), 'stsb', 'dev.jsonl'));
  const korsts = await loadSts(path.join(dataDir(), 'korsts', 'dev.jsonl'));
  assert.equal(sts.length, 1500);
  assert.equal(korsts.length, 1500);
  assert.equal(korsts[0].id, sts[0].id);
  assert.ok(korsts.every((p) => p.score >= 0 && p.score <= 5));
});

test('BEIR folder: _id or id, BOM, CRLF, blank lines, header, optional title', async () => {
  const dir = tmpDir('sn-beir-');
  write(dir, 'corpus.jsonl', '\ufeff{"_id": "d1", "title": "T", "text": "one"}\r\n\r\n{"id": 2, "text": "two"}\r\n');
  write(dir, 'queries.jsonl', '{"_id": "q1", "text": "first"}\n{"id": "q2", "text": "second", "metadata": {}}\n');
  write(dir, 'qrels.tsv', 'query-id\tcorpus-id\tscore\nq1\td1\t1\nq1\t2\t2\r\nq2\td1\t0\n');
  const data = await loadBeir(dir);
  assert.deepEqual(data.corpus, [{ id: 'd1', title: 'T', text: 'one' }, { id: '2', title: '', text: 'two' }]);
  assert.deepEqual(data.queries, [{ id: 'q1', text: 'first' }, { id: 'q2', text: 'second' }]);
  assert.deepEqual(data.qrels, new Map([['q1', new Map([['d1', 1], ['2', 2]])], ['q2', new Map([['d1', 0]])]]));
  // Records repeated verbatim are read once (BEIR's loader keeps one copy too).
  write(dir, 'corpus.jsonl', '{"_id": "d1", "title": "T", "text": "one"}\n{"_id": "d1", "title": "T", "text": "one"}\n');
  write(dir, 'qrels.tsv', 'query-id\tcorpus-id\tscore\nq1\td1\t1\nq1\td1\t1\n');
  const again = await loadBeir(dir);
  assert.equal(again.corpus.length, 1);
  assert.deepEqual(again.qrels.get('q1'), new Map([['d1', 1]]));
  // A qrels file without the header line is read as data from the first line.
  write(dir, 'plain.tsv', 'q1\td1\t1\n');
  assert.deepEqual(await loadQrels(path.join(dir, 'plain.tsv')), new Map([['q1', new Map([['d1', 1]])]]));
});

test('streaming: records arrive one at a time and stopping early closes the file', async () => {
  const dir = tmpDir('sn-beir-');
  const lines = Array.from({ length: 10_000 }, (_, i) => JSON.stringify({ _id: `d${i}`, text: `text ${i}` }));
  const f = write(dir, 'corpus.jsonl', `${lines.join('\n')}\n{garbage at the end\n`);
  let n = 0;
  for await (const d of readBeirCorpus(f)) {
    assert.equal(d.id, `d${n}`);
    if (++n === 3) break; // never reaches the garbage
  }
  assert.equal(n, 3);
  await rejects((async () => {
    for await (const _ of readBeirCorpus(f)) void _;
  })(), /corpus\.jsonl:10001: not valid JSON/);
  const q = write(dir, 'qrels.tsv', 'query-id\tcorpus-id\tscore\nq\td\t1\n');
  const got = [];
  for await (const j of readQrels(q)) got.push(j);
  assert.deepEqual(got, [{ queryId: 'q', docId: 'd', score: 1 }]);
});

test('missing and garbled files give errors that name the file, the line and the problem', async () => {
  const dir = tmpDir('sn-beir-');
  const ok = '{"_id": "d1", "text": "x"}\n';
  await rejects(loadBeir(dir), /corpus\.jsonl does not exist/);
  await rejects(loadSts(path.join(dir, 'nope.jsonl')), /nope\.jsonl does not exist/);
  fs.mkdirSync(path.join(dir, 'adir'));
  await rejects(loadSts(path.join(dir, 'adir')), /adir is not a file/);

  const corpusCases: [string, RegExp][] = [
    [`${ok}{"_id": "d2", "text": "unterminated\n`, /corpus\.jsonl:2: not valid JSON/],
    [`${ok}[1, 2]\n`, /corpus\.jsonl:2: expected a JSON object/],
    [`${ok}{"_id": "d2"}\n`, /corpus\.jsonl:2: missing "text"/],
    [`${ok}{"text": "no id"}\n`, /corpus\.jsonl:2: missing "_id" or "id"/],
    [`${ok}{"_id": "d1", "text": "again"}\n`, /corpus\.jsonl:2: duplicate id "d1" with different content/],
    [`${ok}{"_id": "d2", "text": ["not", "a", "string"]}\n`, /corpus\.jsonl:2: "text" must be a string/],
    ['\n\n', /corpus\.jsonl has no documents/],
  ];
  write(dir, 'queries.jsonl', '{"_id": "q1", "text": "x"}\n');
  write(dir, 'qrels.tsv', 'query-id\tcorpus-id\tscore\nq1\td1\t1\n');
  for (const [text, re] of corpusCases) {
    write(dir, 'corpus.jsonl', text);
    await rejects(loadBeir(dir), re);
  }
  write(dir, 'corpus.jsonl', ok);
  const qrelsCases: [string, RegExp][] = [
    ['query-id\tcorpus-id\tscore\nq1 d1 1\n', /qrels\.tsv:2: expected 3 tab-separated columns/],
    ['query-id\tcorpus-id\tscore\nq1\td1\tyes\n', /qrels\.tsv:2: score "yes" is not a number/],
    ['query-id\tcorpus-id\tscore\nq1\td1\t1\nq1\td1\t2\n', /qrels\.tsv:3: query q1 and document d1 are judged twice, 1 and 2/],
    ['query-id\tcorpus-id\tscore\n\td1\t1\n', /qrels\.tsv:2: empty query or corpus id/],
    ['query-id\tcorpus-id\tscore\n', /qrels\.tsv has no judgements/],
  ];
  for (const [text, re] of qrelsCases) {
    write(dir, 'qrels.tsv', text);
    await rejects(loadBeir(dir), re);
  }
});

test('STS jsonl: scores as numbers or numeric strings, errors per line', async () => {
  const dir = tmpDir('sn-sts-');
  const f = write(dir, 'dev.jsonl', '{"id": "a", "sentence1": "x", "sentence2": "y", "score": 4.5}\n{"sentence1": "p", "sentence2": "q", "score": "2"}\n');
  assert.deepEqual(await loadSts(f), [{ id: 'a', sentence1: 'x', sentence2: 'y', score: 4.5 }, { sentence1: 'p', sentence2: 'q', score: 2 }]);
  const pairs = [];
  for await (const p of readSts(f)) pairs.push(p);
  assert.equal(pairs.length, 2);
  write(dir, 'bad.jsonl', '{"sentence1": "x", "sentence2": "y"}\n');
  await rejects(loadSts(path.join(dir, 'bad.jsonl')), /bad\.jsonl:1: missing numeric "score"/);
  write(dir, 'bad2.jsonl', '{"sentence1": "x", "score": 1}\n');
  await rejects(loadSts(path.join(dir, 'bad2.jsonl')), /bad2\.jsonl:1: missing "sentence2"/);
});
