// 2. Indexing. The notes corpus and 100,000 tiny notes are each indexed from scratch in a child
// process (files/s, passages/s, its own peak RSS); then each stage of the pipeline is replayed
// alone on the corpus to show where the time goes; then a restart with nothing changed and one
// edited note re-indexed and searchable, as ratios of the full time.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { keywordText } from '../src/engine/index/ranking';
import { NotesIndex } from '../src/engine/index/notesIndex';
import { Encoder } from '../src/engine/embedding/encoder';
import { chunkMarkdown, chunkMarkdownWithIds } from '../src/engine/notes/chunker';
import { NoteReads, walkNotes } from '../src/engine/notes/noteReader';
import { Bm25Index } from '../src/engine/search/bm25';
import { VectorIndex } from '../src/engine/vectors/vectorIndex';
import { bar, dataDir, encoder, fmt, median, nowMs, notesCorpus, quick, repoRoot, table, writeResult } from './lib';

/** The model the indexing figures are measured with (issue #11's bars name it). */
const MODEL = 'semantic-notes/static-en-v2';
const TINY_NOTES = quick ? 20_000 : 100_000;

/** searchableMs: until every passage answers search (absent from checkouts of before it was measured). */
interface FullRun { files: number; passages: number; ms: number; searchableMs?: number; peakRssBytes: number }

/**
 * The code path indexing is compared with in the same run: a checkout of an earlier version, built
 * (BENCH_INDEXING_BASELINE=<its folder>; it must have out/bench/indexChild.js).
 */
const BASELINE = process.env.BENCH_INDEXING_BASELINE || null;
/** The figure issue #11 starts from, recorded in bench/results/indexing.json on 2026-11-22 (same machine). */
const RECORDED = { filesPerSecond: 118.1, tinyNotesPerSecond: 894, measuredAt: '2026-11-22' };

/** The baseline as a reader can find it again: its commit when it is a git checkout. */
function checkoutName(dir: string): string {
  try {
    return `commit ${execFileSync('git', ['-C', dir, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()}`;
  } catch {
    return path.basename(dir);
  }
}

function indexInChild(root: string, checkout = repoRoot): FullRun {
  const store = fs.mkdtempSync(path.join(os.tmpdir(), 'sn-bench-store-'));
  try {
    const out = execFileSync(process.execPath, [path.join(checkout, 'out', 'bench', 'indexChild.js'), root, store, MODEL], { encoding: 'utf8', maxBuffer: 1 << 20, stdio: ['ignore', 'pipe', 'inherit'] });
    return JSON.parse(out.trim().split('\n').pop()!) as FullRun;
  } finally {
    fs.rmSync(store, { recursive: true, force: true });
  }
}

/** Tiny notes of real sentences (STS-B and KorSTS, English and Korean), 1,000 to a folder. */
function tinyNotes(n: number): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sn-bench-tiny-'));
  const sentences: string[] = [];
  for (const set of ['stsb', 'korsts']) {
    for (const line of fs.readFileSync(path.join(dataDir, set, 'dev.jsonl'), 'utf8').split('\n').filter(Boolean)) {
      const r = JSON.parse(line) as { sentence1: string; sentence2: string };
      sentences.push(r.sentence1, r.sentence2);
    }
  }
  for (let i = 0; i < n; i++) {
    const sub = path.join(dir, `d${Math.floor(i / 1000)}`);
    if (i % 1000 === 0) fs.mkdirSync(sub);
    const a = sentences[i % sentences.length];
    const b = sentences[(i * 7 + 3) % sentences.length];
    fs.writeFileSync(path.join(sub, `note-${i}.md`), `# Note ${i}\n\n${a} ${b}\n`);
  }
  return dir;
}

