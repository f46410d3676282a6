// One file from the hub onto disk, whole: retried on dropped connections, 429 and 5xx answers,
// resumed with a Range request from the bytes already on disk, abandoned when it stalls, and
// complete only when its length matches Content-Length (and X-Linked-Size) and an LFS file's
// sha256 matches X-Linked-Etag.
//
// The retry loop is kept by hand (a few lines) rather than taken from a retry library: each retry
// must resume from what is on disk, restart after a 416 or a wrong Content-Range, and stop at once
// on the caller's AbortSignal, which is most of the code either way.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import { ModelNotFoundError } from './folder';
import { hubGet } from './hubHttp';

export interface DownloadProgress {
  /** Path of the file inside the model folder, e.g. onnx/model_quantized.onnx. */
  file: string;
  loaded: number;
  /** 0 when the server did not say. */
  total: number;
  /** download: the file's transfer starts; progress: bytes arrived; done: the file is complete. */
  status: 'download' | 'progress' | 'done';
}

export class ModelDownloadError extends Error {
  override readonly name = 'ModelDownloadError';
  constructor(
    readonly id: string,
    message: string,
    readonly info: { file?: string; status?: number; cancelled?: boolean } = {},
  ) {
    super(message);
  }
  get cancelled(): boolean {
    return this.info.cancelled === true;
  }
}

/** A failure worth another try (resuming where the file stopped). */
export class RetryableError extends Error {}

export interface FileRecord {
  size: number;
  sha256?: string;
}

export interface TransferContext {
  url(name: string): string;
  signal?: AbortSignal;
  /** Abandon a connection that delivers no bytes for this long (default 60 s). */
  idleTimeoutMs?: number;
  /** Tries per file (default 3). */
  attempts?: number;
  retryDelayMs?: number;
  onProgress(p: DownloadProgress): void;
  /** 401, 403 or 404: throws when that fails the download; returns when an optional file is simply absent. */
  onMissing(name: string, status: number, required: boolean): void;
  /** How a file is named in messages, e.g. "onnx/model.onnx of acme/tiny from https://hub". */
  describe(name: string): string;
  /** A failure that is not retried, as the download's error. */
  fail(message: string, info: { file?: string; status?: number }): Error;
  cancelled(): Error;
}

export class FileTransfer {
  /** The commit the hub resolved the revision to (first answer that says). */
  commit: string | null = null;

  constructor(private readonly ctx: TransferContext) {}

