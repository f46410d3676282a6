// The k best (id, score) pairs of a stream, in one fixed-size binary min-heap: the root is the
// worst of the best, so most candidates cost one comparison. Ties are broken by id (the smaller
// id is better), so results never depend on the order candidates arrive in. Used by keyword
// search (bm25.ts) and exact vector search (vectorIndex.ts).

export interface ScoredId {
  id: number;
  score: number;
}

export class TopK {
  private ids: Float64Array;
  private scores: Float64Array;
  private size = 0;
  private k = 0;

  constructor(k = 0) {
    this.ids = new Float64Array(Math.max(1, k));
    this.scores = new Float64Array(Math.max(1, k));
    this.k = k;
  }

  /** Empties the heap for a new search of the best `k`, reusing its arrays when they fit. */
  reset(k: number): this {
    if (this.ids.length < k) {
      this.ids = new Float64Array(k);
      this.scores = new Float64Array(k);
    }
    this.k = k;
    this.size = 0;
    return this;
  }

  /** Whether (id, score) would enter the best k now: cheap, for skipping costly checks. */
  wouldEnter(id: number, score: number): boolean {
    return this.size < this.k || this.better(score, id, this.scores[0], this.ids[0]);
  }

  push(id: number, score: number): void {
    if (this.k === 0) return;
    const ids = this.ids;
    const sc = this.scores;
    if (this.size < this.k) {
      let j = this.size++;
      while (j > 0) {
        const p = (j - 1) >> 1;
        if (!this.better(sc[p], ids[p], score, id)) break;
        ids[j] = ids[p];
        sc[j] = sc[p];
        j = p;
      }
      ids[j] = id;
      sc[j] = score;
      return;
    }
    if (!this.better(score, id, sc[0], ids[0])) return;
    let j = 0;
    for (;;) {
      const l = 2 * j + 1;
      if (l >= this.size) break;
      const r = l + 1;
      const m = r < this.size && this.better(sc[l], ids[l], sc[r], ids[r]) ? r : l;
      if (!this.better(score, id, sc[m], ids[m])) break;
      ids[j] = ids[m];
      sc[j] = sc[m];
      j = m;
    }
    ids[j] = id;
    sc[j] = score;
  }

  /** The pairs kept, best first (descending score, then ascending id). */
  sorted(): ScoredId[] {
    const out: ScoredId[] = new Array(this.size);
    for (let i = 0; i < this.size; i++) out[i] = { id: this.ids[i], score: this.scores[i] };
    return out.sort((a, b) => b.score - a.score || a.id - b.id);
  }

  /** a is better than b: a higher score, or an equal score and a smaller id. */
  private better(sa: number, ia: number, sb: number, ib: number): boolean {
    return sa > sb || (sa === sb && ia < ib);
  }
}
