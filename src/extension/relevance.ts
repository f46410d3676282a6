// Relevance a person can read: each hit's score relative to the best hit of its list, in five
// steps. Raw scores mean nothing across ranking modes and models (an RRF sum near 0.03, a BM25 sum
// near 12, a cosine near 0.8), but "this one is about as good as the best" reads the same in all.
// One module so the quick pick, the search view, the Related Notes view and the hover agree.
// No vscode import: it is unit-tested outside the editor (labels are translated by the callers).

/** 5 = best match … 1 = weak. */
export type RelevanceLevel = 1 | 2 | 3 | 4 | 5;

export interface Relevance {
  level: RelevanceLevel;
  /** The hit's score as a share of the best score of the list, 0..1. */
  ratio: number;
}

/** Lower bounds of levels 5, 4, 3 and 2 on the ratio to the best score (below the last: 1). */
export const LEVEL_FLOORS: readonly [number, number, number, number] = [0.95, 0.8, 0.6, 0.4];

/** Stable names of the levels (the callers translate them). */
export const LEVEL_NAMES: Record<RelevanceLevel, 'best' | 'strong' | 'good' | 'related' | 'weak'> = {
  5: 'best',
  4: 'strong',
  3: 'good',
  2: 'related',
  1: 'weak',
};

/**
 * The relevance of each score of one result list (in any order), relative to the list's best.
 * The best hit is always level 5. Scores below zero (a cosine can be) count as zero. A list whose
 * best score is not above zero has no scale: every hit is as good as the best.
 */
export function relativeRelevance(scores: readonly number[]): Relevance[] {
  const finite = scores.map((s) => (Number.isFinite(s) ? Math.max(0, s) : 0));
  const best = Math.max(0, ...finite);
  return finite.map((s) => {
    const ratio = best > 0 ? Math.min(1, s / best) : 1;
    return { level: levelOf(ratio), ratio };
  });
}

export function levelOf(ratio: number): RelevanceLevel {
  const [l5, l4, l3, l2] = LEVEL_FLOORS;
  if (ratio >= l5) return 5;
  if (ratio >= l4) return 4;
  if (ratio >= l3) return 3;
  if (ratio >= l2) return 2;
  return 1;
}

/** A five-step text bar for places that show only text (quick pick, tree rows, hovers): ▰▰▰▱▱. */
export function textBar(level: RelevanceLevel): string {
  return '▰'.repeat(level) + '▱'.repeat(5 - level);
}

/** The raw score as power users want it in a tooltip: 4 significant digits. */
export function rawScore(score: number): string {
  return Number.isFinite(score) ? Number(score.toPrecision(4)).toString() : String(score);
}
