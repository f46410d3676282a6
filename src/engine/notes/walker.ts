// Finds the notes under a folder: by extension, include/exclude globs and .gitignore files at
// every level (as git applies them), following symlinks without looping. Whatever cannot be
// indexed is reported with a reason instead of failing the walk.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import ignore, { type Ignore } from 'ignore';
import picomatch from 'picomatch';
import type { SkippedFile, SkipReason } from '../types';
import { parseFrontMatter } from './frontMatter';

export interface WalkOptions {
  extensions?: string[];
  include?: string[];
  exclude?: string[];
  maxFileBytes?: number;
  respectGitignore?: boolean;
  signal?: AbortSignal;
}

export interface NoteFileEntry {
  /** Relative to the root, forward slashes, NFC (macOS writes Hangul names decomposed). */
  path: string;
  absPath: string;
  size: number;
  mtimeMs: number;
}

/** `size` and `mtimeMs` are taken before the bytes are read: a write racing the read shows as a newer mtime later. */
export type ReadResult = { ok: true; text: string; hash: string; size: number; mtimeMs: number } | { ok: false; reason: SkipReason; detail: string };

export const DEFAULT_EXTENSIONS = ['.md', '.markdown', '.mdx', '.txt'];
export const DEFAULT_MAX_FILE_BYTES = 2 << 20;
const ALWAYS_EXCLUDED_DIRS = new Set(['.git', 'node_modules']);

interface Matchers {
  extensions: Set<string>;
  include: ((p: string) => boolean) | null;
  exclude: ((p: string) => boolean) | null;
}

function matchers(opts: WalkOptions): Matchers {
  const glob = (g?: string[]) => (g && g.length ? picomatch(g, { dot: true }) : null);
  return {
    extensions: new Set((opts.extensions ?? DEFAULT_EXTENSIONS).map((e) => e.toLowerCase())),
    include: glob(opts.include),
    exclude: glob(opts.exclude),
  };
}

function wantedFile(rel: string, m: Matchers): boolean {
  if (!m.extensions.has(path.posix.extname(rel).toLowerCase())) return false;
  if (m.include && !m.include(rel)) return false;
  return !(m.exclude && m.exclude(rel));
}

interface GitignoreLayer {
  base: string; // folder of the .gitignore, relative to the root ('' for the root)
  ig: Ignore;
}

function ignoredBy(layers: GitignoreLayer[], rel: string, isDir: boolean): boolean {
  let ignored = false;
  for (const l of layers) {
    const sub = l.base ? rel.slice(l.base.length + 1) : rel;
    const r = l.ig.test(isDir ? `${sub}/` : sub);
    if (r.ignored) ignored = true;
    else if (r.unignored) ignored = false;
  }
  return ignored;
}

async function readGitignore(dirAbs: string, base: string): Promise<GitignoreLayer | null> {
  try {
    const text = await fsp.readFile(path.join(dirAbs, '.gitignore'), 'utf8');
    return { base, ig: ignore().add(text) };
  } catch {
    return null;
  }
}

export async function walkNotes(root: string, opts: WalkOptions = {}): Promise<{ files: NoteFileEntry[]; skipped: SkippedFile[] }> {
  let st: fs.Stats;
  try {
    st = await fsp.stat(root);
  } catch {
    throw new Error(`notes folder ${root} does not exist or cannot be read`);
  }
  if (!st.isDirectory()) throw new Error(`${root} is not a folder`);
  const m = matchers(opts);
  const maxBytes = opts.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const gitignore = opts.respectGitignore ?? true;
  const files: NoteFileEntry[] = [];
  const skipped: SkippedFile[] = [];
  const visited = new Set<string>([await fsp.realpath(root)]);
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
    if (gitignore && entries.some((e) => e.name === '.gitignore')) {
      const layer = await readGitignore(dir.abs, dir.rel);
      if (layer) layers = [...layers, layer];
    }
    for (const e of entries) {
      const abs = path.join(dir.abs, e.name);
      const rel = (dir.rel ? `${dir.rel}/` : '') + e.name.normalize('NFC');
      let isDir = e.isDirectory();
      let isFile = e.isFile();
      let linkTarget: fs.Stats | null = null;
      if (e.isSymbolicLink()) {
        try {
          linkTarget = await fsp.stat(abs);
          isDir = linkTarget.isDirectory();
          isFile = linkTarget.isFile();
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (wantedFile(rel, m)) skipped.push({ path: rel, reason: code === 'ELOOP' ? 'symlink-loop' : 'unreadable', detail: `broken link (${code})` });
          continue;
        }
      }
      if (isDir) {
        if (ALWAYS_EXCLUDED_DIRS.has(e.name)) continue;
        if (gitignore && ignoredBy(layers, rel, true)) continue;
        if (m.exclude && (m.exclude(rel) || m.exclude(`${rel}/`))) continue;
        let real: string;
        try {
          real = await fsp.realpath(abs);
        } catch (err) {
          skipped.push({ path: rel, reason: 'unreadable', detail: (err as NodeJS.ErrnoException).code ?? String(err) });
          continue;
        }
        if (visited.has(real)) {
          if (linkTarget) skipped.push({ path: rel, reason: 'symlink-loop', detail: `links back to ${real}` });
          continue;
        }
        visited.add(real);
        stack.push({ abs, rel, layers });
        continue;
      }
      if (!isFile || !wantedFile(rel, m)) continue;
      if (gitignore && ignoredBy(layers, rel, false)) continue;
      try {
        const s = linkTarget ?? (await fsp.stat(abs));
        if (s.size > maxBytes) skipped.push({ path: rel, reason: 'too-large', detail: `${s.size} bytes, limit ${maxBytes}` });
        else files.push({ path: rel, absPath: abs, size: s.size, mtimeMs: s.mtimeMs });
      } catch (err) {
        skipped.push({ path: rel, reason: 'unreadable', detail: (err as NodeJS.ErrnoException).code ?? String(err) });
      }
    }
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  skipped.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files, skipped };
}

/** For file watchers: whether one path (relative to the root) belongs in the index. */
export function createPathFilter(root: string, opts: WalkOptions = {}): (relPath: string) => boolean {
  const m = matchers(opts);
  let rootIgnore: GitignoreLayer | null = null;
  if (opts.respectGitignore ?? true) {
    try {
      rootIgnore = { base: '', ig: ignore().add(fs.readFileSync(path.join(root, '.gitignore'), 'utf8')) };
    } catch {
      /* no .gitignore */
    }
  }
  return (relPath) => {
    const rel = relPath.split(path.sep).join('/').normalize('NFC');
    if (rel.split('/').some((part) => ALWAYS_EXCLUDED_DIRS.has(part))) return false;
    if (!wantedFile(rel, m)) return false;
    return !(rootIgnore && ignoredBy([rootIgnore], rel, false));
  };
}

/** Reads a note as text, or says why it cannot be indexed. Never reads past the size limit. */
export async function readNote(absPath: string, maxFileBytes = DEFAULT_MAX_FILE_BYTES): Promise<ReadResult> {
  let buf: Buffer;
  let st: fs.Stats;
  try {
    st = await fsp.stat(absPath);
    if (!st.isFile()) return { ok: false, reason: 'not-a-file', detail: 'not a regular file' };
    if (st.size > maxFileBytes) return { ok: false, reason: 'too-large', detail: `${st.size} bytes, limit ${maxFileBytes}` };
    buf = await fsp.readFile(absPath);
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
