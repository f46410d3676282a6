// Two designs for notes in English and Korean, measured with the bundled static encoders:
//  (a) one embedded model per workspace (static-en-v2, or static-ko, for every passage), and
//  (b) routing (RoutedEncoder): Hangul words read by static-ko, the rest by static-en-v2, one
//      concatenated vector; mixed texts weighed by their script shares (three weightings).
// 1. A mixed retrieval corpus: SciFact (English) ∪ korquad-a (Korean), both query sets, semantic
//    mode, nDCG@10 for each language's queries and for all together. The weighting is chosen on
//    the tuning split (SciFact train queries + korquad-a, the Korean set meant for tuning), then
//    SciFact test is scored with it.
// 2. A mixed notes folder (rust-book-en, rust-book-ko — a translation of the same book — and
//    tech-interview-ko from the notes corpus), indexed by the product's NotesIndex: for headings
//    used as queries, the share of top-3 semantic results in the query's own language, and how
//    often the heading's own note is among them.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Encoder, type Embedder } from '../src/engine/embedding/encoder';
import { RoutedEncoder, type HangulInput, type RoutedWeighting } from '../src/engine/embedding/routedEncoder';
import { loadBeir } from '../src/engine/eval/datasets';
import { scoreRetrieval, type EvalCorpus } from '../src/engine/eval/runners';
import { PassageIndex } from '../src/engine/index/passageIndex';
import { chunkMarkdown } from '../src/engine/notes/chunker';
import { NotesIndex } from '../src/engine/index/notesIndex';
import { loadModel } from '../src/engine/models/load';
import { resolveModel } from '../src/engine/models/resolve';
import { scriptShares } from '../src/engine/text/script';
import { dataDir, fmt, notesCorpus, quick, table, writeResult } from './lib';

const EN = 'semantic-notes/static-en-v2';
const KO = 'semantic-notes/static-ko';
const ROUTED = 'semantic-notes/bilingual-static';

interface Design {
  name: string;
  make: (en: Encoder, ko: Encoder) => Embedder;
}

const routed = (weighting: RoutedWeighting, hangulInput: HangulInput = 'hangul-words'): Design => ({
  name: `routed ${weighting}${hangulInput === 'all' ? ', ko reads all' : ''}`,
  make: (en, ko) => new RoutedEncoder({ id: ROUTED, other: en, hangul: ko, weighting, hangulInput }),
});

const DESIGNS: Design[] = [
  { name: 'one model: static-en-v2', make: (en) => en },
  { name: 'one model: static-ko', make: (_en, ko) => ko },
  routed('sqrt'),
  routed('share'),
  routed('square'),
  routed('equal'),
  routed('square', 'all'),
];

/** The bundled model (models/ at the package root): what a user without a models folder runs. */
async function bundled(id: string): Promise<Encoder> {
  const loc = await resolveModel(id, { cacheDir: fs.mkdtempSync(path.join(os.tmpdir(), 'sn-bench-cache-')) });
  if (loc.source !== 'bundled') throw new Error(`${id} resolved to ${loc.source}, not the bundled copy`);
  return new Encoder(await loadModel(loc, 'embedding'));
}

export async function run(): Promise<void> {
  const en = await bundled(EN);
  const ko = await bundled(KO);
  // BENCH_MODELS_DESIGNS=text,text… runs only the designs whose names contain one of them.
  const picked = process.env.BENCH_MODELS_DESIGNS?.split(',').filter(Boolean);
  const designs = picked ? DESIGNS.filter((d) => picked.some((o) => d.name.includes(o))) : quick ? DESIGNS.slice(0, 3) : DESIGNS;
  const mixed = await mixedCorpus(en, ko, designs);
  const notes = await mixedNotes(en, ko, designs);
  writeResult('models', { mixed, notes });
}

// ---- 1. SciFact ∪ korquad-a ----

interface SplitScores {
  en: number;
  ko: number;
  all: number;
}

async function mixedCorpus(en: Encoder, ko: Encoder, designs: Design[]): Promise<Record<string, unknown>> {
  const tune = unionDir('train', path.join(dataDir, 'scifact', 'train'));
  const test = unionDir('test', path.join(dataDir, 'scifact'));
  const testData = await loadBeir(test);
  const results: Record<string, { tune: SplitScores; test: SplitScores }> = {};
  for (const d of designs) {
    const enc = d.make(en, ko);
    // The corpus is the same for both splits: embed it once per design. The Korean queries are the
    // same in both splits too (korquad-a is the Korean tuning set): score them once.
    const corpus = await exactCorpus(tune, enc);
    const withTest: EvalCorpus = { ...corpus, data: { ...corpus.data, queries: testData.queries, qrels: testData.qrels } };
    const koQ = await score(only(corpus, isKorean), enc);
    const enTune = await score(only(corpus, (q) => !isKorean(q)), enc);
    const enTest = await score(only(withTest, (q) => !isKorean(q)), enc);
    results[d.name] = { tune: together(enTune, koQ), test: together(enTest, koQ) };
  }
  const rows = (split: 'tune' | 'test') =>
    Object.entries(results).map(([design, r]) => ({ design, 'English q': fmt(r[split].en, 4), 'Korean q': fmt(r[split].ko, 4), 'all q': fmt(r[split].all, 4), 'mean of the two': fmt(mean2(r[split]), 4) }));
  console.log('Semantic nDCG@10 on SciFact ∪ korquad-a (5,614 documents), tuning split (SciFact train queries + korquad-a):');
  table(rows('tune'));
  const routedNames = Object.keys(results).filter((n) => n.startsWith('routed'));
  const best = routedNames.reduce((a, b) => (mean2(results[b].tune) > mean2(results[a].tune) ? b : a));
  console.log(`Routed variant chosen on the tuning split (best mean of the two languages): ${best}`);
  console.log('Semantic nDCG@10 on SciFact ∪ korquad-a, SciFact test queries + korquad-a:');
  table(rows('test'));
  return { results, chosenOnTuning: best };
}

