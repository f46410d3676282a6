// Notes are read, and folders walked, on one worker thread (a batch of notes per message). A
// tiny note cost the indexing thread ~130 µs through the promise API (six calls, each a hop to
// libuv's threads and back): most of the time 100,000 tiny notes took to index. The worker makes
// the same calls synchronously (~40 µs, on the other core), and a read that hangs (a network
// folder gone away) holds the worker, never the thread that answers searches.
// Should the worker be missing or die, the same code runs on the calling thread.
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ReadGuard, ReadResult } from './readNote';
import { runRequest, type ReaderAnswer, type ReaderReply, type ReaderRequest } from './readerProtocol';
import type { WalkOptions, WalkResult } from './walker';

/** Beside this module in out/, beside service.js in dist/ (scripts/bundle.js builds it there). */
const WORKER_FILE = path.join(__dirname, 'noteReaderWorker.js');

/** Notes per message: enough to spread the message's cost thin, few enough to start at once. */
const BATCH_NOTES = 64;
/** Bytes per message, at most (plus one note): what is read ahead stays small in memory. */
const BATCH_BYTES = 4 << 20;
/** Batches in flight ahead of the one being used. */
const BATCHES_AHEAD = 2;

interface Pending {
  req: ReaderRequest;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

class ReaderThread {
  private worker: Worker | null = null;
  private broken = false;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  ask<R extends ReaderRequest>(req: R): Promise<ReaderAnswer<R>> {
    const w = this.start();
    if (!w) return inThread(req);
    const id = this.nextId++;
    if (this.pending.size === 0) w.ref();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { req, resolve: resolve as (v: unknown) => void, reject });
      w.postMessage({ id, req });
    });
  }

  private start(): Worker | null {
    if (this.worker || this.broken) return this.worker;
    let w: Worker;
    try {
      w = new Worker(WORKER_FILE);
    } catch (err) {
      this.broken = true;
      sayFallback('could not start', err);
      return null;
    }
    // Idle, it must not keep the process alive (ref'd again while requests are pending).
    w.unref();
    w.on('message', (msg: ReaderReply) => {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (this.pending.size === 0) w.unref();
      if ('error' in msg) p.reject(new Error(msg.error));
      else p.resolve(msg.value);
    });
    const fail = (why: unknown) => {
      if (this.worker !== w) return;
      this.worker = null;
      this.broken = true;
      sayFallback('stopped', typeof why === 'number' ? `exit code ${why}` : why);
      // What the worker had not answered is done here.
      for (const p of this.pending.values()) inThread(p.req).then(p.resolve, p.reject);
      this.pending.clear();
    };
    w.on('error', fail);
    w.on('exit', fail);
    this.worker = w;
    return w;
  }
}

/** One line for the service's log: reading goes on, a little slower. */
function sayFallback(what: string, why: unknown): void {
  const reason = (why as Error)?.message ?? String(why);
  process.stderr.write(`the note reader's worker thread ${what} (${reason.split('\n')[0]}): notes are read on the main thread\n`);
}

/** The request run on this thread: where there is no worker (what it throws becomes a rejection). */
function inThread<R extends ReaderRequest>(req: R): Promise<ReaderAnswer<R>> {
  return new Promise((resolve) => resolve(runRequest(req) as ReaderAnswer<R>));
}

const thread = new ReaderThread();

/** Reads one note (see readNoteSync for what it checks). */
export async function readNote(absPath: string, maxFileBytes?: number, guard?: ReadGuard): Promise<ReadResult> {
  return (await thread.ask({ op: 'read', batch: { paths: [absPath], maxFileBytes, guard, budgetBytes: BATCH_BYTES } }))[0];
}

/**
 * The notes under a folder (walker.ts), walked on the reader's thread. An abort answers at once;
 * the walk itself finishes there and is dropped.
 */
export function walkNotes(root: string, opts: WalkOptions = {}): Promise<WalkResult> {
  const { signal, ...rules } = opts;
  signal?.throwIfAborted();
  const walk = thread.ask({ op: 'walk', root, rules });
  if (!signal) return walk;
  walk.catch(() => undefined);
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    walk.then(
      (r) => {
        signal.removeEventListener('abort', onAbort);
        resolve(r);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/** Reads many notes in order, a few batches ahead of the one being taken. */
export class NoteReads {
  private readonly queue: { from: number; to: number; results: Promise<ReadResult[]> }[] = [];
  private requested = 0;
  private current: ReadResult[] = [];
  private at = 0;

  constructor(
    private readonly paths: readonly string[],
    private readonly opts: { maxFileBytes?: number; guard?: ReadGuard } = {},
  ) {
    while (this.queue.length < BATCHES_AHEAD && this.requested < paths.length) this.request(this.requested, Math.min(paths.length, this.requested + BATCH_NOTES));
  }

  /** The next note's read, in the order of `paths`. */
  async next(): Promise<ReadResult> {
    while (this.at >= this.current.length) {
      const b = this.queue.shift();
      if (!b) throw new Error('no more notes to read');
      const results = await b.results;
      // A batch cut short by its byte budget: its rest goes first in line.
      if (b.from + results.length < b.to) this.queue.unshift(this.send(b.from + results.length, b.to));
      else if (this.requested < this.paths.length) this.request(this.requested, Math.min(this.paths.length, this.requested + BATCH_NOTES));
      this.current = results;
      this.at = 0;
    }
    return this.current[this.at++];
  }

  private request(from: number, to: number): void {
    this.queue.push(this.send(from, to));
    this.requested = to;
  }

  private send(from: number, to: number): { from: number; to: number; results: Promise<ReadResult[]> } {
    const results = thread.ask({ op: 'read', batch: { paths: this.paths.slice(from, to), ...this.opts, budgetBytes: BATCH_BYTES } });
    // A batch read ahead and never taken (the sync was cancelled) must not fail as unhandled.
    results.catch(() => undefined);
    return { from, to, results };
  }
}
