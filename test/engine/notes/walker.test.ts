// The folder walker and note reader on real files: gitignore, globs, every skip reason,
// symlink loops, deep trees and NFD Hangul names.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readNote, walkNotes } from '../../../src/engine/notes/noteReader';
import { NoteFilter } from '../../../src/engine/notes/noteFiles';
import { tmpDir } from '../../helpers/env';

function tree(files: Record<string, string | Buffer>): string {
  const root = tmpDir('sn-walk-');
  for (const [p, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, p)), { recursive: true });
    fs.writeFileSync(path.join(root, p), content);
  }
  return root;
}

test('extensions, include/exclude globs and nested .gitignore with negation', async () => {
  const root = tree({
    'a.md': '# A', 'b.txt': 'b', 'c.js': 'x', 'notes/d.markdown': 'd', 'notes/e.mdx': 'e',
    '.gitignore': 'build/\n*.tmp.md\n', 'build/f.md': 'f', 'g.tmp.md': 'g',
    'sub/.gitignore': '*.md\n!keep.md\n', 'sub/drop.md': 'x', 'sub/keep.md': 'k',
    'node_modules/pkg/readme.md': 'x', '.git/info.md': 'x', 'drafts/h.md': 'h',
  });
  const all = await walkNotes(root);
  assert.deepEqual(all.files.map((f) => f.path), ['a.md', 'b.txt', 'drafts/h.md', 'notes/d.markdown', 'notes/e.mdx', 'sub/keep.md']);
  const some = await walkNotes(root, { include: ['notes/**'], exclude: ['**/*.mdx'] });
  assert.deepEqual(some.files.map((f) => f.path), ['notes/d.markdown']);
  const noGit = await walkNotes(root, { respectGitignore: false, exclude: ['drafts/**'] });
  assert.ok(noGit.files.some((f) => f.path === 'build/f.md') && !noGit.files.some((f) => f.path === 'drafts/h.md'));
  const filter = new NoteFilter(root);
  assert.equal(filter.accepts('a.md'), true);
  assert.equal(filter.accepts('build/f.md'), false);
  assert.equal(filter.accepts('c.js'), false);
  assert.equal(filter.accepts('node_modules/x.md'), false);
  await assert.rejects(walkNotes(path.join(root, 'missing')), /does not exist/);
  await assert.rejects(walkNotes(path.join(root, 'a.md')), /is not a folder/);
});

test('every skip reason is recorded, and good files read correctly', async () => {
  const root = tree({
    'binary.md': Buffer.from([0x23, 0x20, 0x41, 0x00, 0x42]),
    'latin1.md': Buffer.from([0x63, 0x61, 0x66, 0xe9]),
    'utf16.md': Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('# 제목\r\nhello', 'utf16le')]),
    'bom.md': Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('# Title\r\n')]),
    'empty.md': '', 'blank.md': '  \n\n',
  });
  fs.writeFileSync(path.join(root, 'huge.md'), '');
  fs.truncateSync(path.join(root, 'huge.md'), 200 * 1024 * 1024); // sparse: never read
  const w = await walkNotes(root);
  assert.deepEqual(w.skipped.map((s) => [s.path, s.reason]), [['huge.md', 'too-large']]);
  const read = async (f: string) => readNote(path.join(root, f));
  assert.deepEqual(await read('binary.md').then((r) => !r.ok && r.reason), 'binary');
  assert.deepEqual(await read('latin1.md').then((r) => !r.ok && r.reason), 'invalid-utf8');
  assert.deepEqual(await read('empty.md').then((r) => !r.ok && r.reason), 'empty');
  assert.deepEqual(await read('blank.md').then((r) => !r.ok && r.reason), 'empty');
  assert.deepEqual(await read('huge.md').then((r) => !r.ok && r.reason), 'too-large');
  assert.deepEqual(await read('gone.md').then((r) => !r.ok && r.reason), 'unreadable');
  const u16 = await read('utf16.md');
  assert.ok(u16.ok && u16.text === '# 제목\nhello');
  const bom = await read('bom.md');
  assert.ok(bom.ok && bom.text === '# Title\n' && /^[0-9a-f]{64}$/.test(bom.hash));
  // Not a regular file where a note was (a watcher event names it): a folder, and on POSIX a
  // FIFO, which a blocking open would wait on for a writer that never comes.
  fs.mkdirSync(path.join(root, 'folder.md'));
  assert.deepEqual(await read('folder.md').then((r) => !r.ok && r.reason), 'not-a-file');
  if (process.platform !== 'win32') {
    execFileSync('mkfifo', [path.join(root, 'pipe.md')]);
    assert.deepEqual(await read('pipe.md').then((r) => !r.ok && r.reason), 'not-a-file');
  }
  // One byte over the limit is refused; exactly at it, read whole.
  fs.writeFileSync(path.join(root, 'small.md'), 'x'.repeat(100));
  assert.deepEqual(await readNote(path.join(root, 'small.md'), 99).then((r) => !r.ok && r.reason), 'too-large');
  const exact = await readNote(path.join(root, 'small.md'), 100);
  assert.ok(exact.ok && exact.text === 'x'.repeat(100));
});

