// The on-disk index of one notes folder for one model: a snapshot (generation G) plus a
// write-ahead log of every change since. Layout of the store folder:
//   manifest.json     which generation is current, with the size and crc32 of each part
//   gG.meta.json      files (hash, size, mtime, chunk ids) and chunks (text, lines, heading)
//   gG.vectors.bin    [u32 count][u32 dims][i32 ids…][f32 vectors…]
//   gG.bm25.bin       the keyword index (rebuilt from chunk text if damaged)
//   gG.wal            changes since the snapshot (see wal.ts)
//   lock.N            which process writes the folder (see storeLock.ts)
// Parts are written before the manifest that names them, and old ones deleted after, so a crash
// at any point leaves a manifest whose parts are complete. Parts are checked against their crc32
// at open: a damaged store is detected and rebuilt, never trusted.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { crc32 } from 'node:zlib';
import type { Chunk } from '../types';
import { writeFileAtomicSync } from './atomicFile';
import { WriteAheadLog } from './wal';
import { StoreLock, StoreLockedError } from './storeLock';

export { StoreLockedError };

export const STORE_FORMAT = 1;

export interface FileRecord {
  hash: string;
  size: number;
  mtimeMs: number;
  chunkIds: number[];
  /** CHUNKER_VERSION of the chunker that cut the passages (absent: before versions were kept). */
  chunker?: number;
}

export interface StoredChunk extends Chunk {
  id: number;
}

/** One change, as logged and replayed. Vectors travel beside the JSON in the same record. */
export type StoreOp =
  | { op: 'put'; path: string; hash: string; size: number; mtimeMs: number; chunker?: number; chunks: StoredChunk[]; vectors: Float32Array[] | null }
  | { op: 'del'; path: string }
  | { op: 'touch'; path: string; size: number; mtimeMs: number };

interface PartInfo {
  file: string;
  bytes: number;
  crc32: number;
}

interface Manifest {
  format: number;
  fingerprint: string;
  generation: number;
  nextId: number;
  dims: number;
  // Versions before the quantized scan also wrote `graph` (an HNSW graph): ignored, and its file
  // is deleted as a stray.
  parts: { meta: PartInfo; vectors: PartInfo | null; bm25: PartInfo | null } | null;
  wal: string;
}

export interface Snapshot {
  files: Map<string, FileRecord>;
  chunks: StoredChunk[];
  vectors: { ids: Int32Array; data: Float32Array } | null;
  bm25: Buffer | null;
}

export interface OpenedStore {
  store: NoteStore;
  snapshot: Snapshot;
  ops: StoreOp[];
  nextId: number;
  /** Problems found and repaired at open, for the log (one line each). */
  warnings: string[];
}

export interface SnapshotWriter {
  files: Map<string, FileRecord>;
  chunks: Iterable<StoredChunk>;
  /** The vectors in the order of `ids`, in pieces (written as they come). */
  vectors: { ids: Int32Array; data: Iterable<Float32Array> } | null;
  bm25: Buffer | null;
  nextId: number;
}

export class NoteStore {
  private wal: WriteAheadLog | null = null;
  private manifest: Manifest;
  private lock: StoreLock | null = null;

  private constructor(readonly dir: string, manifest: Manifest, readonly readOnly: boolean) {
    this.manifest = manifest;
  }

  get walBytes(): number {
    return this.wal?.bytes ?? 0;
  }

  get snapshotBytes(): number {
    const p = this.manifest.parts;
    if (!p) return 0;
    return [p.meta, p.vectors, p.bm25].reduce((s, x) => s + (x?.bytes ?? 0), 0);
  }

