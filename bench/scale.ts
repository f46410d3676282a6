// 3 + 4b + 7. Query latency of keyword, semantic and hybrid search at 1k, 10k and 100k passages
// of the notes corpus (replicated with file-name suffixes past its 39k passages, as real text,
// not invented), HNSW against exact brute-force cosine at the largest size, and memory per
// passage against the raw size of what the index holds.
import { PassageIndex } from '../src/engine/index/passageIndex';
import { chunkMarkdown } from '../src/engine/notes/chunker';
import { readNote, walkNotes } from '../src/engine/notes/walker';
import type { StoredChunk } from '../src/engine/store/noteStore';
import { bar, encoder, fmt, nowMs, notesCorpus, percentile, quick, table, writeResult } from './lib';

export async function run(): Promise<void> {
  const enc = await encoder();
  const root = notesCorpus();
  const walked = await walkNotes(root);
  const base: { chunk: Omit<StoredChunk, 'id'>; text: string }[] = [];
  for (const f of walked.files) {
    const r = await readNote(f.absPath);
    if (!r.ok) continue;
    for (const c of chunkMarkdown(f.path, r.text)) base.push({ chunk: c, text: c.heading ? `${c.heading}\n${c.text}` : c.text });
  }
  const t0 = nowMs();
  const vectors = await enc.embed(base.map((b) => b.text), { role: 'passage' });
  const embedMs = nowMs() - t0;
  const sizes = quick ? [1_000, 10_000] : [1_000, 10_000, 100_000];
  // Queries: headings of passages spread over the corpus (what a user types), half English, half Korean.
  const queries = base.filter((b, i) => b.chunk.heading && i % 97 === 0).map((b) => b.chunk.heading.split(' › ').pop()!).slice(0, quick ? 60 : 200);
  const qvecs = await enc.embed(queries, { role: 'query' });
  const rows: Record<string, unknown>[] = [];
  const latency: Record<string, Record<string, { p50: number; p95: number }>> = {};
  let dense: Record<string, number> = {};
  let memory: Record<string, number> = {};
  for (const n of sizes) {
    if (global.gc) global.gc();
    const rssBefore = process.memoryUsage().rss;
    const idx = new PassageIndex({ dims: enc.dims });
    let textBytes = 0;
    for (let i = 0; i < n; i++) {
      const b = base[i % base.length];
      const copy = Math.floor(i / base.length);
      // Fresh string copies: the real index holds each passage's own text, not shared references.
      const chunk = { ...b.chunk, text: Buffer.from(b.chunk.text).toString(), id: i + 1, path: copy ? b.chunk.path.replace(/\.md$/, `-copy${copy}.md`) : b.chunk.path };
      textBytes += Buffer.byteLength(chunk.text) + Buffer.byteLength(chunk.heading) + Buffer.byteLength(chunk.path);
      idx.add(chunk, vectors[i % base.length]);
    }
    if (global.gc) global.gc();
    const rssAfter = process.memoryUsage().rss;
    latency[n] = {};
    for (const mode of ['keyword', 'semantic', 'hybrid'] as const) {
      const times: number[] = [];
      for (const q of queries) {
        const t = nowMs();
        await idx.search(q, enc, { mode, k: 10 });
        times.push(nowMs() - t);
      }
      latency[n][mode] = { p50: percentile(times, 50), p95: percentile(times, 95) };
      rows.push({ passages: n.toLocaleString('en-US'), mode, 'p50 ms': fmt(latency[n][mode].p50), 'p95 ms': fmt(latency[n][mode].p95) });
    }
    if (n === sizes[sizes.length - 1]) {
      // HNSW vs exact cosine, same query vectors; recall counts ties (replicated passages have
      // identical vectors, so any of the equal-scored copies is a correct answer).
      const vi = idx.vectors!;
      let hits = 0;
      let total = 0;
      const th: number[] = [];
      const te: number[] = [];
      for (const qv of qvecs) {
        let t = nowMs();
        const approx = vi.search(qv, 10);
        th.push(nowMs() - t);
        t = nowMs();
        const exact = vi.exactSearch(qv, 10);
        te.push(nowMs() - t);
        const cut = exact[exact.length - 1].score - 1e-6;
        hits += approx.filter((h) => h.score >= cut).length;
        total += exact.length;
      }
      const speedup = percentile(te, 50) / percentile(th, 50);
      dense = { passages: n, graph: vi.usesGraph ? 1 : 0, speedup, recall10: hits / total, hnswP50: percentile(th, 50), exactP50: percentile(te, 50) };
      const vectorBytes = n * enc.dims * 4;
      const graphBytes = n * (vi.opts.m * 2 + 1) * 4; // layer 0 holds up to 2M links of 4 bytes, plus a count
      const raw = vectorBytes + graphBytes + textBytes;
      memory = { passages: n, rssGrowth: rssAfter - rssBefore, raw, ratio: (rssAfter - rssBefore) / raw, bytesPerPassage: (rssAfter - rssBefore) / n };
    }
  }
  table(rows);
  const growth = latency[100_000] ? latency[100_000].hybrid.p95 / latency[10_000].hybrid.p95 : NaN;
  table([
    { what: 'hybrid p95 growth 10k → 100k', value: fmt(growth), bar: `≤ 3×: ${bar(growth <= 3)}` },
    { what: `HNSW vs exact cosine speed-up at ${dense.passages}`, value: fmt(dense.speedup, 1), bar: `≥ 20×: ${bar(dense.speedup >= 20)}` },
    { what: 'HNSW recall@10 against exact', value: fmt(dense.recall10, 4), bar: `≥ 0.99: ${bar(dense.recall10 >= 0.99)}` },
    { what: `memory growth / raw size at ${memory.passages}`, value: fmt(memory.ratio), bar: `≤ 2×: ${bar(memory.ratio <= 2)}` },
    { what: 'bytes per passage', value: fmt(memory.bytesPerPassage, 0), bar: '' },
  ]);
  writeResult('scale', { corpusPassages: base.length, embedPassagesPerSecond: (base.length / embedMs) * 1000, latency, hybridP95Growth10kTo100k: growth, dense, memory, queries: queries.length });
}