  /** Downloads one file to `dest`, retrying and resuming. Null when an optional file does not exist. */
  async fetch(name: string, dest: string, required: boolean): Promise<FileRecord | null> {
    const attempts = Math.max(1, this.ctx.attempts ?? 3);
    let lastError: Error | null = null;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        return await this.transfer(name, dest, required, fileSize(dest) ?? 0);
      } catch (err) {
        if (this.ctx.signal?.aborted) throw this.ctx.cancelled();
        if (!(err instanceof RetryableError)) throw err;
        lastError = err;
        if (attempt < attempts) await sleep((this.ctx.retryDelayMs ?? 300) * attempt, this.ctx.signal);
      }
    }
    throw this.ctx.fail(`could not download ${this.ctx.describe(name)} after ${attempts} tries: ${lastError?.message}`, { file: name });
  }

  /** One attempt at one file, resuming at `offset` when there is a partial copy. */
  private async transfer(name: string, dest: string, required: boolean, offset: number): Promise<FileRecord | null> {
    const idle = this.ctx.idleTimeoutMs ?? 60_000;
    const ac = new AbortController();
    const onAbort = () => ac.abort(this.ctx.signal?.reason);
    this.ctx.signal?.addEventListener('abort', onAbort, { once: true });
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => ac.abort(new RetryableError(`no data for ${idle >= 1000 ? `${Math.round(idle / 1000)} s` : `${idle} ms`}`)), idle);
    };
    arm();
    let fh: fs.promises.FileHandle | undefined;
    try {
      const hub = await hubGet(this.ctx.url(name), ac.signal, offset);
      const { res } = hub;
      if (res.status === 404 || res.status === 401 || res.status === 403) {
        await res.body?.cancel().catch(() => {});
        this.ctx.onMissing(name, res.status, required);
        return null;
      }
      if (res.status === 416) {
        // Our partial copy is not a prefix the server recognises: start over.
        await res.body?.cancel().catch(() => {});
        fs.rmSync(dest, { force: true });
        throw new RetryableError('HTTP 416 on resume');
      }
      if (res.status === 429 || res.status >= 500) {
        await res.body?.cancel().catch(() => {});
        throw new RetryableError(`HTTP ${res.status}`);
      }
      if (res.status !== 200 && res.status !== 206) {
        await res.body?.cancel().catch(() => {});
        throw this.ctx.fail(`${this.ctx.describe(name)} answered HTTP ${res.status}`, { file: name, status: res.status });
      }
      if (hub.commit) this.commit ??= hub.commit;
      // Content-Length is the size on disk only without a content encoding (we ask for identity).
      const encoded = (res.headers.get('content-encoding') ?? 'identity') !== 'identity';
      const length = encoded ? 0 : Number(res.headers.get('content-length') ?? 0);
      let start = 0;
      let total = length;
      if (res.status === 206) {
        const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(res.headers.get('content-range') ?? '');
        if (!m || Number(m[1]) !== offset) {
          await res.body?.cancel().catch(() => {});
          fs.rmSync(dest, { force: true });
          throw new RetryableError('the server resumed at the wrong place');
        }
        start = offset;
        total = Number(m[3]);
      }
      const expected = hub.linkedSize ?? (total || undefined);
      fh = await fs.promises.open(dest, start > 0 ? 'a' : 'w');
      let loaded = start;
      let lastReport = 0;
      this.report({ file: name, loaded, total, status: 'download' });
      if (res.body) {
        const reader = res.body.getReader();
        for (;;) {
          let chunk: Awaited<ReturnType<typeof reader.read>>;
          try {
            chunk = await reader.read();
          } catch (err) {
            throw this.transferError(err, ac.signal, `connection lost after ${loaded}${total ? ` of ${total}` : ''} bytes`);
          }
          if (chunk.done) break;
          arm();
          await fh.write(chunk.value);
          loaded += chunk.value.length;
          const now = Date.now();
          if (now - lastReport >= 100) {
            lastReport = now;
            this.report({ file: name, loaded, total, status: 'progress' });
          }
        }
      }
      await fh.close();
      fh = undefined;
      if (total && loaded !== total) throw new RetryableError(`connection closed after ${loaded} of ${total} bytes`);
      if (expected !== undefined && loaded !== expected) {
        fs.rmSync(dest, { force: true });
        throw new RetryableError(`got ${loaded} bytes but the hub lists ${expected}`);
      }
      const record: FileRecord = { size: loaded };
      if (hub.sha256) {
        const actual = await sha256File(dest);
        if (actual !== hub.sha256) {
          fs.rmSync(dest, { force: true });
          throw new RetryableError(`its sha256 ${actual.slice(0, 12)}… differs from the hub's ${hub.sha256.slice(0, 12)}…`);
        }
        record.sha256 = actual;
      }
      this.report({ file: name, loaded, total: total || loaded, status: 'done' });
      return record;
    } catch (err) {
      if (err instanceof RetryableError || err instanceof ModelDownloadError || err instanceof ModelNotFoundError) throw err;
      throw this.transferError(err, ac.signal, 'request failed');
    } finally {
      clearTimeout(timer);
      this.ctx.signal?.removeEventListener('abort', onAbort);
      await fh?.close().catch(() => {});
    }
  }

  private transferError(err: unknown, signal: AbortSignal, what: string): Error {
    if (this.ctx.signal?.aborted) return this.ctx.cancelled();
    if (signal.aborted && signal.reason instanceof RetryableError) return signal.reason;
    const e = err as Error & { cause?: { message?: string; code?: string } };
    const detail = e?.cause?.message ?? e?.cause?.code ?? e?.message ?? String(err);
    return new RetryableError(`${what} (${detail})`);
  }

  private report(p: DownloadProgress): void {
    try {
      this.ctx.onProgress(p);
    } catch {
      // A failing progress display must not fail the download.
    }
  }
}

function fileSize(p: string): number | null {
  try {
    return fs.statSync(p).size;
  } catch {
    return null;
  }
}

async function sha256File(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
