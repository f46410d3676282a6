// HTTP with the Hugging Face hub (or a mirror) in its URL layout
// {remoteHost}/{id}/resolve/{revision}/{file}, the URLs transformers.js builds from env.remoteHost
// + env.remotePathTemplate. Only the wire: which files to fetch and what to do with them is
// download.ts's, retries and resuming fileTransfer.ts's.

export const DEFAULT_REMOTE_HOST = 'https://huggingface.co';

/** The hub's answer for a file, with the headers it states on the first hop (before redirects). */
export interface HubResponse {
  res: Response;
  /** X-Repo-Commit: the commit the revision resolved to. */
  commit?: string;
  /** X-Linked-Size: the size of an LFS file. */
  linkedSize?: number;
  /** X-Linked-Etag: the sha256 of an LFS file's content. */
  sha256?: string;
}

export function hubFileUrl(host: string, id: string, revision: string, name: string): string {
  return `${host}/${id}/resolve/${encodeURIComponent(revision)}/${name.split('/').map(encodeURIComponent).join('/')}`;
}

/** GET with redirects followed by hand, to read the hub's own headers on the first answer. */
export async function hubGet(url: string, signal: AbortSignal, offset: number): Promise<HubResponse> {
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
  throw new Error(`too many redirects fetching ${url}`);
}
