// Indexes one folder from scratch in its own process, so its peak RSS is its own (the bench
// process has held other parts' data before). Prints one JSON line: files, passages, ms (until the
// index is saved and closed, as the CLI's index command does), searchableMs (until every passage
// answers search), peak RSS.
// Usage: node out/bench/indexChild.js <root> <storeDir> <modelId>
import { NotesIndex } from '../src/engine/index/notesIndex';
import { encoder, nowMs } from './lib';

async function main(): Promise<void> {
  const [root, storeDir, model] = process.argv.slice(2);
  const enc = await encoder(model);
  const t0 = nowMs();
  const idx = NotesIndex.open({ root, storeDir, encoder: enc });
  const r = await idx.sync();
  const searchableMs = nowMs() - t0;
  await idx.close();
  const ms = nowMs() - t0;
  process.stdout.write(`${JSON.stringify({ files: r.files, passages: r.chunks, ms, searchableMs, peakRssBytes: process.resourceUsage().maxRSS * 1024 })}\n`);
}

main().catch((err) => {
  console.error(`indexChild: ${(err as Error).stack ?? err}`);
  process.exit(1);
});
