// Approximate nearest-neighbour search for large vector indexes: every vector is scanned, but in
// compact quantized forms, and only a short list is scored exactly (by VectorIndex).
//
//   1. Sign bits: each dimension of the unit vector minus the collection's mean, 1 bit. A query
//      scores all of them with its own values unquantized on that side ("asymmetric": far better
//      than comparing bits with bits), through 16-entry tables per 4 dimensions looked up 16
//      vectors at a time (scanKernels.wat: fastScan, the "fast scan" of Faiss' 4-bit codes).
//      The best `first` (about 2 %) go on.
//   2. int8: each dimension scaled by the collection's largest magnitude in it; the survivors are
//      scored by an int8 × int16 dot product (int8Dot) and the best `second` go on.
//   3. VectorIndex scores those with the float vectors: the final order is exact cosine.
//
// Why not a graph (HNSW, which this replaced): on held-out queries at 100,000 passages (448
// dimensions, bench/scale.ts) hnswlib needed ef ≈ 2,000 for recall@10 0.99, about 6-8 ms against
// 35 ms for exact search, after a build of over 3 minutes and with 2 KB a passage (its own copy of
// the vectors plus links). This scan has nothing to build (quantizing 100,000 vectors takes about
// 0.7 s at load), holds under 0.7 KB a passage, and finds 0.995 of the true top 10 in about
// 1.4 ms, most of it one pass over 5.6 MB of bits. A graph's misses were short, odd queries far
// from every passage (held-out headings: 0.974); a scan has no such blind spot (0.994).
import { TopK } from '../util/topK';
import { SCAN_KERNELS_WASM } from './scanKernels';

// The libraries this project compiles against (ES2022, no DOM) declare no WebAssembly: the part used.
declare namespace WebAssembly {
  class Module {
    constructor(bytes: Uint8Array);
  }
  class Instance {
    constructor(module: Module, imports: object);
    readonly exports: unknown;
  }
  class Memory {
    constructor(descriptor: { initial: number });
    readonly buffer: ArrayBuffer;
  }
}

interface Kernels {
  fastScan(codes: number, blocks: number, positions: number, tables: number, masks: number, out: number): void;
  histogram(scores: number, n: number, hist: number): void;
  gather(scores: number, n: number, threshold: number, out: number): number;
  int8Dot(rows: number, stride: number, slots: number, count: number, query: number, out: number): void;
}

/** Where each region sits in the WebAssembly memory (byte offsets). */
interface Layout {
  codes: number;
  masks: number;
  rows: number;
  tables: number;
  query: number;
  hist: number;
  slots: number;
  out: number;
  end: number;
}

let compiled: WebAssembly.Module | null | undefined;

