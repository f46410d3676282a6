// The sync pipeline: walk the folder, find what changed, read → chunk → embed in batches, and
// log one change per note as soon as its vectors exist. Unchanged files (same size and mtime, or
// same content hash) are never re-embedded, and unchanged passages of an edited or renamed note
// keep their vectors.
import { Encoder } from '../embedding/encoder';
import { CHUNKER_VERSION, chunkMarkdownWithIds } from '../notes/chunker';
import { NoteReads, walkNotes } from '../notes/noteReader';
import type { ReadResult } from '../notes/readNote';
import { notePath } from '../notes/noteFiles';
import type { StoreOp, StoredChunk } from '../store/noteStore';
import type { SkippedFile } from '../types';
import type { IndexState } from './indexState';
import type { NotesIndexOptions, SyncProgress, SyncReport } from './notesIndex';
import { keywordText } from './passageIndex';

/** How many passages to gather across files before one embedding call. */
const EMBED_BATCH = 256;

/** What the pipeline works on: the index's options, state and skipped files, and its log. */
export interface SyncTarget {
  readonly opts: NotesIndexOptions;
  readonly state: IndexState;
  readonly skipped: Map<string, SkippedFile>;
  /** Logs changes (in one write), then applies them to the state. */
  log(...ops: StoreOp[]): void;
}

/** Brings the index in line with the folder on disk (the caller compacts afterwards). */
export async function syncFolder(t: SyncTarget, opts: { onProgress?: (p: SyncProgress) => void; signal?: AbortSignal }): Promise<Omit<SyncReport, 'files' | 'chunks' | 'skipped'>> {
  const onProgress = opts.onProgress ?? (() => {});
  onProgress({ phase: 'scan', done: 0, total: 0 });
  const walked = await walkNotes(t.opts.root, { ...t.opts.walk, signal: opts.signal });
  const present = new Set(walked.files.map((f) => f.path));
  t.skipped.clear();
  for (const s of walked.skipped) t.skipped.set(s.path, s);
  const files = t.state.files;
  // Vectors of removed files may serve renamed copies of them below.
  const reuse = new Map<string, Float32Array>();
  let removed = 0;
  for (const p of [...files.keys()]) {
    if (present.has(p)) continue;
    for (const [k, v] of t.state.vectorsOf(p)) reuse.set(k, v);
    t.log({ op: 'del', path: p });
    removed++;
  }
  // Notes whose passages lack a vector (a damaged vector file was dropped) are embedded again,
  // and notes cut by an older chunker are cut again.
  const vectors = t.state.passages.vectors;
  const reread = new Set([...files].filter(([, rec]) => rec.chunker !== CHUNKER_VERSION || (vectors && rec.chunkIds.some((id) => !vectors.has(id)))).map(([p]) => p));
  const todo = walked.files.filter((f) => {
    const rec = files.get(f.path);
    return !rec || rec.size !== f.size || rec.mtimeMs !== f.mtimeMs || reread.has(f.path);
  });
  const r = await indexNotes(
    t,
    todo.map((f) => ({ rel: f.path, abs: f.absPath })),
    reuse,
    (done, p) => onProgress({ phase: 'index', done, total: todo.length, path: p }),
    opts.signal,
    reread,
  );
  onProgress({ phase: 'save', done: 0, total: 1 });
  return { embedded: r.embedded, changed: r.changed, removed };
}

