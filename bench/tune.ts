// How the fusion defaults were chosen: a grid over fusion methods and semantic weights, scored on
// TRAIN data only (SciFact train for the English models; korquad-a, the only Korean retrieval
// set here, for the Korean one). The test splits are reported once, by bench/quality.ts.
// Run: npm run build && node out/bench/tune.js [model ...]
import * as path from 'node:path';
import { buildEvalCorpus, scoreRetrieval, type EvalCorpus } from '../src/engine/eval/runners';
import type { FusionSettings } from '../src/engine/search/fusion';
import { dataDir, encoder, table } from './lib';

const SETS: Record<string, string> = {
  'semantic-notes/static-en-v2': path.join(dataDir, 'scifact', 'train'),
  'semantic-notes/static-en': path.join(dataDir, 'scifact', 'train'),
  'semantic-notes/static-ko': path.join(dataDir, 'korquad-a'),
};

export async function grid(corpus: EvalCorpus, enc: EvalCorpus['encoder']): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  const kw = await scoreRetrieval(corpus, { mode: 'keyword', encoder: null });
  const sem = await scoreRetrieval(corpus, { mode: 'semantic', encoder: enc });
  rows.push({ fusion: 'keyword', ndcg10: kw.ndcg10, recall100: kw.recall100 }, { fusion: 'semantic', ndcg10: sem.ndcg10, recall100: sem.recall100 });
  const settings: Partial<FusionSettings>[] = [];
  for (const w of [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6]) settings.push({ method: 'convex', semanticWeight: w });
  for (const w of [0.1, 0.2, 0.3, 0.5]) settings.push({ method: 'rrf', semanticWeight: w, rrfK: 60 });
  for (const fusion of settings) {
    const h = await scoreRetrieval(corpus, { mode: 'hybrid', encoder: enc, fusion });
    rows.push({ fusion: JSON.stringify(fusion), ndcg10: h.ndcg10, recall100: h.recall100 });
  }
  return rows;
}

async function main(): Promise<void> {
  const models = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(SETS);
  for (const model of models) {
    const enc = await encoder(model);
    const corpus = await buildEvalCorpus(SETS[model], { mode: 'hybrid', encoder: enc });
    console.log(`\n${model} on ${path.relative(dataDir, SETS[model])}`);
    table(await grid(corpus, enc));
  }
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
