// A loopback stand-in for the Hugging Face hub (127.0.0.1 only): serves model folders under
// {url}/{org}/{name}/resolve/{revision}/{file}. Like the real hub, answers carry X-Repo-Commit,
// and LFS-style files (*.onnx*) can be redirected to a storage path with X-Linked-Etag (sha256)
// and X-Linked-Size on the redirect. Faults can be injected per request.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { modelsDir, tmpDir } from '../../helpers/env';

export interface Fault {
  /** Send only this many body bytes, then destroy the socket. */
  dropAfter?: number;
  /** Send this many bytes, then go silent (keep the socket open). */
  stallAfter?: number;
  status?: number;
}

export interface HubOptions {
  /** Redirect *.onnx* like LFS files, with X-Linked-Etag / X-Linked-Size on the redirect. */
  lfs?: boolean;
  /** Lie about the sha256 of LFS files. */
  wrongSha?: boolean;
  /** Honour Range requests (default true). */
  ranges?: boolean;
  /** Per-request fault: file path inside the model, and how many times it was asked for before. */
  fault?: (file: string, nth: number) => Fault | undefined;
  /** Delay before each body, ms. */
  delayMs?: number;
}

export interface Hub {
  url: string;
  requests: { url: string; range?: string }[];
  close(): Promise<void>;
}

/** Folder of models: `<root>/<org>/<name>/` for main, `<root>/@<rev>/<org>/<name>/` for other revisions. */
export async function startHub(root: string, opts: HubOptions = {}): Promise<Hub> {
  const requests: Hub['requests'] = [];
  const counts = new Map<string, number>();
  const sockets = new Set<import('node:net').Socket>();
  const server = http.createServer((req, res) => {
    const url = req.url ?? '';
    requests.push({ url, range: req.headers.range });
    const storage = /^\/storage\/(.+)$/.exec(url);
    const m = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(url);
    let rel: string;
    let rev: string;
    if (storage) {
      [rev, rel] = JSON.parse(Buffer.from(storage[1], 'base64url').toString()) as [string, string];
    } else if (m) {
      rev = decodeURIComponent(m[2]);
      rel = `${m[1]}/${m[3].split('/').map(decodeURIComponent).join('/')}`;
    } else {
      res.writeHead(400).end();
      return;
    }
    const base = rev === 'main' ? root : path.join(root, `@${rev}`);
    const file = path.join(base, rel);
    const inModel = rel.split('/').slice(2).join('/');
    const commit = crypto.createHash('sha1').update(rev).digest('hex');
    if (!file.startsWith(base + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      // The real hub answers 401 for a repository it does not know, 404 for a missing file.
      const repoExists = fs.existsSync(path.join(base, rel.split('/').slice(0, 2).join('/')));
      res.writeHead(repoExists ? 404 : 401, { 'x-repo-commit': commit }).end('not found');
      return;
    }
    const body = fs.readFileSync(file);
    if (opts.lfs && !storage && /\.onnx/.test(inModel)) {
      const sha = crypto.createHash('sha256').update(opts.wrongSha ? 'x' : body).digest('hex');
      const to = `/storage/${Buffer.from(JSON.stringify([rev, rel])).toString('base64url')}`;
      res.writeHead(302, { location: to, 'x-linked-etag': `"${sha}"`, 'x-linked-size': String(body.length), 'x-repo-commit': commit }).end();
      return;
    }
    const key = inModel;
    const nth = counts.get(key) ?? 0;
    counts.set(key, nth + 1);
    const fault = opts.fault?.(inModel, nth);
    if (fault?.status) {
      res.writeHead(fault.status).end('fault');
      return;
    }
    let start = 0;
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const headers: http.OutgoingHttpHeaders = storage ? {} : { 'x-repo-commit': commit, etag: `"${crypto.createHash('sha1').update(body).digest('hex')}"` };
    if (range && opts.ranges !== false) {
      start = Number(range[1]);
      if (start >= body.length) {
        res.writeHead(416, headers).end();
        return;
      }
      res.writeHead(206, { ...headers, 'content-length': body.length - start, 'content-range': `bytes ${start}-${body.length - 1}/${body.length}` });
    } else {
      res.writeHead(200, { ...headers, 'content-length': body.length });
    }
    const send = () => {
      const rest = body.subarray(start);
      if (fault?.dropAfter !== undefined) {
        res.write(rest.subarray(0, fault.dropAfter), () => res.destroy());
        return;
      }
      if (fault?.stallAfter !== undefined) {
        res.write(rest.subarray(0, fault.stallAfter));
        return;
      }
      res.end(rest);
    };
    if (opts.delayMs) setTimeout(send, opts.delayMs);
    else send();
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** A hub folder holding a copy of semantic-notes-test/tiny-bert as `acme/tiny` (writable). */
export function hubWithTinyBert(extra: (dir: string) => void = () => {}): { root: string; dir: string } {
  const root = tmpDir('sn-hub-');
  const dir = path.join(root, 'acme', 'tiny');
  copyModel(path.join(modelsDir(), 'semantic-notes-test', 'tiny-bert'), dir);
  extra(dir);
  return { root, dir };
}

/** Copies a model folder, leaving the copy writable (the shared fixtures are read-only). */
export function copyModel(from: string, to: string): void {
  fs.cpSync(from, to, { recursive: true });
  const walk = (d: string) => {
    fs.chmodSync(d, 0o755);
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else fs.chmodSync(p, 0o644);
    }
  };
  walk(to);
}

export function sha256(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}