/**
 * As buildEvalCorpus (eval/runners.ts), but with exact vector search at any size: the union has
 * more than 10,000 passages, where the product may switch to its quantized scan, whose
 * approximation would differ from design to design and blur the comparison.
 */
async function exactCorpus(dir: string, enc: Embedder): Promise<EvalCorpus> {
  const data = await loadBeir(dir);
  const index = new PassageIndex({ dims: enc.dims, vectors: { exactThreshold: Number.MAX_SAFE_INTEGER } });
  const maxTokens = Math.min(256, enc.profile.maxTokens - 2);
  const docOf = new Map<number, string>();
  const pending: { id: number; text: string; heading: string; path: string }[] = [];
  for (const doc of data.corpus) {
    const chunks = chunkMarkdown(`${doc.id}.txt`, doc.text, { maxTokens, countTokens: (t) => enc.countTokens(t) });
    for (const c of chunks.length ? chunks : [{ text: doc.title }]) {
      const id = pending.length + 1;
      docOf.set(id, doc.id);
      pending.push({ id, text: c.text, heading: doc.title, path: doc.id });
    }
  }
  const vectors = await enc.embed(pending.map((p) => (p.heading ? `${p.heading}\n${p.text}` : p.text)), { role: 'passage' });
  pending.forEach((p, i) => index.add({ id: p.id, path: p.path, startLine: 1, endLine: 1, heading: p.heading, text: p.text }, vectors[i]));
  console.log(`  ${enc.id}: ${pending.length} passages`);
  return { data, index, docOf, encoder: enc };
}

interface Scored {
  ndcg10: number;
  queries: number;
}

const isKorean = (q: { text: string }) => scriptShares(q.text).hangul > 0.5;

function only(c: EvalCorpus, pick: (q: { text: string }) => boolean): EvalCorpus {
  return { ...c, data: { ...c.data, queries: c.data.queries.filter(pick) } };
}

async function score(c: EvalCorpus, enc: Embedder): Promise<Scored> {
  const r = await scoreRetrieval(c, { mode: 'semantic', encoder: enc });
  return { ndcg10: r.ndcg10, queries: r.queries };
}

/** Per-language scores and the score over all queries (the query-weighted mean). */
function together(en: Scored, ko: Scored): SplitScores {
  return { en: en.ndcg10, ko: ko.ndcg10, all: (en.ndcg10 * en.queries + ko.ndcg10 * ko.queries) / (en.queries + ko.queries) };
}

const mean2 = (s: SplitScores) => (s.en + s.ko) / 2;

/** A BEIR folder whose corpus is SciFact's and korquad-a's together, with both query sets. */
function unionDir(split: string, scifactQueries: string): string {
  const dir = path.join(os.tmpdir(), `sn-bench-mixed-${split}`);
  fs.mkdirSync(dir, { recursive: true });
  const read = (f: string) => fs.readFileSync(f, 'utf8').trimEnd();
  const qrels = (f: string) => read(f).split('\n').slice(1).join('\n');
  fs.writeFileSync(path.join(dir, 'corpus.jsonl'), `${read(path.join(dataDir, 'scifact', 'corpus.jsonl'))}\n${read(path.join(dataDir, 'korquad-a', 'corpus.jsonl'))}\n`);
  fs.writeFileSync(path.join(dir, 'queries.jsonl'), `${read(path.join(scifactQueries, 'queries.jsonl'))}\n${read(path.join(dataDir, 'korquad-a', 'queries.jsonl'))}\n`);
  fs.writeFileSync(path.join(dir, 'qrels.tsv'), `query-id\tcorpus-id\tscore\n${qrels(path.join(scifactQueries, 'qrels.tsv'))}\n${qrels(path.join(dataDir, 'korquad-a', 'qrels.tsv'))}\n`);
  return dir;
}

// ---- 2. A mixed notes folder ----

