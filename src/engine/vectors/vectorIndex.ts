// Dense vector index: exact cosine search while the corpus is small (fast enough and perfectly
// accurate), an HNSW graph (hnswlib-node) once it grows. Vectors also live here in one
// contiguous Float32Array, because related-passage lookups and persistence need them and
// hnswlib-node only hands points back as slow number[] copies.
import * as fs from 'node:fs';
import { HierarchicalNSW } from 'hnswlib-node';
import { TopK } from '../util/topK';
import { BackgroundGraphBuild } from './graphBuild';

/**
 * How the graph gets built once the index reaches exactThreshold: `inline` at once, on this thread
 * (add() returns when it is done); `background` on a worker thread while search stays exact (the
 * notes index: a 30,000-passage graph takes about a minute that must not stall searches); `off`
 * never (search stays exact; a saved graph is still used).
 */
export type GraphBuildMode = 'inline' | 'background' | 'off';

export interface VectorIndexOptions {
  /** Below this many vectors search is exact; at or above it an HNSW graph is built. Default: exactThresholdFor(dims). */
  exactThreshold?: number;
  m?: number;
  efConstruction?: number;
  /** A fixed search breadth; 0 (the default) lets it grow with the index size (efForSize). The effective ef is max(ef, k). */
  efSearch?: number;
  seed?: number;
  graphBuild?: GraphBuildMode;
  /** Told when a background build has put its graph in use, or failed (search then stays exact). */
  onGraph?: (event: { ready: true } | { ready: false; error: Error }) => void;
}

export interface VectorHit {
  id: number;
  score: number; // cosine similarity
}

const BLANK_NORM = 1e-6;

/**
 * Largest id the index takes: hnswlib-node reads graph labels as uint32. Chunk ids only grow, so
 * the notes index renumbers them when it compacts long before they get here (see
 * RENUMBER_ABOVE in notesIndex.ts); ids are held as doubles, so nothing wraps below this.
 */
export const MAX_VECTOR_ID = 0xffff_ffff;
/** Largest id the saved vector file holds (its ids are int32). */
export const MAX_STORED_VECTOR_ID = 0x7fff_ffff;

// efConstruction 500 (was 200): on held-out queries (bench/scale.ts corpus) recall@10 at ef 1024
// goes from 0.985 to 0.993 at 10k, and at ef 2048 from 0.983 to 0.990 at 100k, where the old graph
// levels off (0.985 at ef 3072); builds take 1.5-2.1x as long. M stays 32, so graphs saved before
// still load (they keep their own efConstruction).
const DEFAULTS: Omit<Required<VectorIndexOptions>, 'exactThreshold' | 'onGraph'> = { m: 32, efConstruction: 500, efSearch: 0, seed: 100, graphBuild: 'inline' };

/**
 * Changes made after the worker wrote its graph that are applied on the search thread when the
 * graph is taken up; with more, the worker is asked for a newer graph instead (each costs 1-2 ms).
 */
const CATCH_UP_MAX = 1_000;

/**
 * Multiply-adds one exact search may cost before a graph takes over: 12.8M, one pass over 50,000
 * vectors of 256 dimensions (28,571 of the bilingual model's 448). Measured on 2 cores: the
 * unrolled pass takes about 9 ms at 44,538 × 256 and 22 ms at 100,000 × 256, against 21 and 84 ms
 * for the plain loop before it. Below it search is exact (recall 1, nothing to build, save or
 * load: the notes corpus indexes without a graph); above it the graph's ~2 KB per passage and
 * its build time buy 3-10x faster queries.
 */
const EXACT_SEARCH_BUDGET = 12_800_000;

/** How many vectors of `dims` dimensions are searched exactly before an HNSW graph is built. */
export function exactThresholdFor(dims: number): number {
  return Math.max(1, Math.floor(EXACT_SEARCH_BUDGET / dims));
}

/**
 * Search breadth for a graph of n vectors. Recall at a fixed ef falls as the graph grows, so ef
 * grows with it: EF_AT_10K at 10k, times (n / 10k)^EF_GROWTH (bench/scale.ts measures recall@10
 * against exact search on held-out queries). Capped at EF_MAX for very large indexes.
 */
