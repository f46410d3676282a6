// Shared helpers of the benchmarks. Every speed figure is a ratio of two things measured side by
// side in the same run (interleaved, repeated, median), or a growth factor across sizes.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Encoder } from '../src/engine/embedding/encoder';
import { loadModel } from '../src/engine/models/load';
import { resolveModel } from '../src/engine/models/resolve';

export const repoRoot = path.resolve(__dirname, '..', '..');
export const sharedDir = path.resolve(repoRoot, '..', 'shared');
export const modelsDir = process.env.SEMANTIC_NOTES_MODELS ?? path.join(sharedDir, 'models');
export const dataDir = path.join(sharedDir, 'data');
export const quick = process.argv.includes('--quick');

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** Runs A and B alternately `reps` times; returns each one's median time in ms. */
export async function abMedian(reps: number, a: () => Promise<unknown> | unknown, b: () => Promise<unknown> | unknown): Promise<{ a: number; b: number }> {
  const ta: number[] = [];
  const tb: number[] = [];
  for (let i = 0; i < reps; i++) {
    for (const [fn, out] of (i % 2 ? [[b, tb], [a, ta]] : [[a, ta], [b, tb]]) as [() => unknown, number[]][]) {
      const t = nowMs();
      await fn();
      out.push(nowMs() - t);
    }
  }
  return { a: median(ta), b: median(tb) };
}

export async function encoder(id = 'semantic-notes/static-en'): Promise<Encoder> {
  return new Encoder(await loadModel(await resolveModel(id, { modelsDir }), 'embedding'));
}

/** The notes corpus, extracted once per machine into the temp folder (never into the repo). */
export function notesCorpus(): string {
  const dir = path.join(os.tmpdir(), 'semantic-notes-bench');
  const root = path.join(dir, 'notes-corpus');
  if (!fs.existsSync(path.join(root, 'SOURCES.md'))) {
    fs.mkdirSync(dir, { recursive: true });
    execFileSync('tar', ['xzf', path.join(dataDir, 'notes-corpus.tar.gz'), '-C', dir]);
  }
  return root;
}

export function writeResult(name: string, value: unknown): void {
  const dir = path.join(repoRoot, 'bench', 'results');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, `${name}${quick ? '.quick' : ''}.json`), JSON.stringify({ measuredAt: new Date().toISOString(), quick, machine: `${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB`, ...(value as object) }, null, 2));
}

export function table(rows: Record<string, unknown>[]): void {
  if (!rows.length) return;
  const cols = Object.keys(rows[0]);
  const w = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c]).length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(w[i])).join(' | ')} |`;
  console.log(line(cols));
  console.log(line(w.map((n) => '-'.repeat(n))));
  for (const r of rows) console.log(line(cols.map((c) => String(r[c]))));
}

export const fmt = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : String(x));
export const bar = (ok: boolean) => (ok ? 'met' : 'NOT met');
