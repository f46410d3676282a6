// The note reader's worker thread on real files: many notes come back in order, whole, with the
// right reason for those that cannot be indexed, also when big notes cut batches short; and with
// its worker file missing, reads go on in the calling thread.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NoteReads } from '../../../src/engine/notes/noteReader';
import { repoRoot, tmpDir } from '../../helpers/env';

/** Notes of every kind, in the order read: big ones (1.5 MiB) among tiny ones, Korean, broken ones. */
function folder(): { root: string; names: string[]; expect: (string | null)[] } {
  const root = tmpDir('sn-reader-');
  const names: string[] = [];
  const expect: (string | null)[] = [];
  const big = (i: number) => `# Big ${i}\n\n${`line ${i} of a long note about ownership and borrowing\n`.repeat(29_000)}`;
  for (let i = 0; i < 300; i++) {
    const name = `n${String(i).padStart(3, '0')}.md`;
    let content: string | Buffer;
    if (i % 37 === 5 || (i >= 100 && i < 106)) content = big(i);
    else if (i % 50 === 7) content = Buffer.from([0x23, 0x20, 0xff, 0xfe, 0x41]); // invalid UTF-8
    else if (i % 50 === 9) content = Buffer.from('# a\n\0binary');
    else content = i % 2 ? `# 메모 ${i}\n\n소유권과 빌림 ${i}\n` : `# Note ${i}\n\nOwnership and borrowing ${i}\n`;
    fs.writeFileSync(path.join(root, name), content);
    names.push(name);
    expect.push(typeof content === 'string' ? content : null);
  }
  // One that vanished after the walk, and a folder named like a note.
  names.push('gone.md');
  expect.push(null);
  fs.mkdirSync(path.join(root, 'dir.md'));
  names.push('dir.md');
  expect.push(null);
  return { root, names, expect };
}

test('many notes read ahead on the worker come back in order and whole, big notes cutting batches short', async () => {
  const { root, names, expect } = folder();
  const bigBytes = expect.filter((e) => e && e.length > 1 << 20).reduce((s, e) => s + e!.length, 0);
  assert.ok(bigBytes > 8 << 20, 'enough big notes to spill past several batches’ byte budgets');
  const reads = new NoteReads(names.map((n) => path.join(root, n)), { guard: { root } });
  const reasons: string[] = [];
  for (let i = 0; i < names.length; i++) {
    const r = await reads.next();
    if (expect[i] !== null) {
      assert.ok(r.ok, `${names[i]}: ${JSON.stringify(r)}`);
      assert.equal(r.text, expect[i]!.normalize('NFC'), names[i]);
      assert.equal(r.hash, crypto.createHash('sha256').update(fs.readFileSync(path.join(root, names[i]))).digest('hex'));
      assert.equal(r.size, Buffer.byteLength(expect[i]!));
    } else {
      assert.ok(!r.ok, names[i]);
      reasons.push(r.reason);
    }
  }
  assert.deepEqual(reasons, [...Array.from({ length: 6 }, () => ['invalid-utf8', 'binary']).flat(), 'unreadable', 'not-a-file']);
  await assert.rejects(reads.next(), /no more notes/);
});

test('without its worker file, the reader walks and reads in the calling thread', () => {
  // The compiled reader modules alone in a folder, as a broken install would leave them.
  const dir = tmpDir('sn-reader-noworker-');
  const out = path.join(repoRoot, 'out', 'src', 'engine', 'notes');
  for (const f of ['noteReader.js', 'readerProtocol.js', 'readNote.js', 'walker.js', 'noteFiles.js', 'frontMatter.js']) fs.copyFileSync(path.join(out, f), path.join(dir, f));
  const { root, names, expect } = folder();
  const script = `
    const { NoteReads, walkNotes } = require(${JSON.stringify(path.join(dir, 'noteReader.js'))});
    const names = ${JSON.stringify(names)};
    (async () => {
      const walked = await walkNotes(${JSON.stringify(root)});
      process.stderr.write('walked ' + walked.files.map((f) => f.path).join(',') + '\\n');
      const reads = new NoteReads(names.map((n) => require('node:path').join(${JSON.stringify(root)}, n)));
      const got = [];
      for (let i = 0; i < names.length; i++) { const r = await reads.next(); got.push(r.ok ? r.text : r.reason); }
      process.stdout.write(JSON.stringify(got));
    })();`;
  const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, NODE_PATH: path.join(repoRoot, 'node_modules') }, maxBuffer: 64 << 20 });
  assert.equal(run.status, 0, run.stderr);
  // Said once, in one line, for the service's log.
  const [said, walked] = run.stderr.split('\n');
  assert.match(said, /^the note reader's worker thread stopped \(Cannot find module [^\n]*\): notes are read on the main thread$/);
  // The walk too: every note but the folder and the one that is gone, in order.
  assert.equal(walked, `walked ${names.filter((n) => n !== 'dir.md' && n !== 'gone.md').join(',')}`);
  const got = JSON.parse(run.stdout) as string[];
  assert.equal(got.length, names.length);
  got.forEach((g, i) => assert.equal(g, expect[i] ?? g, names[i]));
  assert.deepEqual(got.slice(-2), ['unreadable', 'not-a-file']);
  assert.ok(!fs.existsSync(path.join(dir, 'noteReaderWorker.js')));
});