  /**
   * Opens (creating if needed) the store in `dir` for `fingerprint`. A store of another model or
   * format, or a damaged one, is reset and reported in `warnings`.
   */
  static open(dir: string, fingerprint: string, dims: number, opts: { readOnly?: boolean } = {}): OpenedStore {
    const readOnly = opts.readOnly ?? false;
    const warnings: string[] = [];
    if (!readOnly) fs.mkdirSync(dir, { recursive: true });
    const store = new NoteStore(dir, emptyManifest(fingerprint, dims), readOnly);
    if (!readOnly) store.lock = StoreLock.acquire(dir);
    try {
      const loaded = store.load(fingerprint, dims, warnings);
      if (!readOnly) {
        store.wal = WriteAheadLog.openForAppend(path.join(dir, store.manifest.wal), loaded.walValidBytes);
        store.removeStrays();
      }
      return { store, snapshot: loaded.snapshot, ops: loaded.ops, nextId: store.manifest.nextId, warnings };
    } catch (err) {
      store.close();
      throw err;
    }
  }

  /**
   * Logs changes, one record each, in one write. They are durable against a killed process at
   * once, against power loss after sync().
   */
  append(...ops: StoreOp[]): void {
    if (!this.wal) throw new Error('the index store is open read-only');
    this.wal.append(...ops.map(encodeOp));
  }

  sync(): void {
    this.wal?.sync();
  }

  /** Writes a new snapshot generation and starts an empty log. */
  compact(w: SnapshotWriter): void {
    if (this.readOnly) throw new Error('the index store is open read-only');
    const gen = this.manifest.generation + 1;
    const name = (part: string) => `g${gen}.${part}`;
    const written: string[] = [];
    try {
      const metaFile = name('meta.json');
      written.push(metaFile);
      const meta = { file: metaFile, ...writeFileAtomicSync(path.join(this.dir, metaFile), metaJson(w.files, w.chunks)) };
      let vectors: PartInfo | null = null;
      if (w.vectors) {
        const f = name('vectors.bin');
        written.push(f);
        const header = Buffer.alloc(8);
        header.writeUInt32LE(w.vectors.ids.length, 0);
        header.writeUInt32LE(this.manifest.dims, 4);
        vectors = { file: f, ...writeFileAtomicSync(path.join(this.dir, f), vectorParts(header, w.vectors)) };
      }
      let bm25: PartInfo | null = null;
      if (w.bm25) {
        const f = name('bm25.bin');
        written.push(f);
        bm25 = { file: f, ...writeFileAtomicSync(path.join(this.dir, f), w.bm25) };
      }
      const walName = name('wal');
      written.push(walName);
      fs.writeFileSync(path.join(this.dir, walName), '');
      const next: Manifest = { ...this.manifest, generation: gen, nextId: w.nextId, parts: { meta, vectors, bm25 }, wal: walName };
      writeFileAtomicSync(path.join(this.dir, 'manifest.json'), JSON.stringify(next, null, 1));
      this.manifest = next;
    } catch (err) {
      // Disk full or I/O error: the old manifest still names complete parts; drop the new ones.
      for (const f of written) fs.rmSync(path.join(this.dir, f), { force: true });
      throw err;
    }
    this.wal?.close();
    this.wal = WriteAheadLog.openForAppend(path.join(this.dir, this.manifest.wal), 0);
    this.removeStrays();
  }

  close(): void {
    try {
      this.wal?.sync();
    } catch {
      /* closing anyway */
    }
    this.wal?.close();
    this.wal = null;
    this.lock?.release();
    this.lock = null;
  }