test('symlink loops end, deep trees work, NFD Hangul names come out NFC', async () => {
  const root = tree({ 'real/a.md': 'a' });
  fs.symlinkSync(root, path.join(root, 'real', 'loop'));
  fs.symlinkSync(path.join(root, 'nowhere.md'), path.join(root, 'broken.md'));
  let deep = root;
  for (let i = 0; i < 50; i++) deep = path.join(deep, `d${i}`);
  fs.mkdirSync(deep, { recursive: true });
  fs.writeFileSync(path.join(deep, 'bottom.md'), 'deep');
  const nfd = '한글노트.md'.normalize('NFD');
  fs.writeFileSync(path.join(root, nfd), '# 한글');
  const w = await walkNotes(root);
  assert.ok(w.files.some((f) => f.path.endsWith('d49/bottom.md')));
  const ko = w.files.find((f) => f.path === '한글노트.md'.normalize('NFC'));
  assert.ok(ko, 'NFC path');
  assert.ok(fs.existsSync(ko.absPath) && path.basename(ko.absPath) === nfd, 'absPath keeps the on-disk name');
  assert.deepEqual(w.skipped.map((s) => [s.path, s.reason]).sort(), [['broken.md', 'unreadable'], ['real/loop', 'symlink-loop']]);
  assert.equal(w.files.filter((f) => f.path.endsWith('a.md')).length, 1);
});

test('an unreadable folder is reported, not fatal', async (t) => {
  const root = tree({ 'ok.md': 'ok', 'secret/s.md': 's' });
  fs.chmodSync(path.join(root, 'secret'), 0o000);
  try {
    if (process.getuid?.() === 0) {
      t.skip('running as root: chmod 000 does not stop root from reading');
      return;
    }
    const w = await walkNotes(root);
    assert.deepEqual(w.files.map((f) => f.path), ['ok.md']);
    assert.deepEqual(w.skipped.map((s) => [s.path, s.reason]), [['secret', 'unreadable']]);
  } finally {
    fs.chmodSync(path.join(root, 'secret'), 0o755);
  }
});

test('links out of the folder are never followed; links inside are; an untrusted walk follows none', async () => {
  const outside = tree({ 'id_rsa': '-----BEGIN OPENSSH PRIVATE KEY-----\nsecret\n', 'notes/private.md': '# private' });
  const root = tree({ 'a.md': '# A', 'real/b.md': '# B' });
  fs.symlinkSync(path.join(outside, 'id_rsa'), path.join(root, 'x.md'));
  fs.symlinkSync(path.join(outside, 'notes'), path.join(root, 'elsewhere'));
  fs.symlinkSync(path.join(root, 'real', 'b.md'), path.join(root, 'alias.md'));
  fs.symlinkSync(path.join(root, 'real'), path.join(root, 'shortcut'));
  // A link inside the folder that points to a link out of it.
  fs.symlinkSync(path.join(root, 'x.md'), path.join(root, 'real', 'twice.md'));

  const w = await walkNotes(root);
  assert.deepEqual(w.files.map((f) => f.path), ['a.md', 'alias.md', 'real/b.md']);
  assert.deepEqual(w.skipped.map((s) => [s.path, s.reason]), [['elsewhere', 'symlink-refused'], ['real/twice.md', 'symlink-refused'], ['shortcut', 'symlink-loop'], ['x.md', 'symlink-refused']]);
  assert.ok(!JSON.stringify(w.skipped).includes(outside), 'the target is not revealed');

  const untrusted = await walkNotes(root, { links: 'never' });
  assert.deepEqual(untrusted.files.map((f) => f.path), ['a.md', 'real/b.md']);
  assert.ok(untrusted.skipped.every((s) => s.reason === 'symlink-refused'));

  // Reading one path (as watcher events do) applies the same rule.
  const guard = { root };
  const reason = async (rel: string, links?: 'inside' | 'never') => {
    const r = await readNote(path.join(root, rel), undefined, { ...guard, links });
    return r.ok ? 'ok' : r.reason;
  };
  assert.equal(await reason('x.md'), 'symlink-refused');
  assert.equal(await reason('elsewhere/private.md'), 'symlink-refused');
  assert.equal(await reason('real/twice.md'), 'symlink-refused');
  assert.equal(await reason('alias.md'), 'ok');
  assert.equal(await reason('shortcut/b.md'), 'ok');
  assert.equal(await reason('alias.md', 'never'), 'symlink-refused');
  assert.equal(await reason('shortcut/b.md', 'never'), 'symlink-refused');
  assert.equal(await reason('real/b.md', 'never'), 'ok');
});

test('two names that differ only by Unicode normalization are two notes', async () => {
  const nfc = '메모.md';
  const nfd = nfc.normalize('NFD');
  const root = tree({ [nfc]: '# 조합형', [nfd]: '# 분해형', [`폴더/${'노트.md'.normalize('NFD')}`]: '# 하나뿐' });
  const w = await walkNotes(root);
  assert.deepEqual(w.files.map((f) => f.path).sort(), [nfc, nfd, '폴더/노트.md'].sort());
  const byPath = new Map(w.files.map((f) => [f.path, fs.readFileSync(f.absPath, 'utf8')]));
  assert.equal(byPath.get(nfc), '# 조합형');
  assert.equal(byPath.get(nfd), '# 분해형');
});
