// How the frozen ranking defaults were chosen: a grid over passage size and fusion settings on
// the SciFact TRAIN split only (the test split is reported once, by bench/quality.ts).
// Run: npm run build && node out/bench/tune.js
import * as path from 'node:path';
import { buildEvalCorpus, scoreRetrieval } from '../src/engine/eval/runners';
import { dataDir, encoder, table } from './lib';

async function main(): Promise<void> {
  const enc = await encoder();
  const train = path.join(dataDir, 'scifact', 'train');
  const rows: Record<string, unknown>[] = [];
  for (const maxTokens of [256, 510]) {
    const corpus = await buildEvalCorpus(train, { mode: 'hybrid', encoder: enc, maxTokens });
    const kw = await scoreRetrieval(corpus, { mode: 'keyword', encoder: null });
    const sem = await scoreRetrieval(corpus, { mode: 'semantic', encoder: enc });
    rows.push({ maxTokens, mode: 'keyword', weights: '', ndcg10: kw.ndcg10 });
    rows.push({ maxTokens, mode: 'semantic', weights: '', ndcg10: sem.ndcg10 });
    for (const rrfK of [20, 60]) {
      for (const keywordWeight of [1, 2, 4, 8]) {
        const h = await scoreRetrieval(corpus, { mode: 'hybrid', encoder: enc, rrfK, keywordWeight, semanticWeight: 1 });
        rows.push({ maxTokens, mode: 'hybrid', weights: `k=${rrfK} kw=${keywordWeight} sem=1`, ndcg10: h.ndcg10 });
      }
    }
  }
  table(rows);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