/** The compiled kernels, or null where WebAssembly SIMD is missing (search then stays exact). */
function kernelModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    try {
      compiled = new WebAssembly.Module(Buffer.from(SCAN_KERNELS_WASM, 'base64'));
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

export function quantizedScanAvailable(): boolean {
  return kernelModule() !== null;
}

/** Largest table entry: two (a byte's two nibbles) must add up within a byte. */
const TABLE_MAX = 127;
/** The int16 query's largest magnitude: 4,095 × 127 × dims/4 per lane stays far below 2^31. */
const QUERY_MAX = 4095;

export class QuantizedScan {
  /** Bytes of sign bits per vector; the fast scan walks this many positions. */
  private readonly positions: number;
  /** Bytes per int8 row (dims rounded up to 16). */
  private readonly stride: number;
  private capacity = 0;
  // Both set by grow(), which the constructor calls.
  private memory!: WebAssembly.Memory;
  private kernels!: Kernels;
  private at: Layout = { codes: 0, masks: 0, rows: 0, tables: 0, query: 0, hist: 0, slots: 0, out: 0, end: 0 };
  /** 1 for slots holding a live vector that is not blank (their lanes in `masks` are 0xffff). */
  private live = new Uint8Array(0);
  private liveCount = 0;
  /** One past the highest slot ever set: the scan stops there, not at the capacity. */
  private highWater = 0;
  /** The largest score: 2 tables a byte position, each entry at most tableMax. */
  private readonly tableMax: number;
  /** Calibration: the mean unit vector (sign bits are taken around it) and each dimension's largest magnitude. */
  private mean: Float32Array;
  private maxAbs: Float32Array;
  /** 127 / maxAbs: a unit vector's value times this is its int8 value. */
  private toInt8: Float32Array;
  /** Live vectors when last calibrated: the index recalibrates each time it doubles. */
  private calibratedAt = 0;
  private readonly unit: Float32Array;
  private readonly partial: Float32Array;

  constructor(readonly dims: number) {
    if (!kernelModule()) throw new Error('WebAssembly SIMD is not available');
    this.positions = Math.ceil(dims / 8);
    this.stride = Math.ceil(dims / 16) * 16;
    this.mean = new Float32Array(dims);
    this.maxAbs = new Float32Array(dims).fill(1);
    this.toInt8 = new Float32Array(dims).fill(127);
    this.unit = new Float32Array(this.positions * 8);
    this.partial = new Float32Array(this.positions * 32);
    // The u16 sums hold up to 2P table entries.
    this.tableMax = Math.min(TABLE_MAX, Math.floor(65535 / (2 * this.positions)));
    this.grow(1024);
  }

  /** Bytes held (WebAssembly memory). */
  get bytes(): number {
    return this.memory.buffer.byteLength;
  }

  /** Calibrates on the live vectors among `used` slot-major slots, and quantizes them all. */
  rebuild(data: Float32Array, norms: Float32Array, used: number, isLive: (slot: number) => boolean): void {
    const d = this.dims;
    const mean = new Float64Array(d);
    const maxAbs = new Float32Array(d);
    let n = 0;
    for (let slot = 0; slot < used; slot++) {
      if (!isLive(slot)) continue;
      n++;
      const inv = 1 / norms[slot];
      for (let i = 0, base = slot * d; i < d; i++) {
        const x = data[base + i] * inv;
        mean[i] += x;
        const a = x < 0 ? -x : x;
        if (a > maxAbs[i]) maxAbs[i] = a;
      }
    }
    for (let i = 0; i < d; i++) {
      this.mean[i] = n ? mean[i] / n : 0;
      // A dimension that is zero everywhere keeps scale 1: its int8 values stay 0 either way.
      this.maxAbs[i] = maxAbs[i] > 0 ? maxAbs[i] : 1;
      this.toInt8[i] = 127 / this.maxAbs[i];
    }
    this.grow(used);
    this.live.fill(0);
    this.liveCount = 0;
    this.highWater = 0;
    const views = this.views();
    views.masks.fill(0);
    for (let slot = 0; slot < used; slot++) if (isLive(slot)) this.write(slot, data, slot * d, norms[slot], views);
    this.calibratedAt = n;
  }

  /** Whether the live count has doubled since calibration (the caller then rebuilds). */
  get needsCalibration(): boolean {
    return this.liveCount >= 2 * Math.max(this.calibratedAt, 1);
  }

  /** Quantizes one vector (norm > 0) into a slot. */
  set(slot: number, vector: Float32Array, norm: number): void {
    this.grow(slot + 1);
    this.write(slot, vector, 0, norm, this.views());
  }

  private views(): { u8: Uint8Array; i8: Int8Array; masks: Uint16Array } {
    const buffer = this.memory.buffer;
    return { u8: new Uint8Array(buffer), i8: new Int8Array(buffer), masks: new Uint16Array(buffer, this.at.masks, this.capacity) };
  }

  /** The sign bits, int8 row and mask lane of the vector at data[offset…] (norm > 0) in a slot. */
  private write(slot: number, data: Float32Array, offset: number, norm: number, { u8, i8, masks }: { u8: Uint8Array; i8: Int8Array; masks: Uint16Array }): void {
    const d = this.dims;
    const P = this.positions;
    const mean = this.mean;
    const toInt8 = this.toInt8;
    const codeBase = this.at.codes + (slot >> 4) * P * 16 + (slot & 15);
    const rowBase = this.at.rows + slot * this.stride;
    const inv = 1 / norm;
    // Branch-free and without Math.round: a branch on the sign mispredicts half the time, and
    // Math.round is slow in V8; together they made quantizing 7x slower (0.7 s for 100,000 × 448).
    for (let p = 0, i = 0; p < P; p++) {
      let byte = 0;
      for (let b = 0; b < 8 && i < d; b++, i++) {
        const x = data[offset + i] * inv;
        byte |= (1 ^ ((((x - mean[i]) * 1048576) | 0) >>> 31)) << b; // x >= mean (to 1e-6)
        // Rounded by truncating a positive value; clamped, as it was calibrated on other vectors.
        let y = x * toInt8[i] + 128.5;
        y = y < 1 ? 1 : y > 255 ? 255 : y;
        i8[rowBase + i] = (y | 0) - 128;
      }
      u8[codeBase + p * 16] = byte;
    }
    if (!this.live[slot]) this.liveCount++;
    this.live[slot] = 1;
    // Lanes are in slot order within a block of 16, so a slot's lane is masks[slot].
    masks[slot] = 0xffff;
    if (slot >= this.highWater) this.highWater = slot + 1;
  }

  /** The slot no longer holds a vector to find. */
  clear(slot: number): void {
    if (slot < this.capacity && this.live[slot]) {
      this.live[slot] = 0;
      this.liveCount--;
      new Uint16Array(this.memory.buffer, this.at.masks, this.capacity)[slot] = 0;
    }
  }

  /**
   * The `second` slots most likely to be nearest `query` by cosine, among live slots `accept`
   * takes, best estimate first. Null when `accept` turned away so many of the `first` candidates
   * that fewer than `second` are left while others went unexamined: the caller searches exactly.
   */
  candidates(query: Float32Array, first: number, second: number, accept?: (slot: number) => boolean): Int32Array | null {
    const d = this.dims;
    const P = this.positions;
    const { at } = this;
    let qn = 0;
    for (let i = 0; i < d; i++) qn += query[i] * query[i];
    if (qn === 0) return new Int32Array(0);
    qn = Math.sqrt(qn);

    // Stage 1 tables: for nibble t (dimensions 4t..4t+3), entry v = the sum of (query − mean) over
    // the dimensions whose bit is set in v, shifted to start at 0 and scaled to TABLE_MAX overall.
    const unit = this.unit;
    for (let i = 0; i < d; i++) unit[i] = query[i] / qn - this.mean[i];
    const partial = this.partial;
    let span = 0;
    for (let t = 0; t < 2 * P; t++) {
      const base = t * 16;
      partial[base] = 0;
      let lo = 0;
      let hi = 0;
      for (let v = 1; v < 16; v++) {
        const low = v & -v;
        const value = partial[base + (v ^ low)] + unit[4 * t + (31 - Math.clz32(low))];
        partial[base + v] = value;
        if (value < lo) lo = value;
        if (value > hi) hi = value;
      }
      for (let v = 0; v < 16; v++) partial[base + v] -= lo;
      if (hi - lo > span) span = hi - lo;
    }
    const tableMax = this.tableMax;
    const scale = span > 0 ? tableMax / span : 0;
    const u8 = new Uint8Array(this.memory.buffer);
    for (let k = 0; k < 32 * P; k++) u8[at.tables + k] = Math.round(partial[k] * scale);

    const blocks = Math.ceil(this.highWater / 16);
    const n = blocks * 16;
    this.kernels.fastScan(at.codes, blocks, P, at.tables, at.masks, at.out);

    // The score that lets about `first` live slots through, from a histogram of the scores. Free
    // slots score 0 and the threshold stays at 1 or more: they never pass.
    const top = 2 * P * tableMax;
    const hist = new Uint32Array(this.memory.buffer, at.hist, top + 1);
    hist.fill(0);
    this.kernels.histogram(at.out, n, at.hist);
    let threshold = top;
    let above = hist[top];
    while (threshold > 1 && above < first) above += hist[--threshold];

    let count = this.kernels.gather(at.out, n, threshold, at.slots);
    const slots = new Int32Array(this.memory.buffer, at.slots, count);
    if (accept) {
      let kept = 0;
      for (let j = 0; j < count; j++) if (accept(slots[j])) slots[kept++] = slots[j];
      count = kept;
      if (count < second && above < this.liveCount) return null;
    }

    // Stage 2: int8 rows against the query scaled by each dimension's calibration.
    const q16 = new Int16Array(this.memory.buffer, at.query, this.stride);
    let qmax = 0;
    for (let i = 0; i < d; i++) {
      const v = Math.abs(query[i] * this.maxAbs[i]);
      if (v > qmax) qmax = v;
    }
    const qscale = qmax > 0 ? QUERY_MAX / qmax : 0;
    q16.fill(0);
    for (let i = 0; i < d; i++) q16[i] = Math.round(query[i] * this.maxAbs[i] * qscale);
    this.kernels.int8Dot(at.rows, this.stride, at.slots, count, at.query, at.out);
    const estimate = new Float32Array(this.memory.buffer, at.out, count);
    const best = new TopK(second);
    for (let j = 0; j < count; j++) best.push(slots[j], estimate[j]);
    return Int32Array.from(best.sorted(), (h) => h.id);
  }

  /** Room for `slots` slots: memory laid out anew (regions copied) when it must grow. */
  private grow(slots: number): void {
    if (slots <= this.capacity) return;
    let cap = Math.max(this.capacity, 1024);
    while (cap < slots) cap *= 2;
    const P = this.positions;
    const align = (x: number) => Math.ceil(x / 16) * 16;
    const next: Layout = { codes: 0, masks: 0, rows: 0, tables: 0, query: 0, hist: 0, slots: 0, out: 0, end: 0 };
    next.masks = align(next.codes + cap * P);
    next.rows = align(next.masks + cap * 2);
    next.tables = align(next.rows + cap * this.stride);
    next.query = align(next.tables + 32 * P);
    next.hist = align(next.query + 2 * this.stride);
    next.slots = align(next.hist + 4 * (2 * P * this.tableMax + 1));
    next.out = align(next.slots + 4 * cap);
    next.end = align(next.out + 4 * cap);
    const memory = new WebAssembly.Memory({ initial: Math.ceil(next.end / 65536) });
    if (this.capacity > 0) {
      const from = new Uint8Array(this.memory.buffer);
      const to = new Uint8Array(memory.buffer);
      to.set(from.subarray(this.at.codes, this.at.codes + this.capacity * P), next.codes);
      to.set(from.subarray(this.at.masks, this.at.masks + this.capacity * 2), next.masks);
      to.set(from.subarray(this.at.rows, this.at.rows + this.capacity * this.stride), next.rows);
    }
    this.memory = memory;
    this.kernels = new WebAssembly.Instance(kernelModule()!, { env: { memory } }).exports as Kernels;
    this.at = next;
    const live = new Uint8Array(cap);
    live.set(this.live);
    this.live = live;
    this.capacity = cap;
  }
}
