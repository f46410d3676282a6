// Reading one note: bytes to text, or the reason it cannot be indexed. Plain synchronous calls,
// run on the reader's worker thread (noteReader.ts): a tiny note costs ~40 µs so, where the
// promise API spent ~130 µs of the indexing thread's time on the same calls.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SkipReason } from '../types';
import { parseFrontMatter } from './frontMatter';

export const DEFAULT_MAX_FILE_BYTES = 2 << 20;

/**
 * Which symbolic links are followed: 'inside' those whose target is in the folder (a link out of
 * it could show ~/.ssh/id_rsa in search results), 'never' any (Restricted Mode).
 */
export type LinkPolicy = 'inside' | 'never';

/** Where a note may be read from: inside `root`, through links as `links` allows. */
export interface ReadGuard {
  root: string;
  links?: LinkPolicy;
}

/**
 * `size` and `mtimeMs` are the open file's, taken before its bytes are read: a write racing the
 * read shows as a newer mtime later. `readAt` is when (Date.now()) the read began.
 */
export type ReadResult = { ok: true; text: string; hash: string; size: number; mtimeMs: number; readAt: number } | { ok: false; reason: SkipReason; detail: string };

/** Opened without blocking: a FIFO swapped in after the walk must not hang the read. */
const OPEN_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0);

/**
 * A root's resolved path, resolved once (a sync reads thousands of notes). Should the root be
 * re-pointed meanwhile, notes under the new target resolve outside the old one: refused, not leaked.
 */
const realRoots = new Map<string, string>();
function realRootOf(root: string): string {
  let real = realRoots.get(root);
  if (real === undefined) {
    real = fs.realpathSync.native(root);
    if (realRoots.size > 100) realRoots.clear();
    realRoots.set(root, real);
  }
  return real;
}

/** Whether `real` (a resolved path) is `realRoot` or inside it. */
export function isInside(realRoot: string, real: string): boolean {
  return real === realRoot || real.startsWith(realRoot.endsWith(path.sep) ? realRoot : realRoot + path.sep);
}

/**
 * The path resolved through its links, or why the guard refuses it. Throws (ENOENT …) when the
 * path cannot be resolved.
 */
function resolveGuarded(absPath: string, guard: ReadGuard): { real: string; refused?: undefined } | { refused: string } {
  const realRoot = realRootOf(guard.root);
  const real = fs.realpathSync.native(absPath);
  if (!isInside(realRoot, real)) return { refused: 'the link leads out of the folder' };
  if (guard.links === 'never') {
    const direct = path.join(realRoot, path.relative(path.resolve(guard.root), path.resolve(absPath)));
    if (real !== direct) return { refused: 'links are not followed in an untrusted workspace' };
  }
  return { real };
}

/**
 * Reads a note as text, or says why it cannot be indexed. Never reads past the size limit. With
 * a guard, a path that leaves the root by a link (or goes through any link, under 'never') is
 * refused: watcher events reach here without the walk.
 */
