// Okapi BM25 over an inverted index, written here rather than taken from a library because the
// notes index needs what none of them offer together: adding and removing single passages with
// statistics that stay exact, a compact binary form for the store, and our Korean-aware
// tokenizer. (MiniSearch, the engine of Obsidian's Omnisearch, is our benchmark peer.)
//
// Postings are growable Int32Array pairs (doc slot, term frequency). A removed passage is marked
// dead and its document frequencies are decremented at once, so scores equal a fresh index;
// its postings are swept out lazily when dead entries pass a quarter of the total.
import { tokenize } from './tokenize';

export interface Bm25Options {
  k1?: number;
  b?: number;
}

/** Tuned on the SciFact train split (see bench/), close to Anserini's BEIR run (0.9, 0.4). */
export const BM25_DEFAULTS = { k1: 0.9, b: 0.4 };

const MAGIC = 0x31424e53; // "SNB1"
const VERSION = 1;

class Postings {
  data = new Int32Array(8); // slot, tf, slot, tf, …
  length = 0; // in pairs
  push(slot: number, tf: number): void {
    if ((this.length + 1) * 2 > this.data.length) {
      const d = new Int32Array(this.data.length * 2);
      d.set(this.data);
      this.data = d;
    }
    this.data[this.length * 2] = slot;
    this.data[this.length * 2 + 1] = tf;
    this.length++;
  }
}

export class Bm25Index {
  readonly k1: number;
  readonly b: number;
  private readonly termIds = new Map<string, number>();
  private terms: string[] = [];
  private postings: Postings[] = [];
  private df: number[] = [];
  private slotOf = new Map<number, number>();
  private slotDoc: number[] = [];
  private slotLen: number[] = []; // -1 = dead slot
  private slotTerms: (Int32Array | null)[] = [];
  private totalLen = 0;
  private dead = 0;
  private livePairs = 0;
  private deadPairs = 0;
  private scores = new Float64Array(0);

  constructor(opts: Bm25Options = {}) {
    this.k1 = opts.k1 ?? BM25_DEFAULTS.k1;
    this.b = opts.b ?? BM25_DEFAULTS.b;
  }

  get size(): number {
    return this.slotOf.size;
  }

  has(id: number): boolean {
    return this.slotOf.has(id);
  }

  add(id: number, text: string): void {
    this.addTokens(id, tokenize(text));
  }

  remove(id: number): boolean {
    const slot = this.slotOf.get(id);
    if (slot === undefined) return false;
    this.slotOf.delete(id);
    this.totalLen -= this.slotLen[slot];
    this.slotLen[slot] = -1;
    const terms = this.slotTerms[slot]!;
    for (const t of terms) this.df[t]--;
    this.livePairs -= terms.length;
    this.deadPairs += terms.length;
    this.slotTerms[slot] = null;
    this.dead++;
    if (this.deadPairs > 1024 && this.deadPairs > this.livePairs / 3) this.sweep();
    return true;
  }

  search(query: string, k: number, filter?: (id: number) => boolean): Array<{ id: number; score: number }> {
    const n = this.size;
    if (n === 0 || k <= 0) return [];
    const qTerms = [...new Set(tokenize(query))].map((t) => this.termIds.get(t)).filter((t): t is number => t !== undefined);
    if (qTerms.length === 0) return [];
    if (this.scores.length < this.slotDoc.length) this.scores = new Float64Array(this.slotDoc.length * 2);
    const scores = this.scores;
    const touched: number[] = [];
    const avgdl = this.totalLen / n || 1;
    const { k1, b } = this;
    for (const t of qTerms) {
      const df = this.df[t];
      if (df <= 0) continue;
      const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
      const p = this.postings[t];
      const d = p.data;
      for (let i = 0; i < p.length; i++) {
        const slot = d[i * 2];
        const len = this.slotLen[slot];
        if (len < 0) continue;
        const tf = d[i * 2 + 1];
        if (scores[slot] === 0) touched.push(slot);
        scores[slot] += (idf * tf * (k1 + 1)) / (tf + k1 * (1 - b + (b * len) / avgdl));
      }
    }
    const heap: { id: number; score: number }[] = [];
    for (const slot of touched) {
      const score = scores[slot];
      scores[slot] = 0;
      const id = this.slotDoc[slot];
      if (filter && !filter(id)) continue;
      heapPush(heap, { id, score }, k);
    }
    return heap.sort((a, b) => b.score - a.score || a.id - b.id);
  }