/** Reads, chunks and embeds notes, logging one change per note as soon as its vectors exist. */
export async function indexNotes(
  t: SyncTarget,
  notes: { rel: string; abs: string }[],
  reuse: Map<string, Float32Array>,
  onFile: (done: number, path: string) => void,
  signal?: AbortSignal,
  reread: Set<string> = new Set(),
): Promise<{ changed: number; embedded: number }> {
  const enc = t.opts.encoder;
  const maxTokens = t.opts.maxTokens ?? Math.min(256, (enc?.profile.maxTokens ?? 512) - 2);
  // Each passage is tokenized once: the ids that sized it are the ids embedded (when the
  // tokenizer's ids concatenate; otherwise the encoder tokenizes the passage again).
  const tokenize = enc instanceof Encoder && enc.idsConcatenate ? (s: string) => enc.tokenize(s) : undefined;
  const countTokens = enc && !tokenize ? (s: string) => enc.countTokens(s) : undefined;
  let changed = 0;
  let embedded = 0;
  let done = 0;
  type Pending = { rel: string; hash: string; size: number; mtimeMs: number; chunks: StoredChunk[]; ids: (readonly number[] | null)[] };
  let pending: Pending[] = [];
  let pendingChunks = 0;

  const flush = async () => {
    if (pending.length === 0) return;
    let vectorsByFile: (Float32Array[] | null)[] = pending.map(() => null);
    if (enc) {
      // Passages whose text is unchanged keep their old vector.
      const need: { f: number; c: number; text: string; ids: readonly number[] | null }[] = [];
      const headingIds = new Map<string, readonly number[]>();
      // keywordText is heading + "\n" + text: its ids are the heading's then the passage's.
      const idsOf = (c: StoredChunk, ids: readonly number[] | null): readonly number[] | null => {
        if (!ids || !tokenize) return null;
        if (!c.heading) return ids;
        let h = headingIds.get(c.heading);
        if (!h) headingIds.set(c.heading, (h = tokenize(c.heading)));
        return [...h, ...ids];
      };
      vectorsByFile = pending.map((p, f) =>
        p.chunks.map((c, ci) => {
          const text = keywordText(c);
          const old = reuse.get(text);
          if (old) return old;
          need.push({ f, c: ci, text, ids: idsOf(c, p.ids[ci]) });
          return new Float32Array(0);
        }),
      );
      if (need.length) {
        const vecs = await enc.embed(need.map((n) => n.text), { role: 'passage', signal, ids: need.map((n) => n.ids) });
        need.forEach((n, i) => (vectorsByFile[n.f]![n.c] = vecs[i]));
        embedded += need.length;
      }
    }
    // The batch's notes are logged in one write.
    t.log(...pending.map((p, i): StoreOp => ({ op: 'put', path: p.rel, hash: p.hash, size: p.size, mtimeMs: p.mtimeMs, chunker: CHUNKER_VERSION, chunks: p.chunks, vectors: vectorsByFile[i] })));
    for (const p of pending) {
      changed++;
      onFile(++done, p.rel);
    }
    pending = [];
    pendingChunks = 0;
  };

  // Reads run on the reader's thread, a few batches ahead of the note being chunked.
  const reads = new NoteReads(
    notes.map((n) => n.abs),
    { maxFileBytes: t.opts.walk?.maxFileBytes, guard: { root: t.opts.root, links: t.opts.walk?.links } },
  );
  for (let i = 0; i < notes.length; i++) {
    signal?.throwIfAborted();
    await step(notes[i].rel, await reads.next());
  }
  await flush();
  return { changed, embedded };

  async function step(rel: string, res: ReadResult): Promise<void> {
    if (!res.ok) {
      if (t.state.files.has(rel)) t.log({ op: 'del', path: rel });
      // A note deleted or renamed since the walk is gone, not "unreadable".
      if (res.reason === 'unreadable' && res.detail === 'ENOENT') t.skipped.delete(rel);
      else t.skipped.set(rel, { path: rel, reason: res.reason, detail: res.detail });
      onFile(++done, rel);
      return;
    }
    // A file written within the last 2 s may change again without its mtime moving (coarse
    // clocks, FAT, a save storm): record no mtime, so the next sync re-reads and compares its
    // hash (git's "racily clean" rule).
    const stat = { size: res.size, mtimeMs: res.readAt - res.mtimeMs < 2000 ? -1 : res.mtimeMs };
    t.skipped.delete(rel);
    const rec = t.state.files.get(rel);
    if (rec && rec.hash === res.hash && !reread.has(rel)) {
      // Touched but not changed (e.g. a git checkout): remember the new mtime only.
      if (rec.size !== stat.size || rec.mtimeMs !== stat.mtimeMs) t.log({ op: 'touch', path: rel, size: stat.size, mtimeMs: stat.mtimeMs });
      onFile(++done, rel);
      return;
    }
    for (const [k, v] of t.state.vectorsOf(rel)) reuse.set(k, v);
    const cut = chunkMarkdownWithIds(rel, res.text, { maxTokens, countTokens, tokenize });
    const chunks = cut.chunks.map((c) => ({ ...c, id: t.state.nextId++ }));
    pending.push({ rel, hash: res.hash, size: stat.size, mtimeMs: stat.mtimeMs, chunks, ids: cut.ids });
    pendingChunks += chunks.length;
    if (pendingChunks >= EMBED_BATCH) await flush();
  }
}

/**
 * Index keys are NFC, except for a name whose NFC twin also exists on disk (notePath). The name on
 * disk may be NFD (macOS writes Hangul so; a synced folder keeps it on Linux) while the caller — a
 * watcher, a command — may give either form: read the file by whichever form exists.
 */
export function noteRef(root: string, rel: string): { rel: string; abs: string } {
  const p = notePath(root, rel);
  return { rel: p.key, abs: p.abs };
}