const EF_AT_10K = 1024;
const EF_GROWTH = 0.3; // 2x per 10x: 2048 at 100k, where exact search costs 10x more
const EF_MIN = 64;
const EF_MAX = 4096;
export function efForSize(n: number): number {
  return Math.round(Math.min(EF_MAX, Math.max(EF_MIN, EF_AT_10K * Math.pow(Math.max(n, 1) / 10_000, EF_GROWTH))));
}

/**
 * M and efConstruction as written in an hnswlib graph file's header (hnswalg.h saveIndex: six
 * size_t, two 32-bit ints, then maxM, maxM0, M, mult, ef_construction); hnswlib-node does not
 * report them, and a graph built with another M would keep it for every later insert.
 */
export function graphFileParams(file: string): { m: number; efConstruction: number } {
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(96);
    if (fs.readSync(fd, head, 0, 96, 0) < 96) throw new Error('graph file header is truncated');
    return { m: Number(head.readBigUInt64LE(72)), efConstruction: Number(head.readBigUInt64LE(88)) };
  } finally {
    fs.closeSync(fd);
  }
}

export class VectorIndex {
  readonly opts: Required<Omit<VectorIndexOptions, 'onGraph'>> & Pick<VectorIndexOptions, 'onGraph'>;
  private data: Float32Array;
  private norms: Float32Array;
  private slotIds: Float64Array; // chunk id per slot, -1 when free
  private readonly slotOf = new Map<number, number>();
  private readonly freeSlots: number[] = [];
  private used = 0; // slots handed out (live + free)
  private blanks = 0; // live vectors that are all zeros
  private hnsw: HierarchicalNSW | null = null;
  private graphDeferred = false;
  private build: BackgroundGraphBuild | null = null;
  private buildWaiters: (() => void)[] = [];
  private graphFailed = false;
  /** Ids replaced (re-added) since the worker's last requested graph: its copy is stale. */
  private replacedSinceRequest = new Set<number>();

  constructor(readonly dims: number, opts: VectorIndexOptions = {}) {
    if (!Number.isInteger(dims) || dims <= 0) throw new Error(`invalid vector dimension ${dims}`);
    this.opts = { ...DEFAULTS, exactThreshold: exactThresholdFor(dims), ...opts };
    this.data = new Float32Array(1024 * dims);
    this.norms = new Float32Array(1024);
    this.slotIds = new Float64Array(1024).fill(-1);
  }

  get size(): number {
    return this.slotOf.size;
  }

  get usesGraph(): boolean {
    return this.hnsw !== null;
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
    if (this.slotOf.has(id)) {
      this.remove(id);
      if (this.build) this.replacedSinceRequest.add(id);
    }
    const slot = this.freeSlots.pop() ?? this.used++;
    this.ensureCapacity(slot + 1);
    this.data.set(vector, slot * this.dims);
    this.fillSlot(slot, id);
    this.slotOf.set(id, slot);
    if (this.hnsw) this.graphAdd(id, vector);
    else if (this.build) this.build.add(id);
    else if (!this.graphDeferred && this.size >= this.opts.exactThreshold) this.needGraph();
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
    if (!this.graphDeferred && this.size >= this.opts.exactThreshold) this.needGraph();
  }

  /** The bookkeeping of a slot whose vector is in place: its norm, blank count and id. */
  private fillSlot(slot: number, id: number): void {
    const data = this.data;
    let sum = 0;
    for (let i = slot * this.dims, end = i + this.dims; i < end; i++) sum += data[i] * data[i];
    this.norms[slot] = Math.sqrt(sum);
    if (this.norms[slot] < BLANK_NORM) this.blanks++;
    this.slotIds[slot] = id;
  }

