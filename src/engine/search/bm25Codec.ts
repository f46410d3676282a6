// The keyword index's binary form, for the store: its own file and its own format version, so
// that changing the layout is one change here and changing the index's logic never touches it.
//
// Format 3. Header, 44 bytes little-endian: magic "SNB1", format version, analyzer (tokenizer)
// version, k1 (f64), b (f64), document count, term count, total byte length, word count. Then per
// document LEB128 id and length; per term the UTF-8 term (LEB128 byte length first), its df, and
// df pairs of (document-index gap, tf); then the word dictionary in sorted order, front-coded:
// per word the length of the prefix it shares with the previous word (UTF-16 units), the rest as
// a UTF-8 string, and the index of its term; finally a CRC-32 of everything before it.
// Older formats (1: fixed-width postings, no checksum; 2: no word dictionary) are not read: the
// store rebuilds the keyword index from the stored passage text.
import * as zlib from 'node:zlib';

const MAGIC = 0x31424e53; // bytes "SNB1"
export const BM25_FORMAT_VERSION = 3;
const HEADER_BYTES = 44;
const MAX_ID = Number.MAX_SAFE_INTEGER;

/** What encodeBm25 writes: documents in index order, live terms, and the word dictionary. */
export interface Bm25Encodable {
  k1: number;
  b: number;
  analyzerVersion: number;
  docIds: number[];
  docLens: number[];
  terms: string[];
  dfs: number[];
  livePairs: number;
  /** Calls visit(document index, tf) for term i's postings, by ascending document index. */
  forEachPosting(i: number, visit: (doc: number, tf: number) => void): void;
  /** [surface word, index of its term in `terms`] */
  words: [string, number][];
}

export interface Bm25Decoded {
  k1: number;
  b: number;
  docIds: number[];
  docLens: number[];
  terms: string[];
  /** Per term: (document index, tf) pairs, by ascending document index. */
  postings: Int32Array[];
  words: [string, number][];
}

export function encodeBm25(c: Bm25Encodable): Buffer {
  const w = new ByteWriter(64 + c.livePairs * 3 + c.docIds.length * 6);
  w.skip(HEADER_BYTES);
  for (let i = 0; i < c.docIds.length; i++) {
    w.varint(c.docIds[i]);
    w.varint(c.docLens[i]);
  }
  for (let t = 0; t < c.terms.length; t++) {
    const df = c.dfs[t];
    w.string(c.terms[t]);
    w.varint(df);
    let prev = -1;
    let written = 0;
    c.forEachPosting(t, (doc, tf) => {
      w.varint(doc - prev - 1);
      w.varint(tf);
      prev = doc;
      written++;
    });
    if (written !== df) throw new Error(`BM25 index is inconsistent: term "${c.terms[t]}" has df ${df} but ${written} live postings`);
  }
  const words = [...c.words].sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
  let prev = '';
  for (const [surface, at] of words) {
    const shared = sharedPrefix(prev, surface);
    w.varint(shared);
    w.string(surface.slice(shared));
    w.varint(at);
    prev = surface;
  }
  const buf = w.finish();
  buf.writeUInt32LE(MAGIC, 0);
  buf.writeUInt32LE(BM25_FORMAT_VERSION, 4);
  buf.writeUInt32LE(c.analyzerVersion, 8);
  buf.writeDoubleLE(c.k1, 12);
  buf.writeDoubleLE(c.b, 20);
  buf.writeUInt32LE(c.docIds.length, 28);
  buf.writeUInt32LE(c.terms.length, 32);
  buf.writeUInt32LE(buf.length, 36); // total length including the trailing checksum
  buf.writeUInt32LE(words.length, 40);
  buf.writeUInt32LE(crc32(buf.subarray(0, buf.length - 4)), buf.length - 4);
  return buf;
}

/**
 * Reads what encodeBm25 wrote and checks every count, order and bound. Throws an Error starting
 * "keyword index data is damaged" (or "…was written…" for another format or analyzer version).
 */
