// The service's exit when the editor goes away (its IPC channel closes): the shutdown that saves
// every open index must run to its end before the process exits. Before, the connection's close
// handler called exit(0) at once and cut that shutdown short, leaving the store's lock and an
// uncompacted log behind.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Requests, type IndexSummary } from '../../src/protocol/protocol';
import { modelsDir, tmpDir } from '../helpers/env';
import { serviceConfig, startService } from '../helpers/service';

function writeNotes(root: string, n: number): void {
  for (let i = 0; i < n; i++) {
    const words = Array.from({ length: 120 }, (_, j) => `word${(i * 7 + j) % 500} topic${i % 13}`).join(' ');
    fs.writeFileSync(path.join(root, `note-${i}.md`), `# Note ${i}\n\n${words}\n\n## More\n\n${words.split(' ').reverse().join(' ')}\n`);
  }
}

const EXIT_WITHIN_MS = 8_000;

for (const how of ['channel closed', 'SIGTERM'] as const) {
  test(`${how} mid-sync: the service cancels the sync, saves the index and releases its lock before it exits`, { timeout: 180_000 }, async () => {
    const root = tmpDir('sn-shutdown-notes-');
    const storeDir = tmpDir('sn-shutdown-store-');
    writeNotes(root, 200);
    const svc = startService();
    try {
      await svc.conn.sendRequest(Requests.configure.method, serviceConfig({ modelsDir: modelsDir() }));
      const folderId = 'file:///shutdown';
      await svc.conn.sendRequest(Requests.openFolder.method, { id: folderId, root, storeDir });
      const first = (await svc.conn.sendRequest(Requests.sync.method, { folderId })) as IndexSummary;
      assert.equal(first.files, 200);
      // Edits go to the store's log; the shutdown compacts it.
      for (let i = 0; i < 20; i++) fs.appendFileSync(path.join(root, `note-${i}.md`), `\nedited ${i}\n`);
      await svc.conn.sendRequest(Requests.applyChanges.method, { folderId, changed: Array.from({ length: 20 }, (_, i) => `note-${i}.md`), deleted: [], renamed: [] });
      // A long second sync under way when the editor goes.
      writeNotes(root, 3000);
      const seen = svc.progress.length;
      void svc.conn.sendRequest(Requests.sync.method, { folderId }).catch(() => undefined);
      const start = Date.now();
      while (!svc.progress.slice(seen).some((p) => p.phase === 'index' && p.done > 0)) {
        assert.ok(Date.now() - start < 60_000, 'the second sync never progressed');
        await new Promise((r) => setTimeout(r, 5));
      }
      const t0 = Date.now();
      const gone = new Promise<void>((r) => svc.child.once('exit', () => r()));
      if (how === 'SIGTERM') svc.child.kill('SIGTERM');
      else svc.child.disconnect();
      await Promise.race([gone, new Promise((r) => setTimeout(r, 60_000))]);
      const took = Date.now() - t0;
      assert.ok(svc.exited, 'the service exited');
      assert.deepEqual(svc.exited, { code: 0, signal: null }, 'it exited by itself, after its shutdown');
      assert.ok(took < EXIT_WITHIN_MS, `it exited in ${took} ms (the sync under way is cancelled, not awaited)`);
      const storeFiles = fs.readdirSync(storeDir, { recursive: true }) as string[];
      assert.ok(!storeFiles.some((f) => path.basename(f) === 'lock'), `the store was closed (lock released): ${storeFiles.join(', ')}`);
      const logs = storeFiles.filter((f) => /\.wal$/.test(f)).map((f) => fs.statSync(path.join(storeDir, f)).size);
      assert.ok(logs.length > 0 && logs.every((size) => size <= 64), `the log was compacted into the store: sizes ${logs.join(', ')}`);
    } finally {
      await svc.stop();
      fs.rmSync(root, { recursive: true, force: true });
      fs.rmSync(storeDir, { recursive: true, force: true });
    }
  });
}