export function readNoteSync(absPath: string, maxFileBytes = DEFAULT_MAX_FILE_BYTES, guard?: ReadGuard): ReadResult {
  const readAt = Date.now();
  let buf: Buffer;
  let st: fs.Stats;
  try {
    let target = absPath;
    if (guard) {
      const resolved = resolveGuarded(absPath, guard);
      if (resolved.refused !== undefined) return { ok: false, reason: 'symlink-refused', detail: resolved.refused };
      target = resolved.real;
    }
    // One handle from stat to read: what is checked is what is read.
    const fd = fs.openSync(target, OPEN_FLAGS);
    try {
      st = fs.fstatSync(fd);
      if (!st.isFile()) return { ok: false, reason: 'not-a-file', detail: 'not a regular file' };
      if (st.size > maxFileBytes) return { ok: false, reason: 'too-large', detail: `${st.size} bytes, limit ${maxFileBytes}` };
      buf = readUpTo(fd, maxFileBytes + 1, st.size);
    } finally {
      fs.closeSync(fd);
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // Windows will not open a folder as a file.
    if (code === 'EISDIR') return { ok: false, reason: 'not-a-file', detail: 'not a regular file' };
    return { ok: false, reason: 'unreadable', detail: code ?? String(err) };
  }
  // The file grew between the stat and the read.
  if (buf.length > maxFileBytes) return { ok: false, reason: 'too-large', detail: `more than ${maxFileBytes} bytes, limit ${maxFileBytes}` };
  const decoded = noteText(buf, absPath);
  if (!decoded.ok) return decoded;
  return { ok: true, text: decoded.text, hash: crypto.createHash('sha256').update(buf).digest('hex'), size: st.size, mtimeMs: st.mtimeMs, readAt };
}

/** Up to `limit` bytes from the start of `fd`, whatever the file's size said (it may change). */
function readUpTo(fd: number, limit: number, sizeHint: number): Buffer {
  let buf = Buffer.allocUnsafe(Math.min(limit, Math.max(sizeHint, 0) + 1));
  let len = 0;
  for (;;) {
    if (len === buf.length) {
      if (len >= limit) break;
      const bigger = Buffer.allocUnsafe(Math.min(limit, buf.length * 2));
      buf.copy(bigger, 0, 0, len);
      buf = bigger;
    }
    const n = fs.readSync(fd, buf, len, buf.length - len, len);
    if (n === 0) break;
    len += n;
  }
  return buf.subarray(0, len);
}

/** The note's text (UTF-8, or UTF-16 with its mark), line ends made \n, NFC; or why it is not one. */
function noteText(buf: Buffer, absPath: string): { ok: true; text: string } | { ok: false; reason: SkipReason; detail: string } {
  let text: string;
  if (buf.length >= 2 && buf[0] === 0xff && buf[1] === 0xfe) text = new TextDecoder('utf-16le').decode(buf.subarray(2));
  else if (buf.length >= 2 && buf[0] === 0xfe && buf[1] === 0xff) text = new TextDecoder('utf-16be').decode(buf.subarray(2));
  else {
    if (buf.includes(0)) return { ok: false, reason: 'binary', detail: 'contains NUL bytes' };
    try {
      text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(buf);
    } catch {
      return { ok: false, reason: 'invalid-utf8', detail: 'not valid UTF-8 text' };
    }
  }
  if (text.includes('\u0000')) return { ok: false, reason: 'binary', detail: 'contains NUL characters' };
  text = text.replace(/\r\n?/g, '\n').normalize('NFC');
  if (!text.trim()) return { ok: false, reason: 'empty', detail: 'no text' };
  if (!/\.txt$/i.test(absPath)) {
    // Front matter with a title or description is a note (found by its title); without, nothing.
    const lines = text.split('\n');
    const fm = parseFrontMatter(lines);
    if (fm.lines && !fm.title && !fm.description && !lines.slice(fm.lines).join('').trim()) {
      return { ok: false, reason: 'empty', detail: 'only front matter, without a title' };
    }
  }
  return { ok: true, text };
}

/** A batch of reads, as the reader's worker thread takes it (noteReader.ts). */
export interface ReadBatch {
  paths: string[];
  maxFileBytes?: number;
  guard?: ReadGuard;
  /** Stop once this many bytes were read (at least one note is): the rest is asked for again. */
  budgetBytes: number;
}

/** Reads the batch's notes in order until its byte budget is spent. */
export function readBatchSync(batch: ReadBatch): ReadResult[] {
  const out: ReadResult[] = [];
  let bytes = 0;
  for (const p of batch.paths) {
    if (out.length && bytes >= batch.budgetBytes) break;
    const r = readNoteSync(p, batch.maxFileBytes, batch.guard);
    out.push(r);
    if (r.ok) bytes += r.size;
  }
  return out;
}
