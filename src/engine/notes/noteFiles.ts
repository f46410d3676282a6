// Which files under a folder are notes: extensions, include/exclude globs, folders that never hold
// notes and .gitignore files at every level (as git applies them). The walk and the file
// watchers both decide with this module, so a watcher event cannot index a file the next full
// sync would drop. No `vscode` here: the editor's watcher uses it too.
import * as fs from 'node:fs';
import * as path from 'node:path';
import ignore, { type Ignore } from 'ignore';
import picomatch from 'picomatch';

/** File name endings of notes, lower case. */
export const NOTE_EXTENSIONS: readonly string[] = ['.md', '.markdown', '.mdx', '.txt'];
/** The same extensions as a glob, for file system watchers. */
export const NOTE_GLOB = `**/*.{${NOTE_EXTENSIONS.map((e) => e.slice(1)).join(',')}}`;
/** Folders never walked, whatever the rules say (their notes are a tool's, not the user's). */
export const ALWAYS_EXCLUDED_DIRS: ReadonlySet<string> = new Set(['.git', 'node_modules']);

export interface NoteFileRules {
  extensions?: readonly string[];
  include?: string[];
  exclude?: string[];
  respectGitignore?: boolean;
}

/** The rules of one .gitignore file; `base` is its folder relative to the root ('' for the root). */
export interface GitignoreLayer {
  base: string;
  ig: Ignore;
}

/** Whether a name ends like a note (the default extensions). */
export function hasNoteExtension(name: string, extensions: readonly string[] = NOTE_EXTENSIONS): boolean {
  const ext = path.posix.extname(name).toLowerCase();
  return extensions.some((e) => e.toLowerCase() === ext);
}

/**
 * The key of a name in its folder: its NFC form (macOS writes Hangul names decomposed, editors
 * report them composed), unless another name in the same folder has that NFC form too (Linux
 * keeps both): then a name that is not NFC keeps its own bytes, so the two never share a key.
 */
export function keyOfName(name: string, siblings: readonly string[]): string {
  const nfc = name.normalize('NFC');
  if (nfc === name) return name;
  return siblings.some((s) => s !== name && s.normalize('NFC') === nfc) ? name : nfc;
}

/**
 * The index key of a path relative to `root` (as keyOfName applies to each name) and the file on
 * disk it names. A path given in another normalization than the disk's still finds the file. A
 * deleted twin's own key is the index's to recognise (notesIndex checks its keys first).
 */
export function notePath(root: string, rel: string): { key: string; abs: string } {
  const parts = slashPath(rel).split('/');
  const keyParts: string[] = [];
  let dir = root;
  for (const part of parts) {
    let siblings: string[] = [];
    if (part.normalize('NFC') !== part) {
      try {
        siblings = fs.readdirSync(dir);
      } catch {
        /* a folder that is gone: the NFC key */
      }
    }
    // A name that is not on disk as given (another form of an existing name, or gone) is NFC.
    keyParts.push(siblings.includes(part) ? keyOfName(part, siblings) : part.normalize('NFC'));
    dir = path.join(dir, part);
  }
  const key = keyParts.join('/');
  const forms = [rel, key, key.normalize('NFD')];
  const abs = forms.map((f) => path.join(root, f)).find((a) => fs.existsSync(a)) ?? path.join(root, rel);
  return { key, abs };
}

/** A relative path with forward slashes. */
export function slashPath(rel: string): string {
  return rel.split(path.sep).join('/');
}

/**
 * The rules, compiled. Decisions take the .gitignore layers that apply at the path (the walk
 * collects them on its way down; `NoteFilter` reads them for one path at a time).
 */
export class NoteRules {
  readonly respectGitignore: boolean;
  private readonly extensions: Set<string>;
  private readonly include: ((p: string) => boolean) | null;
  private readonly exclude: ((p: string) => boolean) | null;

  constructor(rules: NoteFileRules = {}) {
    const glob = (g?: string[]) => (g && g.length ? picomatch(g, { dot: true }) : null);
    this.extensions = new Set((rules.extensions ?? NOTE_EXTENSIONS).map((e) => e.toLowerCase()));
    this.include = glob(rules.include);
    this.exclude = glob(rules.exclude);
    this.respectGitignore = rules.respectGitignore ?? true;
  }

  /** Whether the walk skips this folder and everything in it. */
  excludesDir(rel: string, layers: readonly GitignoreLayer[]): boolean {
    if (ALWAYS_EXCLUDED_DIRS.has(path.posix.basename(rel))) return true;
    if (this.exclude && (this.exclude(rel) || this.exclude(`${rel}/`))) return true;
    return this.respectGitignore && ignoredBy(layers, rel, true);
  }

