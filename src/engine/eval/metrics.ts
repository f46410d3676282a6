// Retrieval and correlation metrics, with the definitions BEIR reports.
//
// Retrieval (per query; average over the queries that have judgements):
// - nDCG@k as pytrec_eval's ndcg_cut: linear gain rel, discount 1/log2(rank+1) over the top k of
//   the run; the ideal DCG uses the k highest judged relevances of the query. Graded qrels work
//   as they are; judgements ≤ 0 give no gain.
// - Recall@k as pytrec_eval's recall_k: relevant documents in the top k / all relevant documents
//   (rel > 0) of the query.
// - MRR@k as BEIR's mrr: 1 / rank of the first relevant document within the top k, else 0.
// `ranked` is the run's document ids, best first. A document listed twice counts at its first
// (best) position only, as in a run file where each document has one score.
//
// Correlation: Pearson's r, and Spearman's rho as Pearson's r of the ranks, tied values sharing
// their average rank (scipy.stats.spearmanr). Both return NaN when a series is constant (the
// coefficient is undefined), as scipy does.

/** Judgements of one query: document id → relevance (> 0 relevant; graded values allowed). */
export type Qrels = ReadonlyMap<string, number>;

function topUnique(ranked: readonly string[], k: number): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const d of ranked) {
    if (out.length >= k) break;
    if (seen.has(d)) continue;
    seen.add(d);
    out.push(d);
  }
  return out;
}

function checkK(k: number): void {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`cut-off k must be a positive integer (got ${k})`);
}

export function ndcgAtK(ranked: readonly string[], qrels: Qrels, k: number): number {
  checkK(k);
  let dcg = 0;
  topUnique(ranked, k).forEach((doc, i) => {
    const rel = qrels.get(doc) ?? 0;
    if (rel > 0) dcg += rel / Math.log2(i + 2);
  });
  const ideal = [...qrels.values()].filter((r) => r > 0).sort((a, b) => b - a).slice(0, k);
  let idcg = 0;
  ideal.forEach((rel, i) => (idcg += rel / Math.log2(i + 2)));
  return idcg === 0 ? 0 : dcg / idcg;
}

export function recallAtK(ranked: readonly string[], qrels: Qrels, k: number): number {
  checkK(k);
  let relevant = 0;
  for (const r of qrels.values()) if (r > 0) relevant++;
  if (relevant === 0) return 0;
  let found = 0;
  for (const d of topUnique(ranked, k)) if ((qrels.get(d) ?? 0) > 0) found++;
  return found / relevant;
}

export function mrrAtK(ranked: readonly string[], qrels: Qrels, k: number): number {
  checkK(k);
  const top = topUnique(ranked, k);
  for (let i = 0; i < top.length; i++) if ((qrels.get(top[i]) ?? 0) > 0) return 1 / (i + 1);
  return 0;
}

function checkSeries(a: readonly number[], b: readonly number[], name: string): void {
  if (a.length !== b.length || a.length < 2) throw new RangeError(`${name} needs two series of equal length ≥ 2 (got ${a.length} and ${b.length})`);
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i]) || !Number.isFinite(b[i])) throw new RangeError(`${name}: value ${i} is not a finite number`);
  }
}

export function pearson(a: readonly number[], b: readonly number[]): number {
  checkSeries(a, b, 'pearson');
  return pearsonUnchecked(a, b);
}

/** Spearman's rho: Pearson's r of the ranks, ties sharing their average rank. */
export function spearman(a: readonly number[], b: readonly number[]): number {
  checkSeries(a, b, 'spearman');
  return pearsonUnchecked(averageRanks(a), averageRanks(b));
}

function pearsonUnchecked(a: readonly number[], b: readonly number[]): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i] - ma;
    const db = b[i] - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  if (saa === 0 || sbb === 0) return NaN;
  // Clamp rounding noise (|r| can come out as 1 + 1e-16).
  return Math.max(-1, Math.min(1, sab / Math.sqrt(saa * sbb)));
}

/** 1-based ranks in ascending order of value; tied values get the mean of their ranks. */
export function averageRanks(v: readonly number[]): number[] {
  const order = v.map((_, i) => i).sort((p, q) => v[p] - v[q] || p - q);
  const r = new Array<number>(v.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && v[order[j + 1]] === v[order[i]]) j++;
    const avg = (i + j) / 2 + 1;
    for (let t = i; t <= j; t++) r[order[t]] = avg;
    i = j + 1;
  }
  return r;
}
