// Chunk ids only grow. Once they cross 2^31 they must still find their vectors (they were held in
// an Int32Array and wrapped negative), and a compaction gives the passages small ids again, so
// the 32-bit vector file never sees them.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NotesIndex } from '../../../src/engine/index/notesIndex';
import { repoRoot, tmpDir } from '../../helpers/env';
import { encoder } from '../../helpers/models';

const START = 2 ** 31 - 3;

for (const scan of [false, true]) {
  test(`chunk ids crossing 2^31 keep their vectors and are renumbered at compaction (${scan ? 'quantized scan' : 'exact search'})`, async () => {
    const root = tmpDir('sn-ids-notes-');
    fs.cpSync(path.join(repoRoot, 'examples', 'notes'), root, { recursive: true });
    const store = tmpDir('sn-ids-store-');
    const enc = await encoder();
    const vectors = scan ? { exactThreshold: 4 } : undefined;
    const a = NotesIndex.open({ root, storeDir: store, encoder: enc, vectors });
    await a.sync();
    await a.close();

    // The ids of a long-lived store: next passage gets 2^31 - 3.
    const manifestFile = path.join(store, fs.readdirSync(store).find((f) => f !== 'index.json')!, 'manifest.json');
    const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
    manifest.nextId = START;
    fs.writeFileSync(manifestFile, JSON.stringify(manifest));

    const b = NotesIndex.open({ root, storeDir: store, encoder: enc, vectors });
    for (const rel of ['dev/git.md', 'travel.md', 'health.md']) {
      fs.appendFileSync(path.join(root, rel), `\n\n## Added ${rel}\n\nA fresh paragraph about ${rel.replace(/\W/g, ' ')} and nothing else.\n`);
      assert.equal(await b.updateFile(rel), 'indexed');
    }
    const big = [...b.passages.chunks.values()].filter((c) => c.id >= 2 ** 31);
    assert.ok(big.length >= 3, `${big.length} passages past 2^31`);
    assert.equal(b.passages.vectors!.size, b.passages.size, 'one vector per passage');
    for (const c of [...b.passages.chunks.values()].filter((x) => x.id >= START)) {
      const v = b.passages.vectors!.get(c.id)!;
      const top = b.passages.dense(v, 1)[0];
      assert.equal(top?.chunk.id, c.id, `passage ${c.id} (${c.path}:${c.startLine}) is its own nearest neighbour`);
    }
    const before = await b.search('how do I undo a commit', { k: 5 });
    assert.equal(before[0].path, 'dev/git.md');
    const texts = new Map([...b.passages.chunks.values()].map((c) => [`${c.path}:${c.startLine}`, b.passages.vectors!.get(c.id)!.slice()]));
    await b.close(); // compacts: the ids are renumbered

    const logs: string[] = [];
    const c = NotesIndex.open({ root, storeDir: store, encoder: enc, vectors, log: (_l, m) => logs.push(m) });
    assert.deepEqual(logs, [], 'the renumbered store opens without a warning');
    const ids = [...c.passages.chunks.keys()].sort((x, y) => x - y);
    assert.deepEqual(ids, Array.from({ length: ids.length }, (_, i) => i + 1), 'ids are 1…n again');
    assert.equal(c.passages.vectors!.usesScan, scan);
    for (const ch of c.passages.chunks.values()) {
      assert.deepEqual(c.passages.vectors!.get(ch.id), texts.get(`${ch.path}:${ch.startLine}`), `${ch.path}:${ch.startLine} kept its vector`);
    }
    assert.deepEqual(await c.search('how do I undo a commit', { k: 5 }), before);
    assert.equal((await c.sync()).embedded, 0, 'nothing is embedded again');
    await c.updateFile('travel.md');
    fs.appendFileSync(path.join(root, 'travel.md'), '\nOne more line.\n');
    await c.updateFile('travel.md');
    assert.ok(Math.max(...c.passages.chunks.keys()) < ids.length + 20, 'new ids continue after the renumbered ones');
    await c.close();
  });
}
