// 5 + 6. Retrieval quality with the product's defaults (each model's own fusion, no flag) on
// SciFact test (English) and korquad-a (Korean): keyword, semantic, hybrid, and the old untuned
// RRF (k = 60, 1:1) beside it; the bar is "hybrid never ranks worse than its own parts". Then STS
// Spearman×100 on STS-B and KorSTS dev for each bi-encoder and pooling mode. Fusion weights were
// chosen on train data only (bench/tune.ts); these test figures are read once.
import * as path from 'node:path';
import { buildEvalCorpus, evalSts, scoreRetrieval } from '../src/engine/eval/runners';
import { loadModel } from '../src/engine/models/load';
import { resolveModel } from '../src/engine/models/resolve';
import { CrossEncoder } from '../src/engine/rerank/crossEncoder';
import { DEFAULT_EMBEDDING_MODEL, EngineSession } from '../src/engine/session';
import { bar, dataDir, fmt, modelsDir, quick, repoRoot, table, writeResult } from './lib';

export interface QualityRow {
  set: string;
  model: string;
  keyword: number;
  semantic: number;
  hybrid: number;
  hybridRrf: number;
  recall100: number;
}

const SETS: { set: string; dir: string; models: string[] }[] = [
  { set: 'SciFact test', dir: 'scifact', models: ['semantic-notes/static-en-v2', 'semantic-notes/static-en', DEFAULT_EMBEDDING_MODEL] },
  { set: 'korquad-a', dir: 'korquad-a', models: ['semantic-notes/static-ko', DEFAULT_EMBEDDING_MODEL] },
];

function session(model: string): EngineSession {
  return new EngineSession({ modelsDir, embeddingModel: model, fillMaskModel: '', crossEncoderModel: '' });
}

export async function run(): Promise<void> {
  const retrieval: QualityRow[] = [];
  for (const s of SETS) {
    for (const model of quick ? s.models.slice(0, 1) : s.models) {
      const enc = await session(model).encoder();
      const corpus = await buildEvalCorpus(path.join(dataDir, s.dir), { mode: 'hybrid', encoder: enc });
      const kw = await scoreRetrieval(corpus, { mode: 'keyword', encoder: null });
      const sem = await scoreRetrieval(corpus, { mode: 'semantic', encoder: enc });
      const hyb = await scoreRetrieval(corpus, { mode: 'hybrid', encoder: enc });
      const rrf = await scoreRetrieval(corpus, { mode: 'hybrid', encoder: enc, fusion: { method: 'rrf', semanticWeight: 0.5, rrfK: 60 } });
      retrieval.push({ set: s.set, model, keyword: kw.ndcg10, semantic: sem.ndcg10, hybrid: hyb.ndcg10, hybridRrf: rrf.ndcg10, recall100: hyb.recall100 });
    }
  }
  table(
    retrieval.map((r) => ({
      set: r.set,
      model: r.model,
      keyword: fmt(r.keyword, 4),
      semantic: fmt(r.semantic, 4),
      'hybrid (model fusion)': fmt(r.hybrid, 4),
      'RRF k=60 1:1': fmt(r.hybridRrf, 4),
      'hybrid ≥ both parts': bar(r.hybrid >= Math.max(r.keyword, r.semantic)),
    })),
  );
  // Hybrid + cross-encoder rerank. No pretrained cross-encoder exists on these machines: this row
  // runs the real rerank path with the random-weight test fixture, so it measures plumbing, not
  // quality (real users get Xenova/ms-marco-MiniLM-L-6-v2).
  const enc = await session('semantic-notes/static-en-v2').encoder();
  const sci = await buildEvalCorpus(path.join(dataDir, 'scifact'), { mode: 'hybrid', encoder: enc });
  const reranker = new CrossEncoder(await loadModel(await resolveModel('semantic-notes-test/tiny-cross-encoder', { modelsDir: path.join(repoRoot, 'test', 'fixtures', 'models') }), 'cross-encoder'));
  const rr = await scoreRetrieval(sci, { mode: 'hybrid', encoder: enc, reranker });
  table([{ row: 'SciFact test, hybrid + rerank (random-weight fixture: plumbing only)', 'nDCG@10': fmt(rr.ndcg10, 4) }]);
  const sts: Record<string, unknown>[] = [];
  for (const model of ['semantic-notes/static-en-v2', 'semantic-notes/static-ko', ...(quick ? [] : ['semantic-notes/static-en', DEFAULT_EMBEDDING_MODEL])]) {
    const e = await session(model).encoder();
    // CLS pooling reads the [CLS] row, which a static encoder leaves at zero: not a mode for them.
    for (const pooling of ['mean', 'max'] as const) {
      if (model === DEFAULT_EMBEDDING_MODEL && pooling !== 'mean') continue;
      const en = await evalSts(path.join(dataDir, 'stsb', 'dev.jsonl'), e, pooling);
      const ko = await evalSts(path.join(dataDir, 'korsts', 'dev.jsonl'), e, pooling);
      sts.push({ model, pooling, 'STS-B': fmt(en.spearman, 1), KorSTS: fmt(ko.spearman, 1) });
    }
  }
  table(sts);
  writeResult('quality', { retrieval, rerankFixture: rr.ndcg10, sts });
}
