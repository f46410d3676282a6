// Load, through the real background service: 50 searches at once (keyword, semantic and hybrid,
// English and Korean) while the service indexes 3,570 notes of the corpus. None may be lost or
// fail, each answers from what is indexed so far, and indexing still ends complete. The latency
// percentiles are printed (not asserted: the machine's load decides them).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Requests, type FolderHit, type SearchResult, type FolderStatus, type IndexSummary, type SearchMode } from '../../src/protocol/protocol';
import { dataDir, modelsDir, tmpDir } from '../helpers/env';
import { serviceConfig, startService } from '../helpers/service';

const QUERIES = ['list files in a directory', 'compress a folder into an archive', 'show running processes', 'change file permissions', 'download a file over http', '파일 압축', '디렉토리 목록 보기', '프로세스 종료', '네트워크 인터페이스 설정', 'systemctl'];
const MODES: SearchMode[] = ['keyword', 'semantic', 'hybrid'];

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

test('50 concurrent searches while the service indexes the corpus: none lost, none failed', { timeout: 600_000 }, async () => {
  const dir = tmpDir('sn-load-');
  execFileSync('tar', ['xzf', path.join(dataDir(), 'notes-corpus.tar.gz'), '-C', dir, 'notes-corpus/tldr-en/linux', 'notes-corpus/tldr-ko/linux']);
  const root = path.join(dir, 'notes-corpus');
  const total = (fs.readdirSync(root, { recursive: true }) as string[]).filter((f) => f.endsWith('.md')).length;
  const svc = startService();
  try {
    await svc.conn.sendRequest(Requests.configure.method, serviceConfig({ modelsDir: modelsDir() }));
    const folderId = 'file:///load';
    await svc.conn.sendRequest(Requests.openFolder.method, { id: folderId, root, storeDir: tmpDir('sn-load-store-') });
    const syncing = svc.conn.sendRequest(Requests.sync.method, { folderId }) as Promise<IndexSummary>;

    // Wait until a few hundred notes are in, then fire all 50 at once.
    const start = Date.now();
    while (!svc.progress.some((p) => p.phase === 'index' && p.done >= 200)) {
      assert.ok(Date.now() - start < 300_000, 'indexing never progressed');
      await new Promise((r) => setTimeout(r, 20));
    }
    const [before] = (await svc.conn.sendRequest(Requests.status.method)) as FolderStatus[];
    assert.equal(before.indexing, true, 'the searches overlap the indexing');
    const latencies: number[] = [];
    const searches = Array.from({ length: 50 }, (_, i) => {
      const query = QUERIES[i % QUERIES.length];
      const mode = MODES[i % MODES.length];
      const t0 = performance.now();
      return (svc.conn.sendRequest(Requests.search.method, { query, mode, rerank: false, k: 10 }) as Promise<SearchResult>).then(({ hits }) => {
        latencies.push(performance.now() - t0);
        return { query, mode, hits };
      });
    });
    const results = await Promise.allSettled(searches);
    const failed = results.filter((r) => r.status === 'rejected');
    assert.deepEqual(failed.map((r) => String((r as PromiseRejectedResult).reason)), [], 'no search failed');
    const [during] = (await svc.conn.sendRequest(Requests.status.method)) as FolderStatus[];
    let withHits = 0;
    for (const r of results) {
      const { query, mode, hits } = (r as PromiseFulfilledResult<{ query: string; mode: SearchMode; hits: FolderHit[] }>).value;
      // What is indexed so far may not hold a Korean note yet: an empty list is an answer too.
      assert.ok(Array.isArray(hits) && hits.length <= 10, `${mode} "${query}" answered ${JSON.stringify(hits)}`);
      if (hits.length) withHits++;
      for (const h of hits) assert.ok(h.folderId === folderId && h.path.endsWith('.md') && Number.isFinite(h.score) && h.startLine >= 1, JSON.stringify(h));
    }
    latencies.sort((a, b) => a - b);
    const summary = await syncing;
    assert.equal(summary.files, total, 'indexing finished complete after the load');
    // After indexing, the same 50 at once all find notes.
    const after = await Promise.all(searches.map((_, i) => (svc.conn.sendRequest(Requests.search.method, { query: QUERIES[i % QUERIES.length], mode: MODES[i % MODES.length], rerank: false, k: 10 }) as Promise<SearchResult>).then((r) => r.hits)));
    after.forEach((hits, i) => assert.ok(hits.length > 0, `${MODES[i % MODES.length]} "${QUERIES[i % QUERIES.length]}" finds notes once indexed`));
    const systemctl = ((await svc.conn.sendRequest(Requests.search.method, { query: 'systemctl', mode: 'keyword', rerank: false, k: 10 })) as SearchResult).hits;
    assert.ok(systemctl.length === 10 && systemctl.every((h) => /linux\/systemctl[^/]*\.md$/.test(h.path)), JSON.stringify(systemctl.map((h) => h.path)));
    assert.equal(svc.exited, null);
    console.log(
      `[load] 50/50 concurrent searches answered during indexing (${withHits} with hits; ${during.files}/${total} notes indexed when they were done): ` +
        `p50 ${percentile(latencies, 50).toFixed(0)} ms, p95 ${percentile(latencies, 95).toFixed(0)} ms, max ${latencies[latencies.length - 1].toFixed(0)} ms; ` +
        `then indexing finished: ${summary.files} notes, ${summary.chunks} passages`,
    );
  } finally {
    await svc.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
