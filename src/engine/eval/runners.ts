// Quality evaluations behind `semantic-notes eval`: BEIR-style retrieval (nDCG@10, Recall@100,
// MRR@10) through the same passage index and ranking code the product uses, and STS (Spearman,
// Pearson of cosine similarity against gold scores).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Embedder as Encoder } from '../embedding/encoder';
import { cosine } from '../embedding/similarity';
import { PassageIndex, type SearchOptions } from '../index/passageIndex';
import { chunkMarkdown } from '../notes/chunker';
import type { CrossEncoder } from '../rerank/crossEncoder';
import type { Pooling, SearchMode } from '../types';
import { loadBeir, loadSts } from './datasets';
import { mrrAtK, ndcgAtK, pearson, recallAtK, spearman } from './metrics';

export interface RetrievalReport {
  ndcg10: number;
  recall100: number;
  mrr10: number;
  queries: number;
  mode: SearchMode;
  rerank: boolean;
  model: string | null;
}

export interface RetrievalEvalOptions extends Pick<SearchOptions, 'fusion' | 'candidates' | 'rerankTop'> {
  mode: SearchMode;
  encoder: Encoder | null;
  reranker?: CrossEncoder | null;
  /** Token budget per passage; documents longer than it are split and scored by their best passage. */
  maxTokens?: number;
  /** Corpus file; default <data>/corpus.jsonl, else ../corpus.jsonl (SciFact's train split shares the corpus). */
  corpus?: string;
  onProgress?: (done: number, total: number) => void;
}

export async function evalRetrieval(dataDir: string, opts: RetrievalEvalOptions): Promise<RetrievalReport> {
  const corpus = await buildEvalCorpus(dataDir, opts);
  return scoreRetrieval(corpus, opts);
}

export interface EvalCorpus {
  data: Awaited<ReturnType<typeof loadBeir>>;
  index: PassageIndex;
  docOf: Map<number, string>;
  encoder: Encoder | null;
}

/** Chunks and embeds a BEIR corpus once, so several ranking settings can be scored on it. */
export async function buildEvalCorpus(dataDir: string, opts: Pick<RetrievalEvalOptions, 'mode' | 'encoder' | 'maxTokens' | 'corpus' | 'onProgress'>): Promise<EvalCorpus> {
  const corpusFile = opts.corpus ?? firstExisting([path.join(dataDir, 'corpus.jsonl'), path.join(dataDir, '..', 'corpus.jsonl')]);
  const data = await loadBeir({ corpus: corpusFile, queries: path.join(dataDir, 'queries.jsonl'), qrels: path.join(dataDir, 'qrels.tsv') });
  if (opts.mode !== 'keyword' && !opts.encoder) throw new Error(`${opts.mode} evaluation needs an embedding model`);
  const enc = opts.mode === 'keyword' ? null : opts.encoder;
  const index = new PassageIndex({ dims: enc ? enc.dims : null });
  const maxTokens = opts.maxTokens ?? Math.min(256, (enc?.profile.maxTokens ?? 512) - 2);
  const countTokens = enc ? (t: string) => enc.countTokens(t) : undefined;
  const docOf = new Map<number, string>();
  let nextId = 1;
  const pending: { id: number; text: string; heading: string; path: string }[] = [];
  for (const doc of data.corpus) {
    // The title becomes the heading, as a note's title would.
    const chunks = chunkMarkdown(`${doc.id}.txt`, doc.text, { maxTokens, countTokens });
    for (const c of chunks.length ? chunks : [{ path: `${doc.id}.txt`, startLine: 1, endLine: 1, heading: '', text: doc.title }]) {
      const id = nextId++;
      docOf.set(id, doc.id);
      pending.push({ id, text: c.text, heading: doc.title, path: doc.id });
    }
  }
  const vectors = enc ? await enc.embed(pending.map((p) => (p.heading ? `${p.heading}\n${p.text}` : p.text)), { role: 'passage', onProgress: opts.onProgress }) : null;
  pending.forEach((p, i) => index.add({ id: p.id, path: p.path, startLine: 1, endLine: 1, heading: p.heading, text: p.text }, vectors ? vectors[i] : null));
  return { data, index, docOf, encoder: enc };
}

export async function scoreRetrieval(c: EvalCorpus, opts: RetrievalEvalOptions): Promise<RetrievalReport> {
  const { data, index, docOf } = c;
  const enc = opts.mode === 'keyword' ? null : c.encoder;
  const run = new Map<string, string[]>();
  for (const q of data.queries) {
    // k = 100 for Recall@100; candidates as the product asks for them, so fusion sees what it sees.
    const ranked = await index.search(q.text, enc, { ...opts, mode: opts.mode, k: 100, reranker: opts.reranker ?? null });
    // A document ranks at its best passage.
    const docs: string[] = [];
    const seen = new Set<string>();
    for (const r of ranked) {
      const d = docOf.get(r.chunk.id)!;
      if (!seen.has(d)) {
        seen.add(d);
        docs.push(d);
      }
    }
    run.set(q.id, docs);
  }
  const ids = data.queries.map((q) => q.id).filter((id) => data.qrels.has(id));
  const mean = (f: (id: string) => number) => ids.reduce((s, id) => s + f(id), 0) / Math.max(ids.length, 1);
  return {
    ndcg10: round4(mean((id) => ndcgAtK(run.get(id) ?? [], data.qrels.get(id)!, 10))),
    recall100: round4(mean((id) => recallAtK(run.get(id) ?? [], data.qrels.get(id)!, 100))),
    mrr10: round4(mean((id) => mrrAtK(run.get(id) ?? [], data.qrels.get(id)!, 10))),
    queries: ids.length,
    mode: opts.mode,
    rerank: !!opts.reranker,
    model: enc?.id ?? null,
  };
}

export interface StsReport {
  spearman: number;
  pearson: number;
  pairs: number;
  model: string;
  pooling: Pooling;
}

export async function evalSts(file: string, encoder: Encoder, pooling?: Pooling): Promise<StsReport> {
  const pairs = await loadSts(file);
  if (pairs.length === 0) throw new Error(`${file} has no sentence pairs`);
  const p = pooling ?? encoder.profile.pooling;
  const a = await encoder.embed(pairs.map((x) => x.sentence1), { pooling: p });
  const b = await encoder.embed(pairs.map((x) => x.sentence2), { pooling: p });
  const sims = pairs.map((_, i) => cosine(a[i], b[i]));
  const gold = pairs.map((x) => x.score);
  return { spearman: round4(spearman(sims, gold) * 100), pearson: round4(pearson(sims, gold) * 100), pairs: pairs.length, model: encoder.id, pooling: p };
}

function firstExisting(files: string[]): string {
  return files.find((f) => fs.existsSync(f)) ?? files[0];
}

function round4(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}