  remove(id: number): boolean {
    const slot = this.slotOf.get(id);
    if (slot === undefined) return false;
    this.slotOf.delete(id);
    if (this.norms[slot] < BLANK_NORM) this.blanks--;
    this.slotIds[slot] = -1;
    this.freeSlots.push(slot);
    if (this.hnsw) this.hnsw.markDelete(id);
    else if (this.build) this.build.remove(id);
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
    let dot = 0;
    let qn = 0;
    const base = slot * this.dims;
    for (let i = 0; i < this.dims; i++) {
      dot += this.data[base + i] * query[i];
      qn += query[i] * query[i];
    }
    return qn === 0 ? null : dot / (this.norms[slot] * Math.sqrt(qn));
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
    let n = 0;
    let sum = 0;
    let sumSq = 0;
    for (let slot = 0; slot < this.used; slot += stride) {
      const id = this.slotIds[slot];
      if (id < 0 || this.norms[slot] < BLANK_NORM || (filter && !filter(id))) continue;
      const c = this.similarity(query, id);
      // Orthogonal vectors share nothing to compare (in the bilingual model, another script's
      // passages sit at exactly 0): counted in, they would drag the mean down and swell the spread.
      if (c === null || c <= 0) continue;
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
    if (!this.hnsw) return this.exactSearch(query, k, filter, true);
    if (this.blanks > 0) {
      const inner = filter;
      filter = (id) => !this.isBlank(id) && (!inner || inner(id));
    }
    const n = Math.min(k, this.size);
    this.hnsw.setEf(Math.max(this.efSearch, n));
    const res = this.hnsw.searchKnn(Array.from(query), n, filter);
    return res.neighbors.map((id, i) => ({ id, score: 1 - res.distances[i] }));
  }

  /** The search breadth in use now (before raising it to k). Deleted points still sit in the graph and are walked, so they count. */
  get efSearch(): number {
    return this.opts.efSearch || efForSize(this.hnsw ? this.hnsw.getCurrentCount() : this.size);
  }

  /**
   * Brute-force cosine over every vector: the ground truth the graph is measured against, and
   * the search itself below exactThreshold. One pass over the contiguous array with the dot
   * product in four running sums (V8 keeps them in registers), which is what makes exact
   * search fast enough to stand in for a graph up to tens of thousands of passages.
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
    const sorted = [...this.slotOf.keys()].sort((a, b) => a - b);
    if (sorted.length && sorted[sorted.length - 1] > MAX_STORED_VECTOR_ID) throw new RangeError(`vector id ${sorted[sorted.length - 1]} does not fit the vector file: renumber the passages first`);
    const ids = Int32Array.from(sorted);
    const vectors = new Float32Array(ids.length * this.dims);
    ids.forEach((id, i) => vectors.set(this.get(id)!, i * this.dims));
    return { ids, data: vectors };
  }

  /**
   * Bulk loading: while deferred, add() does not touch the graph. Ending it adopts a saved graph
   * (when given and it matches) or builds one. Returns a warning when a saved graph was unusable.
   */
  deferGraph(on: boolean, savedGraph?: string | null): string | null {
    this.graphDeferred = on;
    if (on || this.hnsw || this.build || this.size < this.opts.exactThreshold) return null;
    if (savedGraph) {
      try {
        const built = graphFileParams(savedGraph);
        if (built.m !== this.opts.m) {
          // Its links per node are fixed at build time; the search breadth is tuned for this M.
          this.needGraph();
          return `the saved vector graph was built with M=${built.m}, this version uses M=${this.opts.m}; rebuilding it`;
        }
        if (this.loadGraph(savedGraph)) return null;
        return 'the saved vector graph did not match the stored vectors; rebuilding it';
      } catch (err) {
        this.needGraph();
        return `the saved vector graph could not be read (${(err as Error).message}); rebuilding it`;
      }
    }
    this.needGraph();
    return null;
  }

  writeGraph(file: string): boolean {
    if (!this.hnsw) return false;
    this.hnsw.writeIndexSync(file);
    return true;
  }

  /**
   * Adopts a graph saved by writeGraph for the vectors already added. The caller must have checked
   * the file's checksum: hnswlib trusts its input. Returns false (and rebuilds) if the graph does
   * not hold exactly the live ids.
   */
  loadGraph(file: string): boolean {
    const g = new HierarchicalNSW('cosine', this.dims);
    g.readIndexSync(file, true);
    const inGraph = new Set(g.getIdsList());
    const complete = g.getNumDimensions() === this.dims && [...this.slotOf.keys()].every((id) => inGraph.has(id));
    if (!complete) {
      this.needGraph();
      return false;
    }
    this.adoptGraph(g, inGraph, new Set());
    return true;
  }

  /**
   * Puts a graph read from a file in use for the live vectors: points removed since it was written
   * (or replaced: `stale`) are hidden, and live vectors it lacks (or holds stale) are added.
   */
  private adoptGraph(g: HierarchicalNSW, inGraph: ReadonlySet<number>, stale: ReadonlySet<number>): void {
    for (const id of inGraph) {
      if (this.slotOf.has(id) && !stale.has(id)) continue;
      try {
        g.markDelete(id);
      } catch {
        // already marked deleted in the written graph
      }
    }
    this.hnsw = g;
    for (const id of this.slotOf.keys()) if (!inGraph.has(id) || stale.has(id)) this.graphAdd(id, this.get(id)!);
  }

  /** Whether a background build is under way (search is exact until it ends). */
  get buildingGraph(): boolean {
    return this.build !== null;
  }

  /**
   * Resolves once no background build is under way (its graph in use, or the build failed or was
   * stopped). Keeps the process alive meanwhile, which an unwatched build does not.
   */
  whenGraphSettled(): Promise<void> {
    if (!this.build) return Promise.resolve();
    this.build.keepAlive();
    return new Promise((resolve) => this.buildWaiters.push(resolve));
  }

  /** Stops a background build (the index is being dropped); resolves once its worker has ended. */
  dispose(): Promise<void> {
    return this.endBuild();
  }

  /** A graph is due: built now, started in the background, or not at all (GraphBuildMode). */
  private needGraph(): void {
    if (this.graphFailed) return;
    if (this.opts.graphBuild === 'inline') this.buildGraph();
    else if (this.opts.graphBuild === 'background') this.startBuild();
  }

  private startBuild(): void {
    let build: BackgroundGraphBuild;
    try {
      build = new BackgroundGraphBuild(
        { dims: this.dims, m: this.opts.m, efConstruction: this.opts.efConstruction, seed: this.opts.seed, capacity: Math.max(1024, this.size * 2) },
        (id) => this.get(id),
        { written: (file) => void this.graphWritten(build, file).catch((err: Error) => this.buildFailed(build, err)), failed: (err) => this.buildFailed(build, err) },
      );
    } catch (err) {
      this.buildFailed(null, err as Error);
      return;
    }
    this.build = build;
    for (const id of this.slotOf.keys()) build.add(id);
    this.requestGraph(build);
  }

  /** Asks the worker for its graph; ids replaced from now on are stale in it. */
  private requestGraph(build: BackgroundGraphBuild): void {
    this.replacedSinceRequest.clear();
    build.request();
  }

  /**
   * The worker wrote its graph: taken up when at most CATCH_UP_MAX vectors were added since it was
   * asked for (added here), else the worker, which has those changes queued already, writes a
   * newer one.
   */
  private async graphWritten(build: BackgroundGraphBuild, file: string): Promise<void> {
    if (build !== this.build) return;
    if (build.addsSinceRequest > CATCH_UP_MAX) {
      build.release(file);
      this.requestGraph(build);
      return;
    }
    await build.stopWorker();
    if (build !== this.build) return;
    let g: HierarchicalNSW;
    try {
      g = new HierarchicalNSW('cosine', this.dims);
      g.readIndexSync(file, true);
    } catch (err) {
      this.buildFailed(build, err as Error);
      return;
    } finally {
      build.release(file);
    }
    // Changes since the request (a few, or those made while the worker stopped) are applied here.
    this.adoptGraph(g, new Set(g.getIdsList()), this.replacedSinceRequest);
    void this.endBuild();
    this.opts.onGraph?.({ ready: true });
  }

  private buildFailed(build: BackgroundGraphBuild | null, error: Error): void {
    if (build && build !== this.build) return;
    void this.endBuild();
    // Search stays exact: slower on a large index, never wrong. No retry loop: the next open tries again.
    this.graphFailed = true;
    this.opts.onGraph?.({ ready: false, error });
  }

  private endBuild(): Promise<void> {
    const stopped = this.build?.dispose() ?? Promise.resolve();
    this.build = null;
    this.replacedSinceRequest.clear();
    const waiters = this.buildWaiters;
    this.buildWaiters = [];
    for (const w of waiters) w();
    return stopped;
  }

  private buildGraph(): void {
    const g = new HierarchicalNSW('cosine', this.dims);
    g.initIndex({ maxElements: Math.max(1024, this.size * 2), m: this.opts.m, efConstruction: this.opts.efConstruction, randomSeed: this.opts.seed, allowReplaceDeleted: true });
    this.hnsw = g;
    for (const [id, slot] of this.slotOf) this.graphAdd(id, this.data.subarray(slot * this.dims, (slot + 1) * this.dims));
  }

  private graphAdd(id: number, vector: Float32Array): void {
    const g = this.hnsw!;
    if (g.getCurrentCount() >= g.getMaxElements()) g.resizeIndex(g.getMaxElements() * 2);
    g.addPoint(Array.from(vector), id, true);
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
