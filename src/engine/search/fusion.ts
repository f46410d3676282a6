// Reciprocal Rank Fusion (Cormack et al. 2009): score = Σ weight / (k + rank), rank from 1.
// It needs no score calibration between lists, which is why BM25 and cosine can be fused.

export function reciprocalRankFusion<T>(
  lists: Array<{ items: T[]; weight?: number }>,
  key: (t: T) => string | number,
  k = 60,
): Array<{ item: T; score: number; ranks: (number | null)[] }> {
  const acc = new Map<string | number, { item: T; score: number; ranks: (number | null)[]; first: number }>();
  let order = 0;
  lists.forEach((list, li) => {
    const w = list.weight ?? 1;
    list.items.forEach((item, i) => {
      const id = key(item);
      let e = acc.get(id);
      if (!e) {
        e = { item, score: 0, ranks: lists.map(() => null), first: order++ };
        acc.set(id, e);
      }
      if (e.ranks[li] !== null) return; // a duplicate within one list counts once, at its best rank
      e.ranks[li] = i + 1;
      e.score += w / (k + i + 1);
    });
  });
  return [...acc.values()].sort((a, b) => b.score - a.score || a.first - b.first).map(({ item, score, ranks }) => ({ item, score, ranks }));
}
