// 2. Indexing the notes corpus: a full index (files/s, passages/s, peak RSS), a restart with
// nothing changed, and one edited note re-indexed and searchable — as ratios of the full time.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { NotesIndex } from '../src/engine/index/notesIndex';
import { bar, encoder, fmt, nowMs, notesCorpus, quick, table, writeResult } from './lib';

export async function run(): Promise<void> {
  const enc = await encoder();
  let root = notesCorpus();
  if (quick) {
    // A quarter of the corpus: the English and Korean tldr pages' first folders.
    const sub = fs.mkdtempSync(path.join(os.tmpdir(), 'sn-bench-quick-'));
    for (const d of ['rust-book-en', 'rust-book-ko', 'react-docs-ko', 'tech-interview-ko', 'dendron-en']) fs.cpSync(path.join(root, d), path.join(sub, d), { recursive: true });
    root = sub;
  }
  const store = fs.mkdtempSync(path.join(os.tmpdir(), 'sn-bench-store-'));
  const t0 = nowMs();
  const idx = NotesIndex.open({ root, storeDir: store, encoder: enc });
  const full = await idx.sync();
  await idx.close();
  const fullMs = nowMs() - t0;
  const peakRss = process.resourceUsage().maxRSS * 1024;

  const t1 = nowMs();
  const again = NotesIndex.open({ root, storeDir: store, encoder: enc });
  const second = await again.sync();
  const restartMs = nowMs() - t1;

  // Edit one note and time until a search finds the new text.
  const target = again.coverage().indexed.find((f) => f.path.endsWith('.md'))!.path;
  const file = path.join(root, target);
  const original = fs.readFileSync(file, 'utf8');
  fs.writeFileSync(file, `${original}\n\nBenchmark marker quetzalcoatlus edited paragraph.\n`);
  const t2 = nowMs();
  await again.updateFile(target);
  const hits = await again.search('quetzalcoatlus', { mode: 'keyword', k: 1 });
  const editMs = nowMs() - t2;
  fs.writeFileSync(file, original);
  await again.close();
  if (hits[0]?.path !== target) throw new Error('the edited note was not found');

  const restartRatio = restartMs / fullMs;
  const editRatio = editMs / fullMs;
  table([
    { what: 'full index', value: `${full.files} files, ${full.chunks} passages`, detail: `${fmt((full.files / fullMs) * 1000, 0)} files/s, ${fmt((full.chunks / fullMs) * 1000, 0)} passages/s, peak RSS ${fmt(peakRss / 2 ** 20, 0)} MiB` },
    { what: 'restart, nothing changed', value: `${fmt(restartRatio * 100, 2)} % of full`, detail: `≤ 2 %: ${bar(restartRatio <= 0.02)}; re-embedded ${second.embedded}` },
    { what: 'one edited note searchable', value: `${fmt(editRatio * 1000, 3)} / 1000 of full`, detail: `≤ 1/1000: ${bar(editRatio <= 0.001)}` },
  ]);
  writeResult('indexing', { files: full.files, passages: full.chunks, fullMs, filesPerSecond: (full.files / fullMs) * 1000, passagesPerSecond: (full.chunks / fullMs) * 1000, peakRssBytes: peakRss, restartRatio, reembeddedOnRestart: second.embedded, editRatio });
  fs.rmSync(store, { recursive: true, force: true });
}
