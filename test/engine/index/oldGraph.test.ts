// An index saved by a version that kept an HNSW graph (manifest part `graph`, file gN.graph.bin)
// opens as it is: no warning, nothing embedded again, the same answers, and the graph's file is
// deleted as a stray at the first writable open (a read-only open leaves the folder alone).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { crc32 } from 'node:zlib';
import { NotesIndex } from '../../../src/engine/index/notesIndex';
import { repoRoot, tmpDir } from '../../helpers/env';
import { encoder } from '../../helpers/models';

test('a store saved with an HNSW graph opens without it, and its graph file goes', async () => {
  const root = path.join(repoRoot, 'examples', 'notes');
  const storeDir = tmpDir('sn-oldgraph-');
  const enc = await encoder();
  // A tiny threshold: the quantized scan answers dense searches, as the graph did before.
  const vectors = { exactThreshold: 4 };
  const a = NotesIndex.open({ root, storeDir, encoder: enc, vectors });
  await a.sync();
  const before = await a.search('undo the last git commit', { k: 5 });
  const dense = await a.search('how do I keep my sleep schedule', { mode: 'semantic', k: 5 });
  await a.close();

  // What the older version left: a graph part named in the manifest, checksummed.
  const folder = path.join(storeDir, fs.readdirSync(storeDir).find((f) => f !== 'index.json')!);
  const manifestFile = path.join(folder, 'manifest.json');
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
  const graphFile = `g${manifest.generation}.graph.bin`;
  const bytes = Buffer.alloc(4096, 7);
  fs.writeFileSync(path.join(folder, graphFile), bytes);
  manifest.parts.graph = { file: graphFile, bytes: bytes.length, crc32: crc32(bytes) };
  fs.writeFileSync(manifestFile, JSON.stringify(manifest, null, 1));

  const logs: string[] = [];
  const ro = NotesIndex.open({ root, storeDir, encoder: enc, vectors, readOnly: true, log: (_l, m) => logs.push(m) });
  assert.deepEqual(await ro.search('undo the last git commit', { k: 5 }), before);
  await ro.close();
  assert.ok(fs.existsSync(path.join(folder, graphFile)), 'a read-only open deletes nothing');

  const b = NotesIndex.open({ root, storeDir, encoder: enc, vectors, log: (_l, m) => logs.push(m) });
  assert.ok(!fs.existsSync(path.join(folder, graphFile)), 'the graph file is gone at the first writable open');
  assert.ok(b.passages.vectors!.usesScan);
  assert.equal((await b.sync()).embedded, 0, 'nothing is embedded again');
  assert.deepEqual(await b.search('undo the last git commit', { k: 5 }), before);
  assert.deepEqual(await b.search('how do I keep my sleep schedule', { mode: 'semantic', k: 5 }), dense);
  await b.close();
  assert.deepEqual(logs, [], 'no warning: nothing was damaged');
});
