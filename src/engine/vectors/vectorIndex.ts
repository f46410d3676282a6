// Dense vector index: exact cosine search while the corpus is small (fast enough and perfectly
// accurate), a quantized scan (quantizedScan.ts) once it grows, whose short list is then scored
// exactly. Vectors live here in one contiguous Float32Array: exact scoring, related-passage
// lookups and persistence need them.
import { TopK } from '../util/topK';
import { QuantizedScan, quantizedScanAvailable } from './quantizedScan';

export interface VectorIndexOptions {
  /** Below this many vectors search is exact; at or above it the quantized scan takes over. Default: exactThresholdFor(dims). */
  exactThreshold?: number;
}

export interface VectorHit {
  id: number;
  score: number; // cosine similarity
}

const BLANK_NORM = 1e-6;

/**
 * Largest id the index takes. Chunk ids only grow, so the notes index renumbers them when it
 * compacts long before they get here (see RENUMBER_ABOVE in compaction.ts); ids are held as
 * doubles, so nothing wraps below this.
 */
export const MAX_VECTOR_ID = 0xffff_ffff;
/** Largest id the saved vector file holds (its ids are int32). */
export const MAX_STORED_VECTOR_ID = 0x7fff_ffff;

/**
 * Multiply-adds one exact search may cost before the quantized scan takes over: 12.8M, one pass
 * over 50,000 vectors of 256 dimensions (28,571 of the bilingual model's 448), about 9-12 ms on
 * 2 cores. Below it search is exact (recall 1, nothing extra held in memory).
 */
const EXACT_SEARCH_BUDGET = 12_800_000;

/** How many vectors of `dims` dimensions are searched exactly before the quantized scan takes over. */
export function exactThresholdFor(dims: number): number {
  return Math.max(1, Math.floor(EXACT_SEARCH_BUDGET / dims));
}

/**
 * How many candidates each stage of the scan keeps. The first stage (sign bits) keeps 2 % of the
 * index, at least 2,000 and 50 per result wanted; the second (int8) 40, or 4 per result wanted,
 * which are then scored exactly. On bench/scale.ts' held-out queries (448 dims; chosen there, not
 * on any eval set), recall@10: 0.995 at 100,000 passages with 2,000 (0.987 with 1,000), and
 * 0.989 at 50,000 with 1,000, hence the floor of 2,000.
 */
const FIRST_SHARE = 0.02;
const FIRST_MIN = 2000;
const FIRST_PER_RESULT = 50;
const SECOND_MIN = 40;
const SECOND_PER_RESULT = 4;

export class VectorIndex {
  readonly opts: Required<VectorIndexOptions>;
  private data: Float32Array;
  private norms: Float32Array;
  private slotIds: Float64Array; // chunk id per slot, -1 when free
  private readonly slotOf = new Map<number, number>();
  private readonly freeSlots: number[] = [];
  private used = 0; // slots handed out (live + free)
  /** The quantized scan, from exactThreshold vectors on; null below it or without WebAssembly SIMD. */
  private scan: QuantizedScan | null = null;

  constructor(readonly dims: number, opts: VectorIndexOptions = {}) {
    if (!Number.isInteger(dims) || dims <= 0) throw new Error(`invalid vector dimension ${dims}`);
    this.opts = { exactThreshold: exactThresholdFor(dims), ...opts };
    this.data = new Float32Array(1024 * dims);
    this.norms = new Float32Array(1024);
    this.slotIds = new Float64Array(1024).fill(-1);
  }

  get size(): number {
    return this.slotOf.size;
  }

  /** Bytes the quantized scan holds (0 without it). */
  get scanBytes(): number {
    return this.scan?.bytes ?? 0;
  }

  /** Whether search goes through the quantized scan (else it is exact). */
  get usesScan(): boolean {
    return this.scan !== null;
  }

  has(id: number): boolean {
    return this.slotOf.has(id);
  }

  ids(): IterableIterator<number> {
    return this.slotOf.keys();
  }

  /** A view of the stored vector (do not keep it across add/remove). */
  get(id: number): Float32Array | undefined {
    const slot = this.slotOf.get(id);
    return slot === undefined ? undefined : this.data.subarray(slot * this.dims, (slot + 1) * this.dims);
  }

  add(id: number, vector: Float32Array): void {
    if (vector.length !== this.dims) throw new Error(`vector has ${vector.length} dimensions, index has ${this.dims}`);
    if (!Number.isSafeInteger(id) || id < 0 || id > MAX_VECTOR_ID) throw new RangeError(`vector id ${id} is outside 0…${MAX_VECTOR_ID}`);
    if (this.slotOf.has(id)) this.remove(id);
    const slot = this.freeSlots.pop() ?? this.used++;
    this.ensureCapacity(slot + 1);
    this.data.set(vector, slot * this.dims);
    this.fillSlot(slot, id);
    this.slotOf.set(id, slot);
    if (!this.scan) this.startScan();
    else if (this.norms[slot] >= BLANK_NORM) {
      this.scan.set(slot, vector, this.norms[slot]);
      if (this.scan.needsCalibration) this.calibrateScan();
    }
  }