/** Each stage alone, in the pipeline's order, on the same files. */
async function stages(root: string, fullMs: number): Promise<Record<string, number>> {
  const enc = await encoder(MODEL);
  const maxTokens = Math.min(256, enc.profile.maxTokens - 2);
  const ms: Record<string, number> = {};
  let t = nowMs();
  const walked = await walkNotes(root);
  ms.walk = nowMs() - t;
  t = nowMs();
  const texts: { rel: string; text: string }[] = [];
  // Read as the pipeline reads: batches on the reader's worker thread, two ahead.
  const reads = new NoteReads(walked.files.map((f) => f.absPath));
  for (const f of walked.files) {
    const r = await reads.next();
    if (r.ok) texts.push({ rel: f.path, text: r.text });
  }
  ms.read = nowMs() - t;
  // Parsing and cutting with the cheap estimate only, then again sized by the real tokenizer as
  // the pipeline does (the ids that size a passage are the ids embedded): the difference is what
  // tokenizing costs.
  t = nowMs();
  for (const n of texts) chunkMarkdown(n.rel, n.text, { maxTokens });
  ms['parse + chunk'] = nowMs() - t;
  const tokenize = enc instanceof Encoder && enc.idsConcatenate ? (s: string) => enc.tokenize(s) : undefined;
  const countTokens = tokenize ? undefined : (s: string) => enc.countTokens(s);
  t = nowMs();
  const passages: string[] = [];
  const passageIds: (readonly number[] | null)[] = [];
  const headingIds = new Map<string, readonly number[]>();
  for (const n of texts) {
    const cut = chunkMarkdownWithIds(n.rel, n.text, { maxTokens, countTokens, tokenize });
    cut.chunks.forEach((c, i) => {
      passages.push(keywordText(c));
      const ids = cut.ids[i];
      let h = c.heading && tokenize ? headingIds.get(c.heading) : undefined;
      if (c.heading && tokenize && !h) headingIds.set(c.heading, (h = tokenize(c.heading)));
      passageIds.push(ids && tokenize ? (h ? [...h, ...ids] : ids) : null);
    });
  }
  ms['tokenize (sizing; ids reused by the model)'] = Math.max(0, nowMs() - t - ms['parse + chunk']);
  t = nowMs();
  const vectors: Float32Array[] = [];
  for (let i = 0; i < passages.length; i += 256) vectors.push(...(await enc.embed(passages.slice(i, i + 256), { role: 'passage', ids: passageIds.slice(i, i + 256) })));
  ms['model pass + pooling'] = nowMs() - t;
  t = nowMs();
  const bm25 = new Bm25Index();
  passages.forEach((p, i) => bm25.add(i + 1, p));
  ms.BM25 = nowMs() - t;
  t = nowMs();
  const vi = new VectorIndex(enc.dims);
  vectors.forEach((v, i) => vi.add(i + 1, v));
  ms['vectors + quantized scan'] = nowMs() - t;
  // What the replay does not do: the store (WAL, vector, BM25 and manifest files), state
  // bookkeeping and progress.
  const replayed = Object.values(ms).reduce((a, b) => a + b, 0);
  ms['store writes + bookkeeping (rest of the full run)'] = Math.max(0, fullMs - replayed);
  return ms;
}

