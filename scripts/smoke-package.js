#!/usr/bin/env node
// Runs a packaged .vsix as the editor would, without an editor: unpacks its extension/ folder,
// forks its dist/service.js (with this Node and an IPC channel, as the extension does), and with
// only what the package holds (its bundled models, its native modules) indexes examples/notes and
// answers an English and a Korean search. The release workflow runs this on every target's
// machine, so each package is proven to load its own native binaries there.
//   node scripts/smoke-package.js <file.vsix>
'use strict';
const { fork } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { createMessageConnection, IPCMessageReader, IPCMessageWriter } = require('vscode-jsonrpc/node');
const zip = require('./vsix-contents.js');

const root = path.join(__dirname, '..');
const QUERIES = [
  { query: 'undo the last git commit', expect: 'dev/git.md' },
  { query: '김치찌개 끓이는 법', expect: 'korean/kimchi.md' },
];

function unpack(vsix, dir) {
  for (const e of zip.listEntries(vsix)) {
    if (!e.name.startsWith('extension/') || e.name.endsWith('/')) continue;
    const dest = path.join(dir, ...e.name.slice('extension/'.length).split('/'));
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.writeFileSync(dest, zip.readEntry(vsix, e));
  }
}

async function main(vsix) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sn-smoke-'));
  const ext = path.join(tmp, 'extension');
  unpack(vsix, ext);
  // No models folder of ours and no downloads: the package's own models must serve.
  const env = { ...process.env, ELECTRON_RUN_AS_NODE: '1' };
  delete env.SEMANTIC_NOTES_MODELS;
  // Notes are read on the service's worker thread, whose bundle sits beside service.js.
  if (!fs.existsSync(path.join(ext, 'dist', 'noteReaderWorker.js'))) throw new Error('the package lacks dist/noteReaderWorker.js');
  const child = fork(path.join(ext, 'dist', 'service.js'), [], { execArgv: [], env, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += String(d)));
  const conn = createMessageConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
  conn.listen();
  try {
    const report = await conn.sendRequest('semanticNotes/configure', {
      modelsDir: '',
      cacheDir: path.join(tmp, 'cache'),
      allowDownloads: false,
      embeddingModel: 'semantic-notes/bilingual-static',
      fillMaskModel: 'Xenova/bert-base-uncased',
      crossEncoderModel: 'Xenova/ms-marco-MiniLM-L-6-v2',
      pooling: '',
      include: [],
      exclude: [],
      maxFileBytes: 2 << 20,
    });
    if (report.embedding.state !== 'ready') throw new Error(`the bundled model is not ready: ${JSON.stringify(report.embedding)}`);
    const folderId = 'file:///examples-notes';
    await conn.sendRequest('semanticNotes/openFolder', { id: folderId, root: path.join(root, 'examples', 'notes'), storeDir: path.join(tmp, 'store') });
    const summary = await conn.sendRequest('semanticNotes/sync', { folderId });
    const [status] = await conn.sendRequest('semanticNotes/status');
    if (status.vectors !== status.chunks || status.chunks === 0) throw new Error(`indexed ${status.vectors} of ${status.chunks} passages`);
    console.log(`indexed ${summary.files} notes, ${status.chunks} passages with ${status.model}`);
    for (const q of QUERIES) {
      for (const mode of ['semantic', 'hybrid']) {
        const { hits } = await conn.sendRequest('semanticNotes/search', { query: q.query, mode, rerank: false, k: 3 });
        const top = hits[0]?.path;
        console.log(`${mode.padEnd(8)} "${q.query}" -> ${top}`);
        if (top !== q.expect) throw new Error(`${mode} search for "${q.query}" gave ${top}, expected ${q.expect}`);
      }
    }
    if (/note reader's worker thread/.test(stderr)) throw new Error('the packaged service could not use its note reader worker');
    console.log(`${path.basename(vsix)}: the packaged service runs on ${process.platform}-${process.arch}`);
  } catch (err) {
    throw new Error(`${err.message}${stderr ? `\nservice stderr:\n${stderr.trim()}` : ''}`);
  } finally {
    const gone = new Promise((r) => child.once('exit', r));
    child.disconnect();
    await Promise.race([gone, new Promise((r) => setTimeout(r, 10_000))]);
    if (child.exitCode === null) child.kill('SIGKILL');
    conn.dispose();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

if (!process.argv[2]) {
  console.error('usage: node scripts/smoke-package.js <file.vsix>');
  process.exit(2);
}
main(path.resolve(process.argv[2])).catch((err) => {
  console.error(err.message);
  process.exit(1);
});