  serialize(): Buffer {
    // Layout: magic, version, k1, b, docCount, termCount, then per doc (id, length), then per
    // term (utf8 byte length, bytes, posting count, (doc index, tf)…). Dead entries are dropped.
    const live = [...this.slotOf.entries()].sort((a, b) => a[0] - b[0]);
    const docIndex = new Map<number, number>();
    live.forEach(([, slot], i) => docIndex.set(slot, i));
    const chunks: Buffer[] = [];
    const head = Buffer.alloc(32);
    head.writeUInt32LE(MAGIC, 0);
    head.writeUInt32LE(VERSION, 4);
    head.writeDoubleLE(this.k1, 8);
    head.writeDoubleLE(this.b, 16);
    head.writeUInt32LE(live.length, 24);
    const docs = Buffer.alloc(live.length * 8);
    live.forEach(([id, slot], i) => {
      docs.writeInt32LE(id, i * 8);
      docs.writeInt32LE(this.slotLen[slot], i * 8 + 4);
    });
    let termCount = 0;
    for (let t = 0; t < this.terms.length; t++) {
      if (this.df[t] <= 0) continue;
      const bytes = Buffer.from(this.terms[t], 'utf8');
      const p = this.postings[t];
      const pairs: number[] = [];
      for (let i = 0; i < p.length; i++) {
        const di = docIndex.get(p.data[i * 2]);
        if (di !== undefined) pairs.push(di, p.data[i * 2 + 1]);
      }
      const rec = Buffer.alloc(8 + bytes.length + pairs.length * 4);
      rec.writeUInt32LE(bytes.length, 0);
      bytes.copy(rec, 4);
      rec.writeUInt32LE(pairs.length / 2, 4 + bytes.length);
      pairs.forEach((v, i) => rec.writeInt32LE(v, 8 + bytes.length + i * 4));
      chunks.push(rec);
      termCount++;
    }
    head.writeUInt32LE(termCount, 28);
    return Buffer.concat([head, docs, ...chunks]);
  }

  static deserialize(buf: Buffer): Bm25Index {
    const fail = (why: string): never => {
      throw new Error(`keyword index data is damaged (${why})`);
    };
    if (buf.length < 32) fail('too short');
    if (buf.readUInt32LE(0) !== MAGIC) fail('bad magic');
    if (buf.readUInt32LE(4) !== VERSION) fail(`unknown version ${buf.readUInt32LE(4)}`);
    const k1 = buf.readDoubleLE(8);
    const b = buf.readDoubleLE(16);
    if (!(k1 >= 0 && k1 < 100 && b >= 0 && b <= 1)) fail('bad parameters');
    const docCount = buf.readUInt32LE(24);
    const termCount = buf.readUInt32LE(28);
    let off = 32;
    if (off + docCount * 8 > buf.length) fail('document table truncated');
    const idx = new Bm25Index({ k1, b });
    const ids: number[] = [];
    const lens: number[] = [];
    for (let i = 0; i < docCount; i++) {
      ids.push(buf.readInt32LE(off));
      lens.push(buf.readInt32LE(off + 4));
      if (lens[i] < 0) fail('negative length');
      off += 8;
    }
    const termsOf: number[][] = ids.map(() => []);
    const tfs: number[][] = ids.map(() => []);
    for (let t = 0; t < termCount; t++) {
      if (off + 4 > buf.length) fail('term table truncated');
      const len = buf.readUInt32LE(off);
      if (off + 8 + len > buf.length) fail('term truncated');
      const term = buf.toString('utf8', off + 4, off + 4 + len);
      const count = buf.readUInt32LE(off + 4 + len);
      off += 8 + len;
      if (off + count * 8 > buf.length) fail('postings truncated');
      for (let i = 0; i < count; i++) {
        const di = buf.readInt32LE(off);
        const tf = buf.readInt32LE(off + 4);
        if (di < 0 || di >= docCount || tf <= 0) fail('posting out of range');
        termsOf[di].push(t);
        tfs[di].push(tf);
        off += 8;
      }
      idx.internTerm(term);
    }
    if (off !== buf.length) fail('trailing bytes');
    for (let i = 0; i < docCount; i++) {
      const sum = tfs[i].reduce((s, x) => s + x, 0);
      if (sum !== lens[i]) fail('lengths disagree with postings');
      idx.addCounts(ids[i], termsOf[i], tfs[i], lens[i]);
    }
    return idx;
  }

