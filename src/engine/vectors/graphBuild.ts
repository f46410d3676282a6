// Building an index's HNSW graph on a worker thread (graphWorker.ts). The owner (vectorIndex.ts)
// keeps answering with exact search meanwhile and forwards every add and remove, in order, so the
// worker's graph follows the index. When the owner asks for the graph, the worker writes it to a
// temporary file; the owner reads it back (hnswlib reads 20,000 points in ~30 ms) and catches up
// on the few changes made since. Reading a file is the one way to move an hnswlib-node graph
// between threads: the native object cannot be shared or transferred.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { OP_ADD, OP_REMOVE, type GraphWorkerInit, type GraphWorkerMessage, type GraphWorkerReply } from './graphProtocol';

/** Changes per message: bounds one structured clone and lets the worker report progress. */
const OPS_PER_MESSAGE = 2048;
/** Batches waiting in the worker's queue at most. */
const MAX_IN_FLIGHT = 2;

export interface GraphBuildHooks {
  /** The graph, with every change sent before the request, is in `file`. */
  written(file: string): void;
  /** The worker failed (it could not start, write its file, or it died): search stays exact. */
  failed(err: Error): void;
}

export class BackgroundGraphBuild {
  private readonly worker: Worker;
  private readonly stopFlag = new Int32Array(new SharedArrayBuffer(4));
  private readonly exited: Promise<void>;
  /**
   * Changes not yet sent, in order: ids only. A vector is read from the index when its batch is
   * sent, and at most MAX_IN_FLIGHT batches wait in the worker's queue, so a build of 100,000
   * points never holds a second copy of the index's vectors.
   */
  private queue: (number | { file: string })[] = [];
  private kindsQueued: number[] = [];
  private inFlight = 0;
  private pumpQueued = false;
  private requests = 0;
  private done = false;
  private readonly files = new Set<string>();
  /** Adds since the last request: what its graph will lack. */
  addsSinceRequest = 0;

  constructor(
    private readonly init: Omit<GraphWorkerInit, 'stop'>,
    /** The index's current vector of an id (undefined once removed). */
    private readonly vectorOf: (id: number) => Float32Array | undefined,
    private readonly hooks: GraphBuildHooks,
  ) {
    this.worker = new Worker(path.join(__dirname, 'graphWorker.js'), { workerData: { ...init, stop: this.stopFlag.buffer } });
    this.exited = new Promise((resolve) => this.worker.once('exit', () => resolve()));
    // The index may be dropped or the process end while a build runs: neither waits for it.
    this.worker.unref();
    this.worker.on('message', (msg: GraphWorkerReply) => {
      if (this.done) return;
      if (msg.type === 'progress') {
        this.inFlight--;
        this.pump();
      } else if (msg.type === 'written') this.hooks.written(msg.file);
    });
    this.worker.on('error', (err) => this.fail(err));
    this.worker.on('exit', (code) => this.fail(new Error(`the graph worker stopped (exit code ${code})`)));
  }

  add(id: number): void {
    this.enqueue(OP_ADD, id);
    this.addsSinceRequest++;
  }

  remove(id: number): void {
    this.enqueue(OP_REMOVE, id);
  }

  /** Asks for the graph as it stands after every change so far. */
  request(): void {
    this.addsSinceRequest = 0;
    const file = path.join(os.tmpdir(), `semantic-notes-graph-${process.pid}-${Date.now().toString(36)}-${++this.requests}.bin`);
    this.files.add(file);
    this.queue.push({ file });
    this.kindsQueued.push(-1);
    this.pump();
  }

  /** Keeps the process alive for the build: somebody waits for the graph. */
  keepAlive(): void {
    this.worker.ref();
  }

  /** A file the owner has read (or given up on): removed now. */
  release(file: string): void {
    this.files.delete(file);
    fs.rmSync(file, { force: true });
  }

  /**
   * Stops the worker, keeping its files: its graph's memory is freed before the owner reads the
   * written copy, so the two are never held at once.
   */
  stopWorker(): Promise<void> {
    if (!this.done) {
      this.done = true;
      // Waited for: held alive until it ends (a few ms: it stops before its next point).
      this.worker.ref();
      Atomics.store(this.stopFlag, 0, 1);
      this.worker.postMessage({ type: 'stop' } satisfies GraphWorkerMessage);
    }
    return this.exited;
  }

  /** Stops the worker and removes its files (once it has ended: a write may be under way). */
  dispose(): Promise<void> {
    return this.stopWorker().then(() => {
      for (const f of this.files) fs.rmSync(f, { force: true });
      this.files.clear();
    });
  }

  private fail(err: Error): void {
    if (this.done) return;
    this.dispose();
    this.hooks.failed(err);
  }

  private enqueue(kind: number, id: number): void {
    this.queue.push(id);
    this.kindsQueued.push(kind);
    if (this.pumpQueued) return;
    this.pumpQueued = true;
    setImmediate(() => {
      this.pumpQueued = false;
      this.pump();
    });
  }

  /** Sends queued changes, a batch at a time, while fewer than MAX_IN_FLIGHT wait in the worker. */
  private pump(): void {
    let at = 0;
    while (!this.done && at < this.queue.length && this.inFlight < MAX_IN_FLIGHT) {
      const head = this.queue[at];
      if (typeof head !== 'number') {
        this.post({ type: 'finish', file: head.file });
        at++;
        continue;
      }
      const kinds: number[] = [];
      const ids: number[] = [];
      const vectors: Float32Array[] = [];
      while (at < this.queue.length && kinds.length < OPS_PER_MESSAGE && typeof this.queue[at] === 'number') {
        const id = this.queue[at] as number;
        const kind = this.kindsQueued[at++];
        if (kind === OP_ADD) {
          const v = this.vectorOf(id);
          if (!v) continue; // removed since: its remove follows
          vectors.push(v);
        }
        kinds.push(kind);
        ids.push(id);
      }
      const data = new Float32Array(vectors.length * this.init.dims);
      vectors.forEach((v, i) => data.set(v, i * this.init.dims));
      const msg: GraphWorkerMessage = { type: 'ops', kinds: Uint8Array.from(kinds), ids: Float64Array.from(ids), data };
      this.inFlight++;
      this.post(msg, [msg.kinds.buffer as ArrayBuffer, msg.ids.buffer as ArrayBuffer, data.buffer as ArrayBuffer]);
    }
    if (at > 0) {
      this.queue = this.queue.slice(at);
      this.kindsQueued = this.kindsQueued.slice(at);
    }
  }

  private post(msg: GraphWorkerMessage, transfer: ArrayBuffer[] = []): void {
    if (!this.done) this.worker.postMessage(msg, transfer);
  }
}