  /** Whether a file (in a folder that is walked) is a note. */
  wantsFile(rel: string, layers: readonly GitignoreLayer[]): boolean {
    if (!this.hasExtension(rel)) return false;
    if (this.include && !this.include(rel)) return false;
    if (this.exclude && this.exclude(rel)) return false;
    return !(this.respectGitignore && ignoredBy(layers, rel, false));
  }

  hasExtension(rel: string): boolean {
    return this.extensions.has(path.posix.extname(rel).toLowerCase());
  }
}

function ignoredBy(layers: readonly GitignoreLayer[], rel: string, isDir: boolean): boolean {
  let ignored = false;
  for (const l of layers) {
    const sub = l.base ? rel.slice(l.base.length + 1) : rel;
    const r = l.ig.test(isDir ? `${sub}/` : sub);
    if (r.ignored) ignored = true;
    else if (r.unignored) ignored = false;
  }
  return ignored;
}

/** Parses a .gitignore's text into a layer. */
export function gitignoreLayer(base: string, text: string): GitignoreLayer {
  return { base, ig: ignore().add(text) };
}

export interface NoteFilterOptions {
  /**
   * How long a .gitignore read stays trusted, in ms. 0 (the default) reads them again for each
   * question; the editor's watcher, which sees bursts of thousands of events, keeps them a while.
   */
  gitignoreCacheMs?: number;
  now?: () => number;
}

/**
 * One path at a time, as watchers report them: the same answer as the walk gives. Reads the
 * .gitignore files of the path's folders (and nothing else), outermost first; a folder that is
 * excluded ends the question there, so a path under node_modules costs no file access at all.
 */
export class NoteFilter {
  readonly rules: NoteRules;
  private readonly cache = new Map<string, { at: number; layer: GitignoreLayer | null }>();
  private readonly cacheMs: number;
  private readonly now: () => number;

  constructor(readonly root: string, rules: NoteFileRules | NoteRules = {}, opts: NoteFilterOptions = {}) {
    this.rules = rules instanceof NoteRules ? rules : new NoteRules(rules);
    this.cacheMs = opts.gitignoreCacheMs ?? 0;
    this.now = opts.now ?? Date.now;
  }

  /** Whether a file at this path (relative to the root) belongs in the index. */
  accepts(relPath: string): boolean {
    const rel = slashPath(relPath);
    if (!rel || rel.startsWith('../') || rel === '..' || path.posix.isAbsolute(rel)) return false;
    if (!this.rules.hasExtension(rel)) return false;
    const layers = this.layersOfDirs(path.posix.dirname(rel));
    return layers !== null && this.rules.wantsFile(rel.normalize('NFC'), layers);
  }

  /**
   * Whether a folder at this path (relative to the root; '' is the root) is walked, so a folder
   * created or deleted there may add or remove notes. False when it or a folder above it is
   * excluded.
   */
  walksDir(relPath: string): boolean {
    const rel = slashPath(relPath);
    if (rel.startsWith('../') || rel === '..' || path.posix.isAbsolute(rel)) return false;
    return this.layersOfDirs(rel === '.' ? '' : rel) !== null;
  }

  /** Forgets the .gitignore files read so far (one of them changed). */
  forget(): void {
    this.cache.clear();
  }

  /** The layers that apply inside folder `dir`, or null when the walk skips it (or one above it). */
  private layersOfDirs(dir: string): GitignoreLayer[] | null {
    const parts = dir && dir !== '.' ? dir.split('/') : [];
    if (parts.some((p) => ALWAYS_EXCLUDED_DIRS.has(p))) return null; // decided before reading anything
    const layers: GitignoreLayer[] = [];
    // Rules match the NFC name (as the walk does); the disk is read by the name it reported.
    let onDisk = '';
    for (let i = 0; ; i++) {
      const rel = onDisk.normalize('NFC');
      if (rel && this.rules.excludesDir(rel, layers)) return null;
      if (this.rules.respectGitignore) {
        const layer = this.gitignoreOf(onDisk, rel);
        if (layer) layers.push(layer);
      }
      if (i === parts.length) return layers;
      onDisk = onDisk ? `${onDisk}/${parts[i]}` : parts[i];
    }
  }

  private gitignoreOf(onDisk: string, rel: string): GitignoreLayer | null {
    const now = this.now();
    const hit = this.cache.get(onDisk);
    if (hit && now - hit.at < this.cacheMs) return hit.layer;
    let layer: GitignoreLayer | null = null;
    try {
      layer = gitignoreLayer(rel, fs.readFileSync(path.join(this.root, onDisk, '.gitignore'), 'utf8'));
    } catch {
      /* no .gitignore here */
    }
    if (this.cacheMs > 0) this.cache.set(onDisk, { at: now, layer });
    return layer;
  }
}
