// The bundles the .vsix ships (dist/, from scripts/bundle.js via `npm run build`): the service
// bundle serves the real protocol with the real runtime and models, holds one transformers.js and
// no image or browser runtime, and when a native module cannot load it says so in one sentence,
// to every request, without crashing (a crash would make the editor restart it in a loop).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { ResponseError } from 'vscode-jsonrpc/node';
import { ErrorCodes, Requests, type SearchResult, type FolderStatus, type ModelState } from '../../src/protocol/protocol';
import type { ReadResult } from '../../src/engine/notes/readNote';
import type { ReaderReply, ReaderRequest } from '../../src/engine/notes/readerProtocol';
import type { WalkResult } from '../../src/engine/notes/walker';
import { modelsDir, repoRoot, tmpDir } from '../helpers/env';
import { serviceConfig, startService } from '../helpers/service';

const dist = path.join(repoRoot, 'dist');
const read = (f: string) => fs.readFileSync(path.join(dist, f), 'utf8');
/** A class defined once in transformers.js' own source: one definition = one copy. */
const TRANSFORMERS_MARK = /\bvar TensorOpRegistry = class\b/g;

test('bundles: one transformers.js in the service, none in the extension; sharp stubbed; onnxruntime-web cut out', () => {
  const service = read('service.js');
  const extension = read('extension.js');
  assert.equal(service.match(TRANSFORMERS_MARK)?.length, 1, 'service.js holds transformers.js once');
  assert.equal(extension.match(TRANSFORMERS_MARK), null, 'the extension host never loads transformers.js');
  assert.doesNotMatch(service, /require\("sharp"\)/, 'sharp is not required at run time');
  assert.match(service, /image processing \(sharp\) is not included/, 'the stub stands in for it');
  assert.doesNotMatch(service, /__export\(ort_webgpu_bundle_min_exports/, 'onnxruntime-web is not inlined');
  // The native modules stay external: loaded from node_modules beside the bundle.
  assert.doesNotMatch(service, /hnswlib-node/, 'no vector graph library: the quantized scan is plain WebAssembly inside the bundle');
  assert.match(service, /requireFromHere\("onnxruntime-node"\)/);
  assert.match(read('THIRD_PARTY_LICENSES.txt'), /@huggingface\/transformers@[\d.]+ — Apache-2\.0/);
});

test('the note reader worker is its own small bundle beside service.js, and walks and reads notes', async () => {
  const file = path.join(dist, 'noteReaderWorker.js');
  const text = read('noteReaderWorker.js');
  assert.ok(text.length < 400_000, `${text.length} bytes: the worker must not carry the engine`);
  assert.equal(text.match(TRANSFORMERS_MARK), null);
  const w = new Worker(file);
  const ask = (id: number, req: ReaderRequest) =>
    new Promise<ReaderReply>((resolve, reject) => {
      w.once('message', resolve);
      w.once('error', reject);
      w.postMessage({ id, req });
    });
  try {
    const notes = path.join(repoRoot, 'examples', 'notes');
    const walk = await ask(6, { op: 'walk', root: notes, rules: {} });
    assert.ok('value' in walk && walk.id === 6);
    const files = (walk.value as WalkResult).files.map((f) => f.path);
    assert.ok(files.includes('dev/git.md') && files.includes('korean/kimchi.md'), files.join(', '));
    const note = path.join(notes, 'dev', 'git.md');
    const read = await ask(7, { op: 'read', batch: { paths: [note, path.join(dist, 'absent.md')], budgetBytes: 1 << 20 } });
    assert.ok('value' in read && read.id === 7);
    const [ok, absent] = read.value as ReadResult[];
    assert.ok(ok.ok && ok.text === fs.readFileSync(note, 'utf8').replace(/\r\n?/g, '\n').normalize('NFC'), 'the note as text');
    assert.deepEqual(absent, { ok: false, reason: 'unreadable', detail: 'ENOENT' });
    // What the walk throws comes back as its message.
    assert.deepEqual(await ask(8, { op: 'walk', root: path.join(notes, 'missing'), rules: {} }), { id: 8, error: `notes folder ${path.join(notes, 'missing')} does not exist or cannot be read` });
  } finally {
    await w.terminate();
  }
});

test('the bundled service indexes the example notes and answers a hybrid search', { timeout: 120_000 }, async () => {
  const svc = startService({}, path.join(dist, 'service.js'));
  try {
    const { embedding } = (await svc.conn.sendRequest(Requests.configure.method, serviceConfig({ modelsDir: modelsDir() }))) as { embedding: ModelState };
    assert.equal(embedding.state, 'ready', JSON.stringify(embedding));
    const folderId = 'file:///notes';
    await svc.conn.sendRequest(Requests.openFolder.method, { id: folderId, root: path.join(repoRoot, 'examples', 'notes'), storeDir: tmpDir('sn-bundle-store-') });
    await svc.conn.sendRequest(Requests.sync.method, { folderId });
    const { hits } = (await svc.conn.sendRequest(Requests.search.method, { query: 'undo the last git commit', mode: 'hybrid', rerank: false, k: 3 })) as SearchResult;
    assert.equal(hits[0]?.path, 'dev/git.md');
    const [status] = (await svc.conn.sendRequest(Requests.status.method)) as FolderStatus[];
    assert.equal(status.model, 'semantic-notes/static-en');
    assert.equal(status.vectors, status.chunks, 'every passage embedded by the bundled runtime');
    assert.equal(svc.exited, null);
  } finally {
    await svc.stop();
  }
});

/**
 * An installed extension's layout (dist/service.js beside node_modules) where `broken` lacks its
 * binary: the other native modules are linked from this checkout.
 */
function installWithout(broken: 'onnxruntime-node'): string {
  const ext = tmpDir('sn-broken-ext-');
  fs.mkdirSync(path.join(ext, 'dist'));
  for (const f of ['service.js', 'noteReaderWorker.js']) fs.copyFileSync(path.join(dist, f), path.join(ext, 'dist', f));
  const nm = path.join(ext, 'node_modules');
  fs.mkdirSync(nm);
  for (const name of ['onnxruntime-node', 'onnxruntime-common']) {
    const from = path.join(repoRoot, 'node_modules', name);
    if (name !== broken) {
      fs.symlinkSync(from, path.join(nm, name), 'dir');
      continue;
    }
    // Its JavaScript and package.json, without the compiled part: a package for another platform.
    fs.mkdirSync(path.join(nm, name));
    fs.copyFileSync(path.join(from, 'package.json'), path.join(nm, name, 'package.json'));
    fs.cpSync(path.join(from, 'dist'), path.join(nm, name, 'dist'), { recursive: true });
  }
  return path.join(ext, 'dist', 'service.js');
}

for (const broken of ['onnxruntime-node'] as const) {
  test(`a package whose ${broken} cannot load: every request answers one sentence naming it; no crash, no stack trace`, { timeout: 60_000 }, async () => {
    const svc = startService({}, installWithout(broken));
    let stderr = '';
    svc.child.stderr!.on('data', (d) => (stderr += String(d)));
    try {
      const says = new RegExp(`^its native module ${broken} does not load on ${process.platform}-${process.arch} \\(.+\\)\\. Install the Semantic Notes package built for ${process.platform}-${process.arch}\\.$`);
      for (const ask of [() => svc.conn.sendRequest(Requests.configure.method, serviceConfig({ modelsDir: modelsDir() })), () => svc.conn.sendRequest(Requests.status.method)]) {
        const err = (await ask().then(
          () => assert.fail('the request should fail'),
          (e: unknown) => e,
        )) as ResponseError<unknown>;
        assert.ok(err instanceof ResponseError, String(err));
        assert.equal(err.code, ErrorCodes.cannotRun);
        assert.match(err.message, says);
      }
      assert.equal(svc.exited, null, 'the service stays up: exiting would only make the editor restart it');
      const lines = stderr.trim().split('\n');
      assert.equal(lines.length, 1, `one line on stderr, got:\n${stderr}`);
      assert.match(lines[0], says);
      console.log(`[native] ${lines[0]}`);
    } finally {
      await svc.stop();
    }
    // (asserted null above, so read it afresh: stop() has changed it since)
    const exited = svc.exited as { code: number | null } | null;
    assert.equal(exited?.code, 0, 'it exits when the editor disconnects');
  });
}
