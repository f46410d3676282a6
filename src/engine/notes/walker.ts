// Finds the notes under a folder. Which files are notes is noteFiles.ts's call (the watchers ask
// it too); this walks the folder, following symbolic links only while they stay inside it (never
// in an untrusted workspace) and without looping. Whatever cannot be indexed is reported with a
// reason instead of failing the walk.
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import type { SkippedFile, SkipReason } from '../types';
import { DEFAULT_MAX_FILE_BYTES, isInside, type LinkPolicy } from './readNote';
import { NoteRules, gitignoreLayer, keyOfName, type GitignoreLayer, type NoteFileRules } from './noteFiles';

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

async function readGitignore(dirAbs: string, base: string): Promise<GitignoreLayer | null> {
  try {
    return gitignoreLayer(base, await fsp.readFile(path.join(dirAbs, '.gitignore'), 'utf8'));
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