const NOTE_FOLDERS: Record<string, 'en' | 'ko'> = { 'rust-book-en': 'en', 'rust-book-ko': 'ko', 'tech-interview-ko': 'ko' };
// Hand-written questions, printed with their top hit for a look at the behaviour (not scored).
const EXAMPLES = ['how does ownership work', 'what is a process and a thread', '소유권은 어떻게 동작하나요', '프로세스와 스레드의 차이', 'handling errors with Result', '에러 처리'];

async function mixedNotes(en: Encoder, ko: Encoder, designs: Design[]): Promise<Record<string, unknown>> {
  const src = notesCorpus();
  const root = path.join(os.tmpdir(), 'sn-bench-mixed-notes');
  if (!fs.existsSync(path.join(root, 'tech-interview-ko'))) {
    fs.mkdirSync(root, { recursive: true });
    for (const f of Object.keys(NOTE_FOLDERS)) fs.cpSync(path.join(src, f), path.join(root, f), { recursive: true });
  }
  const queries = headingQueries(root, quick ? 20 : 60);
  const results: Record<string, Record<string, number>> = {};
  const examples: Record<string, string[]> = {};
  for (const d of designs) {
    const enc = d.make(en, ko);
    const store = fs.mkdtempSync(path.join(os.tmpdir(), 'sn-bench-notes-store-'));
    const index = NotesIndex.open({ root, storeDir: store, encoder: enc });
    await index.sync();
    const same = { en: [0, 0], ko: [0, 0] };
    const own = { en: [0, 0], ko: [0, 0] };
    for (const q of queries) {
      const hits = await index.search(q.text, { mode: 'semantic', k: 3 });
      for (const h of hits) {
        same[q.lang][1]++;
        if (NOTE_FOLDERS[h.path.split('/')[0]] === q.lang) same[q.lang][0]++;
      }
      own[q.lang][1]++;
      if (hits.some((h) => h.path === q.file)) own[q.lang][0]++;
    }
    results[d.name] = {
      'en q: top-3 in English': same.en[0] / same.en[1],
      'ko q: top-3 in Korean': same.ko[0] / same.ko[1],
      'en q: own note in top 3': own.en[0] / own.en[1],
      'ko q: own note in top 3': own.ko[0] / own.ko[1],
    };
    examples[d.name] = [];
    for (const q of EXAMPLES) {
      const [top] = await index.search(q, { mode: 'semantic', k: 1 });
      examples[d.name].push(`${q} → ${top ? `${top.path} ${top.heading}` : '(none)'}`);
    }
    await index.close();
    fs.rmSync(store, { recursive: true, force: true });
  }
  console.log(`Mixed notes (rust-book-en, rust-book-ko, tech-interview-ko): ${queries.filter((q) => q.lang === 'en').length} English and ${queries.filter((q) => q.lang === 'ko').length} Korean headings as queries, semantic top 3:`);
  table(Object.entries(results).map(([design, r]) => ({ design, ...Object.fromEntries(Object.entries(r).map(([k, v]) => [k, fmt(v, 3)])) })));
  for (const [design, lines] of Object.entries(examples)) console.log(`${design}:\n  ${lines.join('\n  ')}`);
  return { queries: queries.length, results, examples };
}

/** Section headings of the notes, in their folder's language, spread evenly: `perLanguage` each. */
function headingQueries(root: string, perLanguage: number): { text: string; lang: 'en' | 'ko'; file: string }[] {
  const byLang: Record<'en' | 'ko', { text: string; file: string }[]> = { en: [], ko: [] };
  for (const [folder, lang] of Object.entries(NOTE_FOLDERS)) {
    for (const file of listMarkdown(path.join(root, folder))) {
      let fence = false;
      for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
        if (/^\s*(```|~~~)/.test(line)) fence = !fence;
        const m = !fence && /^#{2,4}\s+(.+?)\s*#*\s*$/.exec(line);
        if (!m) continue;
        const text = m[1].replace(/[`*_[\]()]/g, '').trim();
        const h = scriptShares(text).hangul;
        if (text.length >= 6 && (lang === 'ko' ? h > 0.5 : h === 0)) byLang[lang].push({ text, file: path.relative(root, file).split(path.sep).join('/') });
      }
    }
  }
  const pick = <T extends { text: string }>(xs: T[]) => {
    // A heading that occurs in several notes ("Summary") names none of them: leave it out.
    const count = new Map<string, number>();
    for (const x of xs) count.set(x.text, (count.get(x.text) ?? 0) + 1);
    const uniq = xs.filter((x) => count.get(x.text) === 1);
    const step = Math.max(1, uniq.length / perLanguage);
    return Array.from({ length: Math.min(perLanguage, uniq.length) }, (_, i) => uniq[Math.floor(i * step)]);
  };
  return [...pick(byLang.en).map((q) => ({ ...q, lang: 'en' as const })), ...pick(byLang.ko).map((q) => ({ ...q, lang: 'ko' as const }))];
}

function listMarkdown(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...listMarkdown(p));
    else if (/\.mdx?$/.test(e.name)) out.push(p);
  }
  return out;
}
