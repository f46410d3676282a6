// Finds the notes under a folder. Which files are notes is noteFiles.ts's call (the watchers ask
// it too); this walks the folder, following symbolic links only while they stay inside it (never
// in an untrusted workspace) and without looping. Whatever cannot be indexed is reported with a
// reason instead of failing the walk.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import type { SkippedFile, SkipReason } from '../types';
import { parseFrontMatter } from './frontMatter';
import { NoteRules, gitignoreLayer, keyOfName, type GitignoreLayer, type NoteFileRules } from './noteFiles';

/**
 * Which symbolic links are followed: 'inside' those whose target is in the folder (a link out of
 * it could show ~/.ssh/id_rsa in search results), 'never' any (Restricted Mode).
 */
export type LinkPolicy = 'inside' | 'never';

export interface WalkOptions extends NoteFileRules {
  extensions?: string[];
  maxFileBytes?: number;
  links?: LinkPolicy;
  signal?: AbortSignal;
}

export interface NoteFileEntry {
  /**
   * Relative to the root, forward slashes, NFC (macOS writes Hangul names decomposed), except a
   * name whose NFC form another file in its folder already has: that one keeps its own bytes.
   */
  path: string;
  absPath: string;
  size: number;
  mtimeMs: number;
}

/** `size` and `mtimeMs` are taken before the bytes are read: a write racing the read shows as a newer mtime later. */
export type ReadResult = { ok: true; text: string; hash: string; size: number; mtimeMs: number } | { ok: false; reason: SkipReason; detail: string };

export const DEFAULT_MAX_FILE_BYTES = 2 << 20;

async function readGitignore(dirAbs: string, base: string): Promise<GitignoreLayer | null> {
  try {
    return gitignoreLayer(base, await fsp.readFile(path.join(dirAbs, '.gitignore'), 'utf8'));
  } catch {
    return null;
  }
}

/**
 * A root's resolved path, resolved once (a sync reads thousands of notes). Should the root be
 * re-pointed meanwhile, notes under the new target resolve outside the old one: refused, not leaked.
 */
const realRoots = new Map<string, string>();
async function realRootOf(root: string): Promise<string> {
  let real = realRoots.get(root);
  if (real === undefined) {
    real = await fsp.realpath(root);
    if (realRoots.size > 100) realRoots.clear();
    realRoots.set(root, real);
  }
  return real;
}

/**
 * The path resolved through its links, or why the guard refuses it. Throws (ENOENT …) when the
 * path cannot be resolved. One realpath a note: it is the dearest call of reading a tiny note.
 */
async function resolveGuarded(absPath: string, guard: ReadGuard): Promise<{ real: string; refused?: undefined } | { refused: string }> {
  const realRoot = await realRootOf(guard.root);
  const real = await fsp.realpath(absPath);
  if (!isInside(realRoot, real)) return { refused: 'the link leads out of the folder' };
  if (guard.links === 'never') {
    const direct = path.join(realRoot, path.relative(path.resolve(guard.root), path.resolve(absPath)));
    if (real !== direct) return { refused: 'links are not followed in an untrusted workspace' };
  }
  return { real };
}

/** Whether `real` (a resolved path) is `realRoot` or inside it. */
function isInside(realRoot: string, real: string): boolean {
  return real === realRoot || real.startsWith(realRoot.endsWith(path.sep) ? realRoot : realRoot + path.sep);
}