  /**
   * Loads an empty index in one go from vectors packed in `ids` order (a store's vector file):
   * one bulk copy into storage with the usual room to grow, instead of one add() per vector
   * (the room matters: without it the first edit after a restart paid a copy of everything).
   * Ids repeated or out of range throw, and the index stays empty.
   */
  adopt(ids: Int32Array, data: Float32Array): void {
    if (this.used !== 0) throw new Error('adopt() needs an empty vector index');
    const count = ids.length;
    if (data.length !== count * this.dims) throw new Error(`${data.length} numbers are not ${count} vectors of ${this.dims} dimensions`);
    if (count === 0) return;
    for (let slot = 0; slot < count; slot++) {
      const id = ids[slot];
      if (id < 0 || id > MAX_VECTOR_ID || this.slotOf.has(id)) {
        this.slotOf.clear();
        throw new RangeError(`vector id ${id} is repeated or outside 0…${MAX_VECTOR_ID}`);
      }
      this.slotOf.set(id, slot);
    }
    this.ensureCapacity(count);
    this.data.set(data);
    for (let slot = 0; slot < count; slot++) this.fillSlot(slot, ids[slot]);
    this.used = count;
    this.startScan();
  }

  /** The bookkeeping of a slot whose vector is in place: its norm and id. */
  private fillSlot(slot: number, id: number): void {
    const data = this.data;
    let sum = 0;
    for (let i = slot * this.dims, end = i + this.dims; i < end; i++) sum += data[i] * data[i];
    this.norms[slot] = Math.sqrt(sum);
    this.slotIds[slot] = id;
  }

  remove(id: number): boolean {
    const slot = this.slotOf.get(id);
    if (slot === undefined) return false;
    this.slotOf.delete(id);
    this.slotIds[slot] = -1;
    this.freeSlots.push(slot);
    this.scan?.clear(slot);
    return true;
  }

  /** Whether a stored vector is all zeros (the model read nothing in its passage). */
  isBlank(id: number): boolean {
    const slot = this.slotOf.get(id);
    return slot === undefined || this.norms[slot] < BLANK_NORM;
  }

  /** Cosine of a query with one stored vector; null when it is absent or blank. */
  similarity(query: Float32Array, id: number): number | null {
    const slot = this.slotOf.get(id);
    if (slot === undefined || this.norms[slot] < BLANK_NORM) return null;
    const qn = this.queryNorm(query);
    return qn === 0 ? null : this.dotAt(slot, query) / (this.norms[slot] * qn);
  }

  /** A query's length (its square root of the sum of squares, summed in order). */
  private queryNorm(query: Float32Array): number {
    let qn = 0;
    for (let i = 0; i < this.dims; i++) qn += query[i] * query[i];
    return Math.sqrt(qn);
  }

  /** The dot product of a stored vector (by slot) with a query. */
  private dotAt(slot: number, query: Float32Array): number {
    const d = this.dims;
    const data = this.data;
    let dot = 0;
    for (let i = 0, base = slot * d; i < d; i++) dot += data[base + i] * query[i];
    return dot;
  }

  /**
   * Mean and standard deviation of a vector's cosine with the stored vectors, from an even sample
   * of at most `sample` of them: what "similar" means in this collection, for this vector. A
   * related passage has to stand out from it (cosines of unrelated texts sit anywhere from 0.1
   * to 0.8 depending on the model, so no fixed threshold can say "related"). Only vectors with a
   * positive cosine count.
   */
  typicalSimilarity(query: Float32Array, filter?: (id: number) => boolean, sample = 256): { mean: number; std: number; n: number } {
    const stride = Math.max(1, Math.floor(this.used / sample));
    const qn = this.queryNorm(query);
    if (qn === 0) return { mean: 0, std: 0, n: 0 };
    let n = 0;
    let sum = 0;
    let sumSq = 0;
    for (let slot = 0; slot < this.used; slot += stride) {
      const id = this.slotIds[slot];
      if (id < 0 || this.norms[slot] < BLANK_NORM || (filter && !filter(id))) continue;
      const c = this.dotAt(slot, query) / (this.norms[slot] * qn);
      // Orthogonal vectors share nothing to compare (in the bilingual model, another script's
      // passages sit at exactly 0): counted in, they would drag the mean down and swell the spread.
      if (c <= 0) continue;
      n++;
      sum += c;
      sumSq += c * c;
    }
    const mean = n ? sum / n : 0;
    return { mean, std: n > 1 ? Math.sqrt(Math.max(sumSq / n - mean * mean, 0)) : 0, n };
  }