export async function run(): Promise<void> {
  let root = notesCorpus();
  if (quick) {
    const sub = fs.mkdtempSync(path.join(os.tmpdir(), 'sn-bench-quick-'));
    for (const d of ['rust-book-en', 'rust-book-ko', 'react-docs-ko', 'tech-interview-ko', 'dendron-en']) fs.cpSync(path.join(root, d), path.join(sub, d), { recursive: true });
    root = sub;
  }
  // The notes corpus twice for each code path, alternating with the earlier one when given, and
  // the faster run of each: one run apiece swung the same-run ratio from 2.6× to 4.1× on this
  // shared machine. (Tiny notes once each.)
  const fullRuns: FullRun[] = [];
  const beforeRuns: FullRun[] = [];
  for (let rep = 0; rep < 2; rep++) {
    fullRuns.push(indexInChild(root));
    if (BASELINE) beforeRuns.push(indexInChild(root, BASELINE));
  }
  const fastest = (runs: FullRun[]) => runs.reduce((a, b) => (b.ms < a.ms ? b : a));
  const full = fastest(fullRuns);
  const tinyRoot = tinyNotes(TINY_NOTES);
  const tiny = indexInChild(tinyRoot);
  // The earlier code path on the same folders, right after ours.
  const before = BASELINE ? { full: fastest(beforeRuns), tiny: indexInChild(tinyRoot, BASELINE) } : null;
  const profile = { corpus: await stages(root, full.ms), tiny: await stages(tinyRoot, tiny.ms) };
  fs.rmSync(tinyRoot, { recursive: true, force: true });

  // Restart with nothing changed, and one edited note, in this process.
  const enc = await encoder(MODEL);
  const store = fs.mkdtempSync(path.join(os.tmpdir(), 'sn-bench-store-'));
  const first = NotesIndex.open({ root, storeDir: store, encoder: enc });
  await first.sync();
  await first.close();
  // Three restarts (the median counts), then three edits of different notes in the last one.
  const restarts: number[] = [];
  const restart = async () => {
    const t1 = nowMs();
    const idx = NotesIndex.open({ root, storeDir: store, encoder: enc });
    const result = await idx.sync();
    restarts.push(nowMs() - t1);
    return { idx, result };
  };
  for (let rep = 0; rep < 2; rep++) await (await restart()).idx.close();
  const { idx: again, result: second } = await restart();
  const restartMs = median(restarts);
  // An edit lands in a running service whose index has settled since it opened: the typo and
  // prefix lookup tree is built in idle time after a sync, not on behalf of the edit.
  await again.whenWarm();
  const notes = again.coverage().indexed.filter((f) => f.path.endsWith('.md'));
  const edits: number[] = [];
  for (let rep = 0; rep < 3; rep++) {
    const target = notes[rep * Math.floor(notes.length / 3)].path;
    const file = path.join(root, target);
    const original = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, `${original}\n\nBenchmark marker quetzalcoatlus edited paragraph.\n`);
    const t2 = nowMs();
    await again.updateFile(target);
    const hits = await again.search('quetzalcoatlus', { mode: 'keyword', k: 1 });
    edits.push(nowMs() - t2);
    fs.writeFileSync(file, original);
    await again.updateFile(target);
    if (hits[0]?.path !== target) throw new Error('the edited note was not found');
  }
  const editMs = median(edits);
  await again.close();
  fs.rmSync(store, { recursive: true, force: true });

  const filesPerSecond = (full.files / full.ms) * 1000;
  const tinyPerSecond = (tiny.files / tiny.ms) * 1000;
  const tinySearchablePerSecond = (tiny.files / (tiny.searchableMs ?? tiny.ms)) * 1000;
  const restartRatio = restartMs / full.ms;
  const editRatio = editMs / full.ms;
  const mib = (b: number) => fmt(b / 2 ** 20, 0);
  const speedup = before ? { full: before.full.ms / full.ms, tiny: before.tiny.ms / tiny.ms, checkout: checkoutName(BASELINE!) } : null;
  const recordedRatio = filesPerSecond / RECORDED.filesPerSecond;
  table([
    { what: `full index, ${MODEL}`, value: `${full.files} files, ${full.passages} passages`, detail: `${fmt(filesPerSecond, 0)} files/s, ${fmt((full.passages / full.ms) * 1000, 0)} passages/s, peak RSS ${mib(full.peakRssBytes)} MiB (≤ 700: ${bar(full.peakRssBytes <= 700 * 2 ** 20)})` },
    { what: `${tiny.files.toLocaleString('en-US')} tiny notes, indexed and saved`, value: `${fmt(tinyPerSecond, 0)} notes/s`, detail: `≥ 2,000: ${bar(tinyPerSecond >= 2000)}; peak RSS ${mib(tiny.peakRssBytes)} MiB` },
    { what: `${tiny.files.toLocaleString('en-US')} tiny notes, all searchable`, value: `${fmt(tinySearchablePerSecond, 0)} notes/s`, detail: `≥ 2,000: ${bar(tinySearchablePerSecond >= 2000)}` },
    ...(speedup ? [{ what: `same run, against ${speedup.checkout}`, value: `corpus ${fmt(speedup.full)}×, tiny notes ${fmt(speedup.tiny)}×`, detail: `corpus ≥ 3×: ${bar(speedup.full >= 3)}` }] : []),
    { what: `against ${fmt(RECORDED.filesPerSecond, 1)} files/s recorded ${RECORDED.measuredAt}`, value: `${fmt(recordedRatio)}×`, detail: `≥ 3×: ${bar(recordedRatio >= 3)} (other days, other load: a rough guide)` },
    { what: 'restart, nothing changed', value: `${fmt(restartRatio * 100, 2)} % of full`, detail: `≤ 2 %: ${bar(restartRatio <= 0.02)}; re-embedded ${second.embedded}` },
    { what: 'one edited note searchable', value: `${fmt(editRatio * 1000, 3)} / 1000 of full`, detail: `≤ 1/1000: ${bar(editRatio <= 0.001)}` },
  ]);
  console.log('\nWhere a full index spends its time (each stage replayed alone; shares of the full run):');
  table(Object.keys(profile.corpus).map((stage) => ({ stage, 'notes corpus': `${fmt((profile.corpus[stage] / full.ms) * 100, 1)} %`, 'tiny notes': `${fmt((profile.tiny[stage] / tiny.ms) * 100, 1)} %` })));
  writeResult('indexing', { model: MODEL, files: full.files, passages: full.passages, fullMs: full.ms, filesPerSecond, passagesPerSecond: (full.passages / full.ms) * 1000, peakRssBytes: full.peakRssBytes, tinyNotes: { notes: tiny.files, ms: tiny.ms, notesPerSecond: tinyPerSecond, searchableMs: tiny.searchableMs, searchableNotesPerSecond: tinySearchablePerSecond, peakRssBytes: tiny.peakRssBytes }, stagesMs: profile, sameRunBaseline: speedup, recorded: { ...RECORDED, ratio: recordedRatio }, restartRatio, reembeddedOnRestart: second.embedded, editRatio, runsMs: { full: fullRuns.map((r) => r.ms), before: beforeRuns.map((r) => r.ms), restarts, edits } });
}
