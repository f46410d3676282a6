// 1. Embedding overhead: our path (tokenize → ONNX → pool → normalize) against a bare
// onnxruntime-node session fed the same pre-tokenized batches; and through the service process
// (IPC included) against in-process.
import { fork } from 'node:child_process';
import * as path from 'node:path';
import * as fs from 'node:fs';
import * as ort from 'onnxruntime-node';
import { createMessageConnection, IPCMessageReader, IPCMessageWriter } from 'vscode-jsonrpc/node';
import { Requests } from '../src/protocol/protocol';
import { abMedian, encoder, fmt, bar, modelsDir, quick, repoRoot, table, writeResult, dataDir } from './lib';

export async function run(): Promise<void> {
  const sentences = fs.readFileSync(path.join(dataDir, 'stsb', 'dev.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l).sentence1 as string);
  const rows: Record<string, unknown>[] = [];
  const results: unknown[] = [];
  for (const id of ['semantic-notes/static-en', 'semantic-notes-test/tiny-bert']) {
    const enc = await encoder(id);
    const dir = path.join(modelsDir, id, 'onnx', 'model.onnx');
    const session = await ort.InferenceSession.create(dir, { intraOpNumThreads: 2 });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const tok = (enc as any).tokenizer;
    for (const batch of [1, 8, 32]) {
      const texts = sentences.slice(0, batch);
      const t = tok(texts, { padding: true, truncation: true, max_length: enc.profile.maxTokens });
      const feeds: Record<string, ort.Tensor> = {};
      for (const name of session.inputNames) feeds[name] = new ort.Tensor('int64', t[name].data, t[name].dims);
      const reps = quick ? 30 : 120;
      await enc.embed(texts);
      await session.run(feeds);
      const m = await abMedian(reps, () => enc.embed(texts), () => session.run(feeds));
      const ratio = m.b / m.a; // our throughput relative to the bare runtime
      rows.push({ model: id, batch, 'ours/bare throughput': fmt(ratio), bar: bar(ratio >= 0.9) });
      results.push({ model: id, batch, oursMs: m.a, bareMs: m.b, ratio });
    }
  }
  // Service (IPC) vs in-process, on the similarity request (one embedding pass of N texts).
  const child = fork(path.join(repoRoot, 'out', 'src', 'service', 'main.js'), [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const conn = createMessageConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
  conn.listen();
  await conn.sendRequest(Requests.configure.method, { modelsDir, cacheDir: '', allowDownloads: false, embeddingModel: 'semantic-notes/static-en', fillMaskModel: 'x/x', crossEncoderModel: 'x/x', pooling: '', include: [], exclude: [], maxFileBytes: 1 << 21 });
  const enc = await encoder();
  const texts = sentences.slice(0, 32);
  const m = await abMedian(quick ? 30 : 100, () => conn.sendRequest(Requests.similarity.method, { texts, metric: 'cosine' }), async () => {
    const v = await enc.embed(texts);
    return v.length;
  });
  conn.dispose();
  child.kill();
  const ipcRatio = m.b / m.a;
  rows.push({ model: 'service (IPC) vs in-process, 32 texts', batch: 32, 'ours/bare throughput': fmt(ipcRatio), bar: bar(ipcRatio >= 0.9) });
  table(rows);
  writeResult('embedding', { results, ipc: { serviceMs: m.a, inProcessMs: m.b, ratio: ipcRatio } });
}