export function decodeBm25(data: Buffer | Uint8Array, analyzerVersion: number): Bm25Decoded {
  const fail = (why: string): never => {
    throw new Error(`keyword index data is damaged (${why})`);
  };
  if (!(data instanceof Uint8Array)) fail('not a buffer');
  const buf = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (buf.length < HEADER_BYTES + 4) fail(`only ${buf.length} bytes`);
  if (buf.readUInt32LE(0) !== MAGIC) fail('bad magic number');
  const version = buf.readUInt32LE(4);
  if (version !== BM25_FORMAT_VERSION) throw new Error(`keyword index data was written in format ${version}; this version reads format ${BM25_FORMAT_VERSION}`);
  const total = buf.readUInt32LE(36);
  if (total > buf.length) fail(`truncated: ${buf.length} of ${total} bytes`);
  if (total < buf.length) fail(`${buf.length - total} unexpected trailing bytes`);
  if (crc32(buf.subarray(0, total - 4)) !== buf.readUInt32LE(total - 4)) fail('checksum mismatch');
  const tokVersion = buf.readUInt32LE(8);
  if (tokVersion !== analyzerVersion) throw new Error(`keyword index data was written by tokenizer version ${tokVersion}; this version tokenizes as ${analyzerVersion}, so it must be rebuilt`);
  const k1 = buf.readDoubleLE(12);
  const b = buf.readDoubleLE(20);
  if (!(Number.isFinite(k1) && k1 >= 0 && Number.isFinite(b) && b >= 0 && b <= 1)) fail('bad parameters');
  const docCount = buf.readUInt32LE(28);
  const termCount = buf.readUInt32LE(32);
  const wordCount = buf.readUInt32LE(40);
  const end = total - 4;
  // Every document takes ≥ 2 bytes, every term ≥ 4, every word ≥ 3: reject lying counts before
  // allocating.
  if (docCount * 2 + termCount * 4 + wordCount * 3 > end - HEADER_BYTES) fail('counts exceed the data');

  const r = new ByteReader(buf, HEADER_BYTES, end, fail);
  const docIds: number[] = new Array(docCount);
  const docLens: number[] = new Array(docCount);
  const seenIds = new Set<number>();
  for (let i = 0; i < docCount; i++) {
    const id = r.varint();
    const len = r.varint();
    if (len > 0x7fffffff) fail('document length out of range');
    if (seenIds.has(id)) fail(`duplicate document id ${id}`);
    seenIds.add(id);
    docIds[i] = id;
    docLens[i] = len;
  }
  const tfSum = new Float64Array(docCount);
  const terms: string[] = [];
  const seenTerms = new Set<string>();
  const postings: Int32Array[] = [];
  for (let t = 0; t < termCount; t++) {
    const term = r.string();
    if (term.length === 0) fail('empty term');
    if (seenTerms.has(term)) fail(`duplicate term "${term}"`);
    seenTerms.add(term);
    const df = r.varint();
    if (df < 1 || df > docCount) fail(`term "${term}" has ${df} postings for ${docCount} documents`);
    const pairs = new Int32Array(df * 2);
    let di = -1;
    for (let i = 0; i < df; i++) {
      di += r.varint() + 1;
      const tf = r.varint();
      if (di >= docCount) fail('posting points past the last document');
      if (tf < 1 || tf > 0x7fffffff) fail('term frequency out of range');
      pairs[i * 2] = di;
      pairs[i * 2 + 1] = tf;
      tfSum[di] += tf;
    }
    terms.push(term);
    postings.push(pairs);
  }
  const words: [string, number][] = [];
  let prev = '';
  for (let i = 0; i < wordCount; i++) {
    const shared = r.varint();
    if (shared > prev.length) fail('word shares more than the previous word has');
    const surface = prev.slice(0, shared) + r.string();
    if (i > 0 && !(surface > prev)) fail('words out of order');
    const at = r.varint();
    if (at >= termCount) fail('word points past the last term');
    words.push([surface, at]);
    prev = surface;
  }
  if (r.offset !== end) fail(`${end - r.offset} bytes left after the last word`);
  for (let i = 0; i < docCount; i++) if (tfSum[i] !== docLens[i]) fail(`document ${docIds[i]}: length ${docLens[i]} disagrees with its postings`);
  return { k1, b, docIds, docLens, terms, postings, words };
}

class ByteWriter {
  private buf: Buffer;
  private pos = 0;
  constructor(capacity: number) {
    this.buf = Buffer.allocUnsafe(Math.max(64, capacity));
  }
  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }
  skip(n: number): void {
    this.ensure(n);
    this.buf.fill(0, this.pos, this.pos + n);
    this.pos += n;
  }
  /** LEB128 of a non-negative safe integer. */
  varint(v: number): void {
    this.ensure(8);
    const b = this.buf;
    while (v > 0x7f) {
      b[this.pos++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    b[this.pos++] = v;
  }
  string(s: string): void {
    const len = Buffer.byteLength(s, 'utf8');
    this.varint(len);
    this.ensure(len);
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }
  finish(): Buffer {
    this.ensure(4);
    this.pos += 4; // checksum
    if (this.pos > 0xffffffff) throw new Error('keyword index is too large to serialize (over 4 GiB)');
    return this.buf.subarray(0, this.pos);
  }
}

class ByteReader {
  constructor(
    private readonly buf: Buffer,
    public offset: number,
    private readonly end: number,
    private readonly fail: (why: string) => never,
  ) {}
  varint(): number {
    let v = 0;
    let mul = 1;
    for (;;) {
      if (this.offset >= this.end) this.fail('truncated number');
      const byte = this.buf[this.offset++];
      v += (byte & 0x7f) * mul;
      if (byte < 0x80) break;
      mul *= 128;
      if (mul > 2 ** 49) this.fail('number too long');
    }
    if (v > MAX_ID) this.fail('number out of range');
    return v;
  }
  string(): string {
    const len = this.varint();
    if (len > this.end - this.offset) this.fail('truncated term');
    const s = this.buf.toString('utf8', this.offset, this.offset + len);
    this.offset += len;
    return s;
  }
}

/** Length of the common prefix of two strings, never ending inside a surrogate pair. */
function sharedPrefix(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i > 0) {
    const c = a.charCodeAt(i - 1);
    if (c >= 0xd800 && c <= 0xdbff) i--;
  }
  return i;
}

let crcTable: Int32Array | null = null;

/** CRC-32 (IEEE): zlib's when Node has it (≥ 20.15), else a table-driven fallback. */
function crc32(data: Uint8Array): number {
  const native = (zlib as { crc32?: (d: Uint8Array) => number }).crc32;
  if (typeof native === 'function') return native(data) >>> 0;
  if (!crcTable) {
    crcTable = new Int32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c;
    }
  }
  let c = -1;
  for (let i = 0; i < data.length; i++) c = crcTable[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}
