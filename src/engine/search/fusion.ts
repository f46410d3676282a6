// Reciprocal Rank Fusion (Cormack, Clarke & Büttcher, SIGIR 2009):
//   score(d) = Σ_lists weight / (k + rank_list(d)),  rank 1-based; a list without d adds nothing.
// It needs no calibration between the lists' scores, which is why BM25 and cosine can be fused.
//
// Determinism: results are ordered by score (descending); equal scores by the better best rank
// across lists, then by first appearance (earlier list, then earlier position). The sum is taken
// in list order, so the same input always gives bit-identical scores. An item listed twice in one
// list counts once, at its better (earlier) rank. The item returned is its first occurrence.

/** Ways to fuse a keyword and a semantic ranking (see fuseRankings). */
export const FUSION_METHODS = ['convex', 'rrf'] as const;

export interface FusionSettings {
  /**
   * 'convex': semanticWeight·s + (1 − semanticWeight)·k over normalized scores (Bruch et al.,
   * TOIS 2023); 'rrf': Reciprocal Rank Fusion with weights semanticWeight and 1 − semanticWeight.
   */
  method: (typeof FUSION_METHODS)[number];
  /** Share of the semantic list, 0..1: 0 is keyword search alone, 1 semantic alone. */
  semanticWeight: number;
  /** RRF's k (only for 'rrf'). */
  rrfK: number;
}

export interface FusedItem<T> {
  item: T;
  score: number;
  /** Rank of the item in each input list (1-based), null where it is absent. */
  ranks: (number | null)[];
}

export function reciprocalRankFusion<T>(
  lists: Array<{ items: T[]; weight?: number }>,
  key: (t: T) => string | number,
  k = 60,
): Array<FusedItem<T>> {
  if (!(Number.isFinite(k) && k >= 0)) throw new RangeError(`RRF k must be a finite number ≥ 0 (got ${k})`);
  const weights = lists.map((l, i) => {
    const w = l.weight ?? 1;
    if (!(Number.isFinite(w) && w >= 0)) throw new RangeError(`RRF weight of list ${i} must be a finite number ≥ 0 (got ${w})`);
    return w;
  });
  interface Entry extends FusedItem<T> {
    best: number;
    order: number;
  }
  const acc = new Map<string | number, Entry>();
  let order = 0;
  lists.forEach((list, li) => {
    const w = weights[li];
    list.items.forEach((item, i) => {
      const id = key(item);
      let e = acc.get(id);
      if (!e) {
        e = { item, score: 0, ranks: new Array<number | null>(lists.length).fill(null), best: Infinity, order: order++ };
        acc.set(id, e);
      }
      if (e.ranks[li] !== null) return;
      const rank = i + 1;
      e.ranks[li] = rank;
      e.score += w / (k + rank);
      if (rank < e.best) e.best = rank;
    });
  });
  return [...acc.values()]
    .sort((a, b) => b.score - a.score || a.best - b.best || a.order - b.order)
    .map(({ item, score, ranks }) => ({ item, score, ranks }));
}

/** A candidate passage with its raw score in each list, null where the list does not hold it. */
export interface ScoredCandidate<T> {
  item: T;
  keyword: number | null;
  semantic: number | null;
}

/**
 * Convex combination of normalized scores (Bruch, Gai & Ingber, "An Analysis of Fusion Functions
 * for Hybrid Retrieval", ACM TOIS 2023, their TM2C2):
 *   score(d) = α · (s(d) − m_s) / (max s − m_s) + (1 − α) · (k(d) − m_k) / (max k − m_k)
 * where max is taken over this query's candidates and m is the score's theoretical minimum:
 * 0 for BM25, and `semanticFloor` for cosine (−1 in theory; a model whose unrelated texts sit
 * near 0 may state 0). Unlike RRF it keeps how far apart the scores are, so a keyword match that
 * towers over the rest is not pulled level with an arbitrary dense neighbour, and α = 0 gives
 * exactly the keyword ranking. A list's missing score counts as its minimum.
 * Ties: the better keyword score, then the better semantic score, then first appearance.
 */
export function convexFusion<T>(candidates: ScoredCandidate<T>[], opts: { semanticWeight: number; semanticFloor?: number }): Array<{ item: T; score: number }> {
  const a = opts.semanticWeight;
  if (!(Number.isFinite(a) && a >= 0 && a <= 1)) throw new RangeError(`fusion semanticWeight must be between 0 and 1 (got ${a})`);
  const floor = opts.semanticFloor ?? -1;
  let kMax = 0;
  let sMax = -Infinity;
  for (const c of candidates) {
    if (c.keyword !== null && c.keyword > kMax) kMax = c.keyword;
    if (c.semantic !== null && c.semantic > sMax) sMax = c.semantic;
  }
  const sSpan = sMax - floor;
  const scored = candidates.map((c, order) => {
    const k = kMax > 0 && c.keyword !== null ? Math.max(c.keyword, 0) / kMax : 0;
    const s = sSpan > 0 && c.semantic !== null ? Math.max(c.semantic - floor, 0) / sSpan : 0;
    return { item: c.item, score: a * s + (1 - a) * k, k: c.keyword ?? -Infinity, s: c.semantic ?? -Infinity, order };
  });
  scored.sort((x, y) => y.score - x.score || y.k - x.k || y.s - x.s || x.order - y.order);
  return scored.map(({ item, score }) => ({ item, score }));
}
