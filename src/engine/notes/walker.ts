// Finds the notes under a folder. Which files are notes is noteFiles.ts's call (the watchers ask
// it too); this walks the folder, following symbolic links only while they stay inside it (never
// in an untrusted workspace) and without looping. Whatever cannot be indexed is reported with a
// reason instead of failing the walk.
// Plain synchronous calls: the walk runs on the note reader's worker thread (noteReader.ts's
// walkNotes), where a stat costs ~7 µs instead of the promise API's hop to libuv and back.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SkippedFile, SkipReason } from '../types';
import { DEFAULT_MAX_FILE_BYTES, isInside, type LinkPolicy } from './readNote';
import { NoteRules, gitignoreLayer, keyOfName, type GitignoreLayer, type NoteFileRules } from './noteFiles';

/** What the walk takes (it crosses to the worker thread, so plain data only). */
export interface WalkRules extends NoteFileRules {
  extensions?: string[];
  maxFileBytes?: number;
  links?: LinkPolicy;
}

export interface WalkOptions extends WalkRules {
  signal?: AbortSignal;
}

export interface WalkResult {
  files: NoteFileEntry[];
  skipped: SkippedFile[];
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

function readGitignore(dirAbs: string, base: string): GitignoreLayer | null {
  try {
    return gitignoreLayer(base, fs.readFileSync(path.join(dirAbs, '.gitignore'), 'utf8'));
  } catch {
    return null;
  }
}

export function walkNotesSync(root: string, opts: WalkRules = {}): WalkResult {
  let st: fs.Stats;
  try {
    st = fs.statSync(root);
  } catch {
    throw new Error(`notes folder ${root} does not exist or cannot be read`);
  }
  if (!st.isDirectory()) throw new Error(`${root} is not a folder`);
  const rules = new NoteRules(opts);
  const maxBytes = opts.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const links = opts.links ?? 'inside';
  const files: NoteFileEntry[] = [];
  const skipped: SkippedFile[] = [];
  const realRoot = fs.realpathSync.native(root);
  const visited = new Set<string>([realRoot]);
  const stack: { abs: string; rel: string; layers: GitignoreLayer[] }[] = [{ abs: root, rel: '', layers: [] }];
  while (stack.length) {
    const dir = stack.pop()!;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir.abs, { withFileTypes: true });
    } catch (err) {
      skipped.push({ path: dir.rel || '.', reason: 'unreadable', detail: (err as NodeJS.ErrnoException).code ?? String(err) });
      continue;
    }
    let layers = dir.layers;
    if (rules.respectGitignore && entries.some((e) => e.name === '.gitignore')) {
      const layer = readGitignore(dir.abs, dir.rel);
      if (layer) layers = [...layers, layer];
    }
    const names = entries.map((e) => e.name);
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
          linkTarget = fs.statSync(abs);
          isDir = linkTarget.isDirectory();
          isFile = linkTarget.isFile();
          if (!isInside(realRoot, fs.realpathSync.native(abs))) {
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
          real = fs.realpathSync.native(abs);
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
      try {
        const s = linkTarget ?? fs.statSync(abs);
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