  private addTokens(id: number, tokens: string[]): void {
    if (this.slotOf.has(id)) this.remove(id);
    const counts = new Map<number, number>();
    for (const tok of tokens) {
      const t = this.internTerm(tok);
      counts.set(t, (counts.get(t) ?? 0) + 1);
    }
    this.addCounts(id, [...counts.keys()], [...counts.values()], tokens.length);
  }

  private addCounts(id: number, termIds: number[], tfs: number[], len: number): void {
    if (this.slotOf.has(id)) this.remove(id);
    const slot = this.slotDoc.length;
    this.slotDoc.push(id);
    this.slotLen.push(len);
    this.slotTerms.push(Int32Array.from(termIds));
    this.slotOf.set(id, slot);
    this.totalLen += len;
    termIds.forEach((t, i) => {
      this.postings[t].push(slot, tfs[i]);
      this.df[t]++;
    });
    this.livePairs += termIds.length;
  }

  private internTerm(term: string): number {
    let t = this.termIds.get(term);
    if (t === undefined) {
      t = this.terms.length;
      this.termIds.set(term, t);
      this.terms.push(term);
      this.postings.push(new Postings());
      this.df.push(0);
    }
    return t;
  }

  /** Rewrites postings and slots without dead entries. */
  private sweep(): void {
    const remap = new Int32Array(this.slotDoc.length).fill(-1);
    const slotDoc: number[] = [];
    const slotLen: number[] = [];
    const slotTerms: (Int32Array | null)[] = [];
    for (let s = 0; s < this.slotDoc.length; s++) {
      if (this.slotLen[s] < 0) continue;
      remap[s] = slotDoc.length;
      slotDoc.push(this.slotDoc[s]);
      slotLen.push(this.slotLen[s]);
      slotTerms.push(this.slotTerms[s]);
    }
    for (const p of this.postings) {
      let w = 0;
      for (let i = 0; i < p.length; i++) {
        const ns = remap[p.data[i * 2]];
        if (ns < 0) continue;
        p.data[w * 2] = ns;
        p.data[w * 2 + 1] = p.data[i * 2 + 1];
        w++;
      }
      p.length = w;
    }
    this.slotDoc = slotDoc;
    this.slotLen = slotLen;
    this.slotTerms = slotTerms;
    this.slotOf = new Map(slotDoc.map((id, s) => [id, s]));
    this.dead = 0;
    this.deadPairs = 0;
  }
}

/** Keeps the k best in a min-heap (by score, then larger id is worse). */
function heapPush(heap: { id: number; score: number }[], e: { id: number; score: number }, k: number): void {
  const worse = (a: { id: number; score: number }, b: { id: number; score: number }) => a.score < b.score || (a.score === b.score && a.id > b.id);
  if (heap.length < k) {
    heap.push(e);
    let i = heap.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!worse(heap[i], heap[p])) break;
      [heap[i], heap[p]] = [heap[p], heap[i]];
      i = p;
    }
    return;
  }
  if (!worse(heap[0], e)) return;
  heap[0] = e;
  let i = 0;
  for (;;) {
    const l = 2 * i + 1, r = l + 1;
    let m = i;
    if (l < heap.length && worse(heap[l], heap[m])) m = l;
    if (r < heap.length && worse(heap[r], heap[m])) m = r;
    if (m === i) return;
    [heap[i], heap[m]] = [heap[m], heap[i]];
    i = m;
  }
}
