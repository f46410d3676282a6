// Fetches a model from the Hugging Face hub (or a mirror) into the cache: which files make a model
// (config, tokenizer, profile sources, the weights of the right precision) and the manifest that
// records them. The wire is hubHttp.ts, one file with retry and resume fileTransfer.ts, the staging
// folder and its sweeping downloadStaging.ts.
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
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CATALOG } from './catalog';
import { moveIntoPlace, removeAbandoned, stagingFolder } from './downloadStaging';
import { FileTransfer, ModelDownloadError, type DownloadProgress, type FileRecord } from './fileTransfer';
import { DEFAULT_REMOTE_HOST, hubFileUrl } from './hubHttp';
import { MANIFEST_FILE, ModelNotFoundError, checkModelFolder, externalDataFiles, readManifest, type DownloadManifest } from './folder';
import { ModelProfileError, ONNX_FILE, isDtype, readProfile, type Dtype } from './profile';



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

export { DEFAULT_REMOTE_HOST } from './hubHttp';
export { ModelDownloadError, type DownloadProgress } from './fileTransfer';

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



class Downloader {
  private readonly host: string;
  private readonly revision: string;
  private readonly target: string;
  private readonly partialDir: string;
  private readonly staging: string;
  private readonly files: Record<string, FileRecord> = {};
  private readonly transfer: FileTransfer;

  constructor(private readonly req: DownloadRequest) {
    this.host = (req.remoteHost || process.env.HF_ENDPOINT || DEFAULT_REMOTE_HOST).replace(/\/+$/, '');
    this.revision = req.revision ?? 'main';
    this.target = path.join(req.cacheRoot, ...req.id.split('/'));
    this.partialDir = path.join(req.cacheRoot, '.partial');
    this.staging = stagingFolder(this.partialDir, req.id);
    this.transfer = new FileTransfer({
      url: (name) => hubFileUrl(this.host, req.id, this.revision, name),
      signal: req.signal,
      idleTimeoutMs: req.idleTimeoutMs,
      attempts: req.attempts,
      retryDelayMs: req.retryDelayMs,
      onProgress: (p) => req.onProgress?.(p),
      onMissing: (name, status, required) => this.failForStatus(name, status, required),
      describe: (name) => `${name} of ${req.id} from ${this.host}`,
      fail: (message, info) => new ModelDownloadError(req.id, message, info),
      cancelled: () => this.cancelled(),
    });
  }

  private get commit(): string | null {
    return this.transfer.commit;
  }

  /** Downloads one file into the staging folder. False when an optional file does not exist. */
  private async fetchFile(name: string, required: boolean): Promise<boolean> {
    const dest = path.join(this.staging, name);
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    const got = await this.transfer.fetch(name, dest, required);
    if (got === null) return false;
    this.files[name] = got;
    return true;
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
      moveIntoPlace(this.staging, this.target, this.partialDir);
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

  private cancelled(): ModelDownloadError {
    return new ModelDownloadError(this.req.id, `the download of ${this.req.id} was cancelled`, { cancelled: true });
  }

  private throwIfCancelled(): void {
    if (this.req.signal?.aborted) throw this.cancelled();
  }

}



export function isPlainName(name: string): boolean {
  return /^[\w-][\w.-]*$/.test(name) && !name.includes('..');
}



