// Retrieval and correlation metrics with the definitions BEIR reports (pytrec_eval): nDCG with
// linear gains and log2 discounts, recall against every judged-relevant document, reciprocal
// rank of the first relevant one.

export type Qrels = Map<string, number>;

export function ndcgAtK(ranked: string[], qrels: Qrels, k: number): number {
  let dcg = 0;
  ranked.slice(0, k).forEach((doc, i) => {
    const rel = qrels.get(doc) ?? 0;
    if (rel > 0) dcg += rel / Math.log2(i + 2);
  });
  const ideal = [...qrels.values()].filter((r) => r > 0).sort((a, b) => b - a).slice(0, k);
  const idcg = ideal.reduce((s, rel, i) => s + rel / Math.log2(i + 2), 0);
  return idcg === 0 ? 0 : dcg / idcg;
}

export function recallAtK(ranked: string[], qrels: Qrels, k: number): number {
  const relevant = [...qrels.values()].filter((r) => r > 0).length;
  if (relevant === 0) return 0;
  return ranked.slice(0, k).filter((d) => (qrels.get(d) ?? 0) > 0).length / relevant;
}

export function mrrAtK(ranked: string[], qrels: Qrels, k: number): number {
  const i = ranked.slice(0, k).findIndex((d) => (qrels.get(d) ?? 0) > 0);
  return i < 0 ? 0 : 1 / (i + 1);
}

export function pearson(a: number[], b: number[]): number {
  if (a.length !== b.length || a.length < 2) throw new Error('pearson needs two series of equal length ≥ 2');
  const n = a.length;
  const ma = a.reduce((s, x) => s + x, 0) / n;
  const mb = b.reduce((s, x) => s + x, 0) / n;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return saa === 0 || sbb === 0 ? 0 : sab / Math.sqrt(saa * sbb);
}

/** Spearman's rho: Pearson of ranks, ties sharing their average rank. */
export function spearman(a: number[], b: number[]): number {
  return pearson(ranks(a), ranks(b));
}

function ranks(v: number[]): number[] {
  const order = v.map((x, i) => [x, i] as const).sort((p, q) => p[0] - q[0]);
  const r = new Array<number>(v.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++;
    const avg = (i + j) / 2 + 1;
    for (let t = i; t <= j; t++) r[order[t][1]] = avg;
    i = j + 1;
  }
  return r;
}