  /**
   * The k nearest vectors by cosine. Blank (all-zero) vectors are never returned: their cosine
   * with anything is 0 by convention, which would rank passages the model could not read at all
   * above genuinely unrelated ones.
   */
  search(query: Float32Array, k: number, filter?: (id: number) => boolean): VectorHit[] {
    if (k <= 0 || this.size === 0) return [];
    if (!this.scan) return this.exactSearch(query, k, filter, true);
    const first = Math.max(FIRST_MIN, Math.ceil(this.size * FIRST_SHARE), FIRST_PER_RESULT * k);
    // Asked for a large share of the index, the scan would save little.
    if (2 * first >= this.size) return this.exactSearch(query, k, filter, true);
    const slotIds = this.slotIds;
    const slots = this.scan.candidates(query, first, Math.max(SECOND_MIN, SECOND_PER_RESULT * k), filter && ((slot) => filter(slotIds[slot])));
    // The filter turned away most candidates: only an exact search can fill the list.
    if (!slots) return this.exactSearch(query, k, filter, true);
    const qn = this.queryNorm(query);
    const heap = new TopK(k);
    for (const slot of slots) heap.push(slotIds[slot], qn === 0 ? 0 : this.dotAt(slot, query) / (this.norms[slot] * qn));
    return heap.sorted();
  }

  /**
   * Brute-force cosine over every vector: the ground truth the scan is measured against, and
   * the search itself below exactThreshold. One pass over the contiguous array with the dot
   * product in four running sums (V8 keeps them in registers), which is what makes exact
   * search fast enough to need nothing else up to tens of thousands of passages.
   */
  exactSearch(query: Float32Array, k: number, filter?: (id: number) => boolean, skipBlank = false): VectorHit[] {
    const d = this.dims;
    const data = this.data;
    const norms = this.norms;
    const slotIds = this.slotIds;
    const used = this.used;
    let qn = 0;
    for (let i = 0; i < d; i++) qn += query[i] * query[i];
    qn = Math.sqrt(qn);
    const d4 = d - (d % 4);
    const heap = new TopK(k);
    for (let slot = 0, base = 0; slot < used; slot++, base += d) {
      const id = slotIds[slot];
      if (id < 0 || (skipBlank && norms[slot] < BLANK_NORM) || (filter && !filter(id))) continue;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let i = 0;
      for (; i < d4; i += 4) {
        s0 += data[base + i] * query[i];
        s1 += data[base + i + 1] * query[i + 1];
        s2 += data[base + i + 2] * query[i + 2];
        s3 += data[base + i + 3] * query[i + 3];
      }
      for (; i < d; i++) s0 += data[base + i] * query[i];
      const denom = norms[slot] * qn;
      heap.push(id, denom === 0 ? 0 : (s0 + s1 + s2 + s3) / denom);
    }
    return heap.sorted();
  }

  /** Live ids and their vectors packed in id order, for persistence. */
  exportVectors(): { ids: Int32Array; data: Float32Array } {
    const { ids, data } = this.exportVectorParts();
    const vectors = new Float32Array(ids.length * this.dims);
    let at = 0;
    for (const piece of data) {
      vectors.set(piece, at);
      at += piece.length;
    }
    return { ids, data: vectors };
  }

  /**
   * The vectors by ascending id, a few thousand per piece: a snapshot writes them piece by piece
   * instead of copying them all first. Each piece is made when asked for (the index must not
   * change meanwhile).
   */
  exportVectorParts(perPiece = 4096): { ids: Int32Array; data: Iterable<Float32Array> } {
    const sorted = [...this.slotOf.keys()].sort((a, b) => a - b);
    if (sorted.length && sorted[sorted.length - 1] > MAX_STORED_VECTOR_ID) throw new RangeError(`vector id ${sorted[sorted.length - 1]} does not fit the vector file: renumber the passages first`);
    const ids = Int32Array.from(sorted);
    const dims = this.dims;
    const self = this;
    return {
      ids,
      data: (function* () {
        for (let from = 0; from < ids.length; from += perPiece) {
          const to = Math.min(ids.length, from + perPiece);
          const piece = new Float32Array((to - from) * dims);
          for (let i = from; i < to; i++) piece.set(self.get(ids[i])!, (i - from) * dims);
          yield piece;
        }
      })(),
    };
  }

  /** From exactThreshold vectors on: the quantized scan, calibrated on and filled with every vector. */
  private startScan(): void {
    if (this.scan || this.size < this.opts.exactThreshold || !quantizedScanAvailable()) return;
    this.scan = new QuantizedScan(this.dims);
    this.calibrateScan();
  }

  /** Calibrates the scan on the vectors held now (again each time their number doubles). */
  private calibrateScan(): void {
    const norms = this.norms;
    const slotIds = this.slotIds;
    this.scan!.rebuild(this.data, norms, this.used, (slot) => slotIds[slot] >= 0 && norms[slot] >= BLANK_NORM);
  }

  private ensureCapacity(slots: number): void {
    if (slots <= this.norms.length) return;
    let cap = this.norms.length;
    while (cap < slots) cap *= 2;
    const data = new Float32Array(cap * this.dims);
    data.set(this.data);
    this.data = data;
    const norms = new Float32Array(cap);
    norms.set(this.norms);
    this.norms = norms;
    const slotIds = new Float64Array(cap).fill(-1);
    slotIds.set(this.slotIds);
    this.slotIds = slotIds;
  }
}
