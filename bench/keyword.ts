// 4a. Our BM25 against MiniSearch (the engine of Obsidian's Omnisearch) on SciFact: index build
// and query speed measured side by side, and nDCG@10 of each.
import * as path from 'node:path';
import MiniSearch from 'minisearch';
import { loadBeir } from '../src/engine/eval/datasets';
import { ndcgAtK } from '../src/engine/eval/metrics';
import { Bm25Index } from '../src/engine/search/bm25';
import { abMedian, bar, dataDir, fmt, quick, table, writeResult } from './lib';

export async function run(): Promise<void> {
  const dir = path.join(dataDir, 'scifact');
  const data = await loadBeir({ corpus: path.join(dir, 'corpus.jsonl'), queries: path.join(dir, 'queries.jsonl'), qrels: path.join(dir, 'qrels.tsv') });
  const docs = data.corpus.map((d, i) => ({ id: i, doc: d.id, text: `${d.title}\n${d.text}` }));
  let ours = new Bm25Index();
  let mini = new MiniSearch<{ id: number; text: string }>({ fields: ['text'], storeFields: [] });
  const build = await abMedian(quick ? 3 : 7, () => {
    ours = new Bm25Index();
    for (const d of docs) ours.add(d.id, d.text);
  }, () => {
    mini = new MiniSearch<{ id: number; text: string }>({ fields: ['text'] });
    mini.addAll(docs);
  });
  const queries = data.queries;
  const q = await abMedian(quick ? 3 : 9, () => {
    for (const x of queries) ours.search(x.text, 10);
  }, () => {
    for (const x of queries) mini.search(x.text).slice(0, 10);
  });
  const ndcg = (rank: (text: string) => number[]) =>
    queries.reduce((s, x) => s + ndcgAtK(rank(x.text).map((i) => docs[i].doc), data.qrels.get(x.id) ?? new Map(), 10), 0) / queries.length;
  const oursNdcg = ndcg((t) => ours.search(t, 10).map((h) => h.id));
  const miniNdcg = ndcg((t) => mini.search(t).slice(0, 10).map((h) => h.id as number));
  const buildRatio = build.b / build.a;
  const queryRatio = q.b / q.a;
  table([
    { what: 'index build speed, ours / MiniSearch', value: fmt(buildRatio), bar: `≥ 1.0: ${bar(buildRatio >= 1)}` },
    { what: 'query speed, ours / MiniSearch', value: fmt(queryRatio), bar: `≥ 1.0: ${bar(queryRatio >= 1)}` },
    { what: 'SciFact test nDCG@10, ours', value: fmt(oursNdcg, 4), bar: `≥ MiniSearch: ${bar(oursNdcg >= miniNdcg)}` },
    { what: 'SciFact test nDCG@10, MiniSearch', value: fmt(miniNdcg, 4), bar: '' },
  ]);
  writeResult('keyword', { buildMs: build, queryMs: q, buildRatio, queryRatio, ndcg10: { ours: oursNdcg, minisearch: miniNdcg }, docs: docs.length, queries: queries.length });
}
