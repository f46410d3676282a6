// Self-calibration of the hybrid weight α on a folder's own text, without labels (issue #9's
// "explore and report"): pseudo-queries cut from the corpus itself — one sentence taken out of a
// document is the query, the rest of that document its one relevant answer (the inverse cloze
// task) — choose α by nDCG@10 over the same grid bench/tune.ts searches with labels. The chosen α
// is then scored on the real queries beside the frozen catalog α (0.3 for the static models), to
// see whether calibrating per folder would help.
// Run: npm run build && node out/bench/calibration.js   (also part of `npm run bench`)
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadBeir } from '../src/engine/eval/datasets';
import { buildEvalCorpus, scoreRetrieval } from '../src/engine/eval/runners';
import { dataDir, encoder, fmt, quick, table, writeResult } from './lib';

const SETS = [
  { model: 'semantic-notes/static-en-v2', data: path.join(dataDir, 'scifact'), name: 'SciFact test' },
  { model: 'semantic-notes/static-ko', data: path.join(dataDir, 'korquad-a'), name: 'korquad-a' },
];
const WEIGHTS = [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6];
const FROZEN = 0.3;
const SENTENCE_END = /(?<=[.!?。])\s+/u;

/** A seeded generator (mulberry32), so the pseudo-queries are the same on every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Writes a BEIR folder whose queries are sentences cut out of `count` documents of the corpus. */
async function pseudoSet(dir: string, count: number): Promise<{ dir: string; queries: number }> {
  const data = await loadBeir({ corpus: path.join(dir, 'corpus.jsonl'), queries: path.join(dir, 'queries.jsonl'), qrels: path.join(dir, 'qrels.tsv') });
  const rand = rng(20261205);
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'sn-calibration-'));
  const docs = data.corpus.map((d) => ({ ...d }));
  const eligible = docs.map((d, i) => ({ i, sentences: d.text.split(SENTENCE_END) })).filter((x) => x.sentences.length >= 3);
  const queries: string[] = [];
  const qrels: string[] = ['query-id\tcorpus-id\tscore'];
  for (let n = 0; n < count && eligible.length; n++) {
    const pick = eligible.splice(Math.floor(rand() * eligible.length), 1)[0];
    const at = 1 + Math.floor(rand() * (pick.sentences.length - 2)); // not the first or last sentence
    const [sentence] = pick.sentences.splice(at, 1);
    docs[pick.i].text = pick.sentences.join(' ');
    queries.push(JSON.stringify({ _id: `p${n}`, text: sentence }));
    qrels.push(`p${n}\t${docs[pick.i].id}\t1`);
  }
  fs.writeFileSync(path.join(out, 'corpus.jsonl'), docs.map((d) => JSON.stringify({ _id: d.id, title: d.title, text: d.text })).join('\n') + '\n');
  fs.writeFileSync(path.join(out, 'queries.jsonl'), queries.join('\n') + '\n');
  fs.writeFileSync(path.join(out, 'qrels.tsv'), qrels.join('\n') + '\n');
  return { dir: out, queries: queries.length };
}

export async function run(): Promise<void> {
  const results: Record<string, unknown>[] = [];
  for (const set of SETS) {
    const enc = await encoder(set.model);
    const pseudo = await pseudoSet(set.data, quick ? 100 : 300);
    const pc = await buildEvalCorpus(pseudo.dir, { mode: 'hybrid', encoder: enc });
    const onPseudo: number[] = [];
    for (const w of WEIGHTS) onPseudo.push((await scoreRetrieval(pc, { mode: 'hybrid', encoder: enc, fusion: { method: 'convex', semanticWeight: w } })).ndcg10);
    const chosen = WEIGHTS[onPseudo.indexOf(Math.max(...onPseudo))];
    fs.rmSync(pseudo.dir, { recursive: true, force: true });
    const real = await buildEvalCorpus(set.data, { mode: 'hybrid', encoder: enc });
    const score = async (w: number) => (await scoreRetrieval(real, { mode: 'hybrid', encoder: enc, fusion: { method: 'convex', semanticWeight: w } })).ndcg10;
    const atChosen = await score(chosen);
    const atFrozen = await score(FROZEN);
    const keyword = (await scoreRetrieval(real, { mode: 'keyword', encoder: null })).ndcg10;
    results.push({
      set: set.name,
      model: set.model,
      'pseudo-queries': pseudo.queries,
      'pseudo nDCG@10 by α': WEIGHTS.map((w, i) => `${w}:${fmt(onPseudo[i], 3)}`).join(' '),
      'α chosen': chosen,
      'real nDCG@10 at chosen α': fmt(atChosen, 4),
      [`real at frozen α ${FROZEN}`]: fmt(atFrozen, 4),
      'real keyword': fmt(keyword, 4),
      helps: atChosen > atFrozen + 0.001 ? 'yes' : atChosen < atFrozen - 0.001 ? 'no (worse)' : 'no (equal)',
    });
  }
  table(results);
  writeResult('calibration', { results });
}

if (require.main === module) {
  run().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