export async function walkNotes(root: string, opts: WalkOptions = {}): Promise<{ files: NoteFileEntry[]; skipped: SkippedFile[] }> {
  let st: fs.Stats;
  try {
    st = await fsp.stat(root);
  } catch {
    throw new Error(`notes folder ${root} does not exist or cannot be read`);
  }
  if (!st.isDirectory()) throw new Error(`${root} is not a folder`);
  const rules = new NoteRules(opts);
  const maxBytes = opts.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const links = opts.links ?? 'inside';
  const files: NoteFileEntry[] = [];
  const skipped: SkippedFile[] = [];
  const realRoot = await fsp.realpath(root);
  const visited = new Set<string>([realRoot]);
  const stack: { abs: string; rel: string; layers: GitignoreLayer[] }[] = [{ abs: root, rel: '', layers: [] }];
  while (stack.length) {
    opts.signal?.throwIfAborted();
    const dir = stack.pop()!;
    let entries: fs.Dirent[];
    try {
      entries = await fsp.readdir(dir.abs, { withFileTypes: true });
    } catch (err) {
      skipped.push({ path: dir.rel || '.', reason: 'unreadable', detail: (err as NodeJS.ErrnoException).code ?? String(err) });
      continue;
    }
    let layers = dir.layers;
    if (rules.respectGitignore && entries.some((e) => e.name === '.gitignore')) {
      const layer = await readGitignore(dir.abs, dir.rel);
      if (layer) layers = [...layers, layer];
    }
    const names = entries.map((e) => e.name);
    const stats: Promise<void>[] = [];
    // Real folders before links: a folder reached both ways is listed under its own name.
    entries.sort((a, b) => Number(a.isSymbolicLink()) - Number(b.isSymbolicLink()));
    for (const e of entries) {
      const abs = path.join(dir.abs, e.name);
      const rel = (dir.rel ? `${dir.rel}/` : '') + keyOfName(e.name, names);
      let isDir = e.isDirectory();
      let isFile = e.isFile();
      let linkTarget: fs.Stats | null = null;
      if (e.isSymbolicLink()) {
        const refused = (detail: string) => {
          if (rules.hasExtension(rel) || !path.posix.extname(rel)) skipped.push({ path: rel, reason: 'symlink-refused', detail });
        };
        if (links === 'never') {
          refused('links are not followed in an untrusted workspace');
          continue;
        }
        try {
          linkTarget = await fsp.stat(abs);
          isDir = linkTarget.isDirectory();
          isFile = linkTarget.isFile();
          if (!isInside(realRoot, await fsp.realpath(abs))) {
            refused('the link leads out of the folder');
            continue;
          }
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (rules.hasExtension(rel)) skipped.push({ path: rel, reason: code === 'ELOOP' ? 'symlink-loop' : 'unreadable', detail: `broken link (${code})` });
          continue;
        }
      }
      if (isDir) {
        if (rules.excludesDir(rel, layers)) continue;
        let real: string;
        try {
          real = await fsp.realpath(abs);
        } catch (err) {
          skipped.push({ path: rel, reason: 'unreadable', detail: (err as NodeJS.ErrnoException).code ?? String(err) });
          continue;
        }
        if (visited.has(real)) {
          if (linkTarget) skipped.push({ path: rel, reason: 'symlink-loop', detail: `links back to ${path.relative(realRoot, real) || '.'}` });
          continue;
        }
        visited.add(real);
        stack.push({ abs, rel, layers });
        continue;
      }
      if (!isFile || !rules.wantsFile(rel, layers)) continue;
      stats.push(
        (linkTarget ? Promise.resolve(linkTarget) : fsp.stat(abs)).then(
          (s) => {
            if (s.size > maxBytes) skipped.push({ path: rel, reason: 'too-large', detail: `${s.size} bytes, limit ${maxBytes}` });
            else files.push({ path: rel, absPath: abs, size: s.size, mtimeMs: s.mtimeMs });
          },
          (err) => {
            skipped.push({ path: rel, reason: 'unreadable', detail: (err as NodeJS.ErrnoException).code ?? String(err) });
          },
        ),
      );
    }
    // A folder's notes are stat'ed together: libuv's threads answer them side by side, where one
    // await each left the walk of 15,848 notes waiting on them in turn (the bulk of a restart).
    await Promise.all(stats);
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  skipped.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files, skipped };
}

/** Where a note may be read from: inside `root`, through links as `links` allows. */
export interface ReadGuard {
  root: string;
  links?: LinkPolicy;
}

/**
 * Reads a note as text, or says why it cannot be indexed. Never reads past the size limit. With
 * a guard, a path that leaves the root by a link (or goes through any link, under 'never') is
 * refused: watcher events reach here without the walk.
 */
export async function readNote(absPath: string, maxFileBytes = DEFAULT_MAX_FILE_BYTES, guard?: ReadGuard): Promise<ReadResult> {
  let buf: Buffer;
  let st: fs.Stats;
  try {
    let target = absPath;
    if (guard) {
      const resolved = await resolveGuarded(absPath, guard);
      if (resolved.refused !== undefined) return { ok: false, reason: 'symlink-refused', detail: resolved.refused };
      target = resolved.real;
    }
    st = await fsp.stat(target);
    if (!st.isFile()) return { ok: false, reason: 'not-a-file', detail: 'not a regular file' };
    if (st.size > maxFileBytes) return { ok: false, reason: 'too-large', detail: `${st.size} bytes, limit ${maxFileBytes}` };
    buf = await fsp.readFile(target);
  } catch (err) {
    return { ok: false, reason: 'unreadable', detail: (err as NodeJS.ErrnoException).code ?? String(err) };
  }
  if (buf.length > maxFileBytes) return { ok: false, reason: 'too-large', detail: `${buf.length} bytes, limit ${maxFileBytes}` };
  const hash = crypto.createHash('sha256').update(buf).digest('hex');
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
  return { ok: true, text, hash, size: st.size, mtimeMs: st.mtimeMs };
}