  private load(fingerprint: string, dims: number, warnings: string[]): { snapshot: Snapshot; ops: StoreOp[]; walValidBytes: number } {
    const empty: Snapshot = { files: new Map(), chunks: [], vectors: null, bm25: null };
    const manifestFile = path.join(this.dir, 'manifest.json');
    let m: Manifest;
    try {
      m = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as Manifest;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') warnings.push(`index manifest is unreadable (${(err as Error).message}); rebuilding the index`);
      this.reset(fingerprint, dims);
      return { snapshot: empty, ops: [], walValidBytes: 0 };
    }
    if (m.format !== STORE_FORMAT || m.fingerprint !== fingerprint || m.dims !== dims || typeof m.wal !== 'string') {
      if (m.format !== STORE_FORMAT || m.fingerprint !== fingerprint) warnings.push('index was built by another version or model; rebuilding it');
      else warnings.push('index manifest is inconsistent; rebuilding the index');
      this.reset(fingerprint, dims);
      return { snapshot: empty, ops: [], walValidBytes: 0 };
    }
    this.manifest = m;
    const snapshot: Snapshot = { ...empty, files: new Map() };
    if (m.parts) {
      try {
        const meta = JSON.parse(this.readPart(m.parts.meta).toString('utf8')) as { files: Record<string, FileRecord>; chunks: [number, string, number, number, string, string][] };
        snapshot.files = new Map(Object.entries(meta.files));
        snapshot.chunks = meta.chunks.map(([id, p, startLine, endLine, heading, text]) => ({ id, path: p, startLine, endLine, heading, text }));
      } catch (err) {
        warnings.push(`index files are damaged (${(err as Error).message}); rebuilding the index`);
        this.reset(fingerprint, dims);
        return { snapshot: empty, ops: [], walValidBytes: 0 };
      }
      if (m.parts.vectors) {
        // The passages and their text survive a damaged vector file: keyword search keeps
        // answering, and the next sync embeds the passages that have no vector.
        try {
          snapshot.vectors = decodeVectors(this.readPart(m.parts.vectors), dims);
        } catch (err) {
          warnings.push(`stored vectors are damaged (${(err as Error).message}); the passages are embedded again`);
        }
      }
      if (m.parts.bm25) {
        try {
          snapshot.bm25 = this.readPart(m.parts.bm25);
        } catch (err) {
          warnings.push(`keyword index is damaged (${(err as Error).message}); rebuilding it from the stored text`);
        }
      }
    }
    const log = WriteAheadLog.read(path.join(this.dir, m.wal));
    if (log.tornBytes > 0) warnings.push(`dropped ${log.tornBytes} bytes of an unfinished change at the end of the index log (the process was stopped mid-write)`);
    const ops: StoreOp[] = [];
    for (const rec of log.records) {
      try {
        ops.push(decodeOp(rec, dims));
      } catch (err) {
        warnings.push(`index log record is unreadable (${(err as Error).message}); later changes will be re-indexed`);
        return { snapshot, ops, walValidBytes: log.validBytes };
      }
    }
    return { snapshot, ops, walValidBytes: log.validBytes };
  }

  private readPart(p: PartInfo): Buffer {
    const buf = fs.readFileSync(path.join(this.dir, p.file));
    if (buf.length !== p.bytes) throw new Error(`${p.file} has ${buf.length} bytes, expected ${p.bytes}`);
    if (crc32(buf) !== p.crc32) throw new Error(`${p.file} fails its checksum`);
    return buf;
  }

  private reset(fingerprint: string, dims: number): void {
    this.manifest = emptyManifest(fingerprint, dims);
    if (this.readOnly) return;
    // Only our own files: never delete anything else a user may have put in the folder.
    for (const f of fs.readdirSync(this.dir)) {
      if (f === 'manifest.json' || /^g\d+\./.test(f) || f.includes('.tmp-')) fs.rmSync(path.join(this.dir, f), { force: true });
    }
    writeFileAtomicSync(path.join(this.dir, 'manifest.json'), JSON.stringify(this.manifest, null, 1));
  }

  /** Deletes files of older generations and temp files left by a killed process. */
  private removeStrays(): void {
    const p = this.manifest.parts;
    const keep = new Set(['manifest.json', this.manifest.wal, p?.meta.file, p?.vectors?.file, p?.bm25?.file]);
    for (const f of fs.readdirSync(this.dir)) {
      if (!keep.has(f) && (/^g\d+\./.test(f) || f.includes('.tmp-'))) fs.rmSync(path.join(this.dir, f), { force: true });
    }
  }
}

function emptyManifest(fingerprint: string, dims: number): Manifest {
  return { format: STORE_FORMAT, fingerprint, generation: 0, nextId: 1, dims, parts: null, wal: 'g0.wal' };
}

