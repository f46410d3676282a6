// Fetches a model from the Hugging Face hub (or a mirror) into the cache, in the hub's URL layout
// {remoteHost}/{id}/resolve/{revision}/{file} — the same URLs transformers.js builds from
// env.remoteHost + env.remotePathTemplate ('{model}/resolve/{revision}/').
//
// Why not transformers.js's own downloader: it fetches a file only when a model load asks for it,
// takes no AbortSignal, caches file by file (a folder can be left with a config but no weights),
// and accepts a body as complete when the connection ends without checking Content-Length. Here:
//   - every file streams into a private staging folder; the folder is renamed into place only when
//     all files are complete, so a cancelled, dropped or failed download never passes for a model;
//   - a body is complete only when its length matches Content-Length (and the hub's X-Linked-Size),
//     and LFS files must match the sha256 the hub states in X-Linked-Etag;
//   - dropped connections and 5xx answers are retried, resuming with a Range request;
//   - a connection that stalls (no bytes for idleTimeoutMs) is abandoned;
//   - the caller's AbortSignal cancels at once and removes the staging folder.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CATALOG } from './catalog';
import { MANIFEST_FILE, ModelNotFoundError, checkModelFolder, externalDataFiles, readManifest, type DownloadManifest } from './folder';
import { ModelProfileError, ONNX_FILE, isDtype, readProfile, type Dtype } from './profile';

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

export interface DownloadRequest {
  id: string;
  /** The cache root that receives `<org>/<name>/` (see resolve.ts cacheRootFor). */
  cacheRoot: string;
  revision?: string;
  /** Fetch exactly this precision; otherwise the config's, the catalog's, then q8, then fp32. */
  dtype?: Dtype;
  remoteHost?: string;
  onProgress?: (p: DownloadProgress) => void;
  signal?: AbortSignal;
  /** Abandon a connection that delivers no bytes for this long (default 60 s). */
  idleTimeoutMs?: number;
  /** Tries per file for dropped connections and 5xx answers (default 3). */
  attempts?: number;
  retryDelayMs?: number;
  /** Folders already searched, for the not-found message. */
  searched?: string[];
  details?: string[];
}

export const DEFAULT_REMOTE_HOST = 'https://huggingface.co';

/** Small files worth having when the repository has them (profile sources, special tokens). */
const OPTIONAL_FILES = ['special_tokens_map.json', 'semantic-notes.json', 'sentence_bert_config.json', 'config_sentence_transformers.json', 'pooling_config.json'];

const inflight = new Map<string, Promise<string>>();

/** Downloads a model into `<cacheRoot>/<org>/<name>` and returns that folder. */
export function downloadModel(req: DownloadRequest): Promise<string> {
  // Two loads of one model in one process (e.g. embedding and fill-mask) share one download.
  const key = `${path.resolve(req.cacheRoot)}\0${req.id}\0${req.revision ?? 'main'}\0${req.dtype ?? ''}`;
  let p = inflight.get(key);
  if (!p) {
    p = new Downloader(req).run().finally(() => inflight.delete(key));
    inflight.set(key, p);
  }
  return p;
}

class RetryableError extends Error {}

interface FileRecord {
  size: number;
  sha256?: string;
}

class Downloader {
  private readonly host: string;
  private readonly revision: string;
  private readonly target: string;
  private readonly partialDir: string;
  private readonly staging: string;
  private readonly files: Record<string, FileRecord> = {};
  private commit: string | null = null;

  constructor(private readonly req: DownloadRequest) {
    this.host = (req.remoteHost || process.env.HF_ENDPOINT || DEFAULT_REMOTE_HOST).replace(/\/+$/, '');
    this.revision = req.revision ?? 'main';
    this.target = path.join(req.cacheRoot, ...req.id.split('/'));
    this.partialDir = path.join(req.cacheRoot, '.partial');
    this.staging = path.join(this.partialDir, `${req.id.replace('/', '--')}.${process.pid}.${crypto.randomBytes(4).toString('hex')}`);
  }

  async run(): Promise<string> {
    const { id } = this.req;
    this.throwIfCancelled();
    removeAbandoned(this.partialDir);
    fs.mkdirSync(this.staging, { recursive: true });
    try {
      const config = (await this.fetchJson('config.json'))!;
      await this.fetchRequired('tokenizer.json');
      await this.fetchRequired('tokenizer_config.json');
      for (const f of OPTIONAL_FILES) await this.fetchFile(f, false);
      const modules = (await this.fetchJson('modules.json', false)) as { type?: string; path?: string }[] | null;
      const pooling = Array.isArray(modules) ? modules.find((m) => typeof m?.type === 'string' && m.type.endsWith('Pooling')) : undefined;
      // The module path comes from the repository: only a plain folder name is followed.
      if (pooling && (!pooling.path || isPlainName(pooling.path))) await this.fetchFile(`${pooling.path ? `${pooling.path}/` : ''}config.json`, false);
      // A model whose pipeline cannot be reproduced fails now, before its weights are fetched.
      readProfile(this.staging, id);
      const dtype = await this.fetchWeights(config);
      this.carryOverOtherWeights();
      const manifest: DownloadManifest = {
        format: 1,
        id,
        revision: this.revision,
        commit: this.commit,
        remoteHost: this.host,
        dtype,
        files: this.files,
        downloadedAt: new Date().toISOString(),
      };
      fs.writeFileSync(path.join(this.staging, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
      const problem = checkModelFolder(this.staging, id, dtype);
      if (problem) throw new ModelDownloadError(id, `the files of ${id} from ${this.host} do not make a usable model: ${problem}`);
      this.moveIntoPlace();
      return this.target;
    } catch (err) {
      fs.rmSync(this.staging, { recursive: true, force: true });
      if (this.req.signal?.aborted) throw this.cancelled();
      if (err instanceof ModelNotFoundError || err instanceof ModelDownloadError || err instanceof ModelProfileError) throw err;
      throw new ModelDownloadError(id, `could not download ${id} from ${this.host}: ${(err as Error).message}`);
    }
  }

  /** The ONNX weights: the requested precision, else the first the hub has. */
  private async fetchWeights(config: Record<string, unknown>): Promise<Dtype> {
    const fromConfig = (config['transformers.js_config'] as { dtype?: unknown } | undefined)?.dtype;
    // The model's own semantic-notes.json dtype is binding (readProfile would insist on it).
    let own: unknown;
    try {
      own = (JSON.parse(fs.readFileSync(path.join(this.staging, 'semantic-notes.json'), 'utf8')) as { dtype?: unknown }).dtype;
    } catch {
      own = undefined;
    }
    const order: Dtype[] = [];
    const wanted = this.req.dtype
      ? [this.req.dtype]
      : isDtype(own)
        ? [own]
        : [isDtype(fromConfig) ? fromConfig : undefined, CATALOG[this.req.id]?.dtype, 'q8' as const, 'fp32' as const];
    for (const d of wanted) if (d && !order.includes(d)) order.push(d);
    for (const d of order) {
      if (await this.fetchFile(`onnx/${ONNX_FILE[d]}`, false)) {
        for (const chunk of externalDataFiles(config, d)) await this.fetchRequired(chunk);
        return d;
      }
    }
    const tried = order.map((d) => `onnx/${ONNX_FILE[d]}`).join(', ');
    throw new ModelDownloadError(
      this.req.id,
      `${this.req.id} on ${this.host} has no ONNX weights for transformers.js (looked for ${tried})${this.req.dtype ? `; try another precision than ${this.req.dtype}` : '; it may not have been exported to ONNX'}`,
    );
  }

  /** Keeps weights of other precisions already in the cache when they come from the same commit. */
  private carryOverOtherWeights(): void {
    const old = readManifest(this.target);
    if (!old || old.commit !== this.commit) return;
    for (const [name, rec] of Object.entries(old.files)) {
      if (this.files[name] || !name.startsWith('onnx/')) continue;
      const src = path.join(this.target, name);
      try {
        if (fs.statSync(src).size !== rec.size) continue;
        fs.mkdirSync(path.dirname(path.join(this.staging, name)), { recursive: true });
        fs.renameSync(src, path.join(this.staging, name));
        this.files[name] = rec;
      } catch {
        // Gone or unreadable: simply not carried over.
      }
    }
  }

  private moveIntoPlace(): void {
    fs.mkdirSync(path.dirname(this.target), { recursive: true });
    try {
      fs.renameSync(this.staging, this.target);
      return;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'EPERM') throw err;
    }
    // An older (or concurrently finished) copy is in the way: swap it out, then drop it.
    const trash = path.join(this.partialDir, `trash.${process.pid}.${crypto.randomBytes(4).toString('hex')}`);
    fs.renameSync(this.target, trash);
    fs.renameSync(this.staging, this.target);
    fs.rmSync(trash, { recursive: true, force: true });
  }

  private async fetchJson(name: string, required = true): Promise<Record<string, unknown> | null> {
    if (!(await this.fetchFile(name, required))) return null;
    try {
      return JSON.parse(fs.readFileSync(path.join(this.staging, name), 'utf8')) as Record<string, unknown>;
    } catch (err) {
      if (!required) return null;
      throw new ModelDownloadError(this.req.id, `${name} of ${this.req.id} from ${this.host} is not valid JSON (${(err as Error).message})`, { file: name });
    }
  }

  private async fetchRequired(name: string): Promise<void> {
    await this.fetchFile(name, true);
  }

  private url(name: string): string {
    return `${this.host}/${this.req.id}/resolve/${encodeURIComponent(this.revision)}/${name.split('/').map(encodeURIComponent).join('/')}`;
  }

  /** Downloads one file into the staging folder. False when an optional file does not exist. */
  private async fetchFile(name: string, required: boolean): Promise<boolean> {
    const dest = path.join(this.staging, name);
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    const attempts = Math.max(1, this.req.attempts ?? 3);
    let lastError: Error | null = null;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        const got = await this.transfer(name, dest, required, fileSize(dest) ?? 0);
        if (got === null) return false;
        this.files[name] = got;
        return true;
      } catch (err) {
        if (this.req.signal?.aborted) throw this.cancelled();
        if (!(err instanceof RetryableError)) throw err;
        lastError = err;
        if (attempt < attempts) await sleep((this.req.retryDelayMs ?? 300) * attempt, this.req.signal);
      }
    }
    throw new ModelDownloadError(this.req.id, `could not download ${name} of ${this.req.id} from ${this.host} after ${attempts} tries: ${lastError?.message}`, { file: name });
  }

  /** One attempt at one file, resuming at `offset` when there is a partial copy. */
  private async transfer(name: string, dest: string, required: boolean, offset: number): Promise<FileRecord | null> {
    const idle = this.req.idleTimeoutMs ?? 60_000;
    const ac = new AbortController();
    const onAbort = () => ac.abort(this.req.signal?.reason);
    this.req.signal?.addEventListener('abort', onAbort, { once: true });
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => ac.abort(new RetryableError(`no data for ${idle >= 1000 ? `${Math.round(idle / 1000)} s` : `${idle} ms`}`)), idle);
    };
    arm();
    let fh: fs.promises.FileHandle | undefined;
    try {
      const hub = await this.get(this.url(name), ac.signal, offset);
      const { res } = hub;
      if (res.status === 404 || res.status === 401 || res.status === 403) {
        await res.body?.cancel().catch(() => {});
        this.failForStatus(name, res.status, required);
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
        throw new ModelDownloadError(this.req.id, `${name} of ${this.req.id}: ${this.host} answered HTTP ${res.status}`, { file: name, status: res.status });
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
      this.progress({ file: name, loaded, total, status: 'download' });
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
            this.progress({ file: name, loaded, total, status: 'progress' });
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
      this.progress({ file: name, loaded, total: total || loaded, status: 'done' });
      return record;
    } catch (err) {
      if (err instanceof RetryableError || err instanceof ModelDownloadError || err instanceof ModelNotFoundError) throw err;
      throw this.transferError(err, ac.signal, 'request failed');
    } finally {
      clearTimeout(timer);
      this.req.signal?.removeEventListener('abort', onAbort);
      await fh?.close().catch(() => {});
    }
  }

  /** GET with redirects followed by hand, to read the hub's own headers on the first answer. */
  private async get(url: string, signal: AbortSignal, offset: number): Promise<{ res: Response; commit?: string; linkedSize?: number; sha256?: string }> {
    const origin = new URL(url).origin;
    const token = process.env.HF_TOKEN ?? process.env.HF_ACCESS_TOKEN;
    const sendToken = token && /(^|\.)(huggingface\.co|hf\.co)$/.test(new URL(url).hostname);
    let current = url;
    let commit: string | undefined;
    let linkedSize: number | undefined;
    let sha256: string | undefined;
    for (let hop = 0; hop < 10; hop++) {
      const headers: Record<string, string> = { 'accept-encoding': 'identity', 'user-agent': 'semantic-notes' };
      if (offset > 0) headers.range = `bytes=${offset}-`;
      // The token goes to the hub only, never to the storage host a redirect points at.
      if (sendToken && new URL(current).origin === origin) headers.authorization = `Bearer ${token}`;
      const res = await fetch(current, { redirect: 'manual', signal, headers });
      commit ??= res.headers.get('x-repo-commit') ?? undefined;
      const size = res.headers.get('x-linked-size');
      if (size && linkedSize === undefined && /^\d+$/.test(size)) linkedSize = Number(size);
      // For LFS files the hub states the content's sha256 as X-Linked-Etag.
      const etag = res.headers.get('x-linked-etag')?.replace(/^W\//, '').replace(/"/g, '');
      if (etag && sha256 === undefined && /^[0-9a-f]{64}$/.test(etag)) sha256 = etag;
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location) {
        await res.body?.cancel().catch(() => {});
        current = new URL(location, current).href;
        continue;
      }
      return { res, commit, linkedSize, sha256 };
    }
    throw new ModelDownloadError(this.req.id, `too many redirects fetching ${url}`);
  }

  private failForStatus(name: string, status: number, required: boolean): void {
    const { id } = this.req;
    const where = `${this.host}/${id}`;
    if (name === 'config.json' && (status === 404 || status === 401)) {
      // The hub answers 401 for repositories that do not exist (or are private).
      throw new ModelNotFoundError(id, [...(this.req.searched ?? []), where], true, [
        ...(this.req.details ?? []),
        `The hub has no model ${id}${this.revision === 'main' ? '' : ` at revision ${this.revision}`} (HTTP ${status} for config.json; private models need HF_TOKEN)`,
      ]);
    }
    if (status === 401 || status === 403) {
      throw new ModelDownloadError(id, `access to ${id} on ${this.host} was refused (HTTP ${status}): it is gated or private — accept its terms on the hub and set HF_TOKEN`, { file: name, status });
    }
    if (required) {
      throw new ModelDownloadError(id, `${id} on ${this.host} has no ${name} (HTTP 404), which transformers.js needs: it is not a transformers.js model`, { file: name, status });
    }
  }

  private transferError(err: unknown, signal: AbortSignal, what: string): Error {
    if (this.req.signal?.aborted) return this.cancelled();
    if (signal.aborted && signal.reason instanceof RetryableError) return signal.reason;
    const e = err as Error & { cause?: { message?: string; code?: string } };
    const detail = e?.cause?.message ?? e?.cause?.code ?? e?.message ?? String(err);
    return new RetryableError(`${what} (${detail})`);
  }

  private cancelled(): ModelDownloadError {
    return new ModelDownloadError(this.req.id, `the download of ${this.req.id} was cancelled`, { cancelled: true });
  }

  private throwIfCancelled(): void {
    if (this.req.signal?.aborted) throw this.cancelled();
  }

  private progress(p: DownloadProgress): void {
    try {
      this.req.onProgress?.(p);
    } catch {
      // A failing progress display must not fail the download.
    }
  }
}

/** Removes staging folders left by processes that no longer run (killed mid-download). */
function removeAbandoned(partialDir: string): void {
  let entries: string[];
  try {
    entries = fs.readdirSync(partialDir);
  } catch {
    return;
  }
  for (const name of entries) {
    const m = /\.(\d+)\.[0-9a-f]+$/.exec(name);
    if (!m || isAlive(Number(m[1]))) continue;
    fs.rmSync(path.join(partialDir, name), { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function isPlainName(name: string): boolean {
  return /^[\w-][\w.-]*$/.test(name) && !name.includes('..');
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