function u8(a: Int32Array | Float32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

function decodeVectors(buf: Buffer, dims: number): { ids: Int32Array; data: Float32Array } {
  const count = buf.readUInt32LE(0);
  if (buf.readUInt32LE(4) !== dims || buf.length !== 8 + count * 4 + count * dims * 4) throw new Error('vector file has the wrong shape');
  // Both arrays start at a multiple of 4 bytes into the file, so when the buffer itself is
  // 4-aligned (a file read whole has its own memory at offset 0) they are views, not copies
  // (the vector index copies them once, into storage with room to grow).
  if (buf.byteOffset % 4 === 0) {
    return { ids: new Int32Array(buf.buffer, buf.byteOffset + 8, count), data: new Float32Array(buf.buffer, buf.byteOffset + 8 + count * 4, count * dims) };
  }
  const ids = new Int32Array(count);
  new Uint8Array(ids.buffer).set(buf.subarray(8, 8 + count * 4));
  const data = new Float32Array(count * dims);
  new Uint8Array(data.buffer).set(buf.subarray(8 + count * 4));
  return { ids, data };
}

/** Rows of the meta file's JSON per piece written. */
const META_ROWS_PER_PART = 2000;

/**
 * The meta file, `{"files":{…},"chunks":[[id, path, startLine, endLine, heading, text], …]}`, in
 * pieces: the same bytes JSON.stringify would give for the whole, never held whole.
 */
function* metaJson(files: Map<string, FileRecord>, chunks: Iterable<StoredChunk>): Generator<Uint8Array> {
  const rows = function* <T>(head: string, items: Iterable<T>, row: (x: T) => string, tail: string): Generator<Uint8Array> {
    let part: string[] = [];
    let sep = '';
    yield Buffer.from(head);
    for (const x of items) {
      part.push(row(x));
      if (part.length === META_ROWS_PER_PART) {
        yield Buffer.from(sep + part.join(','));
        sep = ',';
        part = [];
      }
    }
    if (part.length) yield Buffer.from(sep + part.join(','));
    yield Buffer.from(tail);
  };
  yield* rows('{"files":{', files, ([p, rec]) => `${JSON.stringify(p)}:${JSON.stringify(rec)}`, '},');
  yield* rows('"chunks":[', chunks, (c) => JSON.stringify([c.id, c.path, c.startLine, c.endLine, c.heading, c.text]), ']}');
}

function* vectorParts(header: Buffer, v: { ids: Int32Array; data: Iterable<Float32Array> }): Generator<Uint8Array> {
  yield header;
  yield u8(v.ids);
  for (const piece of v.data) yield u8(piece);
}

function encodeOp(op: StoreOp): Buffer {
  const { vectors, ...rest } = op as StoreOp & { vectors?: Float32Array[] | null };
  const json = Buffer.from(JSON.stringify({ ...rest, hasVectors: !!vectors }));
  const head = Buffer.alloc(4);
  head.writeUInt32LE(json.length, 0);
  const parts: Uint8Array[] = [head, json];
  for (const v of vectors ?? []) parts.push(u8(v));
  return Buffer.concat(parts);
}

function decodeOp(buf: Buffer, dims: number): StoreOp {
  const jsonLen = buf.readUInt32LE(0);
  const obj = JSON.parse(buf.subarray(4, 4 + jsonLen).toString('utf8')) as StoreOp & { hasVectors?: boolean };
  if (obj.op === 'put') {
    let vectors: Float32Array[] | null = null;
    if (obj.hasVectors) {
      const raw = buf.subarray(4 + jsonLen);
      if (raw.length !== obj.chunks.length * dims * 4) throw new Error('vector payload has the wrong size');
      const all = new Float32Array(obj.chunks.length * dims);
      new Uint8Array(all.buffer).set(raw);
      vectors = obj.chunks.map((_, i) => all.subarray(i * dims, (i + 1) * dims));
    }
    return { op: 'put', path: obj.path, hash: obj.hash, size: obj.size, mtimeMs: obj.mtimeMs, chunker: obj.chunker, chunks: obj.chunks, vectors };
  }
  if (obj.op === 'del' || obj.op === 'touch') return obj;
  throw new Error(`unknown change "${(obj as { op: string }).op}"`);
}
