// Related passages: the passages of other notes nearest to a note, a passage of it, or a text,
// keeping only those that stand out from what the folder offers anyway.
import type { Embedder as Encoder } from '../embedding/encoder';
import type { SearchHit } from '../types';
import { keywordText, type PassageIndex } from './passageIndex';

/**
 * A related passage must sit this many standard deviations above what the other notes offer at
 * best (typicalNoteSimilarity). On the STS dev sets (each first sentence against all 3,000 others,
 * every sentence a note) 1.0 keeps 100 % of paraphrase pairs (gold ≥ 4) and 95 % of related ones
 * (2–4) and drops about 30 % of the pairs rated unrelated (≤ 1), with static-en-v2 and static-ko
 * alike; 1.5 drops half of them but, with the static models, empties the view of most small
 * folders, where their cosines barely separate a real neighbour from the rest.
 */
const STANDS_OUT_Z = 1;
/** Below this many other notes the typical cosine is not known well enough to filter by. */
const MIN_TYPICAL_NOTES = 5;
/** Passages read to learn the typical cosine (an even sample in larger folders). */
const TYPICAL_SAMPLE = 20_000;

export type RelatedTarget = { path: string; line?: number } | { text: string };

/**
 * Passages of other notes nearest to a note (or to the passage at `line` in it), or to a text,
 * keeping only those that stand out from the folder: a cosine at least STANDS_OUT_Z standard
 * deviations above the source's typical cosine with this folder's passages. Without an
 * embedding model, or for a text the model cannot read, it falls back to keyword similarity.
 */
export async function relatedPassages(passages: PassageIndex, encoder: Encoder | null, target: RelatedTarget, k: number): Promise<SearchHit[]> {
  const exclude = 'path' in target ? target.path : null;
  const filter = exclude ? (id: number) => passages.chunks.get(id)?.path !== exclude : undefined;
  let sources: { vector: Float32Array | null; text: string }[];
  if ('path' in target) {
    let chunks = passages.chunksOf(target.path);
    if (target.line !== undefined) {
      const at = chunks.find((c) => target.line! >= c.startLine && target.line! <= c.endLine);
      chunks = at ? [at] : chunks;
    }
    sources = chunks.slice(0, 32).map((c) => ({ vector: passages.vectors?.isBlank(c.id) === false ? passages.vectors.get(c.id)!.slice() : null, text: keywordText(c) }));
  } else {
    const vector = encoder ? (await encoder.embed([target.text], { role: 'passage', priority: 'interactive' }))[0] : null;
    sources = [{ vector: vector && vector.some((x) => x !== 0) ? vector : null, text: target.text }];
  }
  // Each passage of the note asks for its neighbours; a neighbour keeps its best score.
  const best = new Map<number, number>();
  for (const s of sources) {
    let hits = s.vector ? passages.dense(s.vector, k, filter) : passages.keyword(s.text.slice(0, 2000), k, filter);
    if (s.vector) {
      const typical = typicalNoteSimilarity(passages, s.vector, exclude);
      // Too few notes to know what is typical: show the nearest ones.
      if (typical.n >= MIN_TYPICAL_NOTES) hits = hits.filter((h) => h.score - typical.mean >= STANDS_OUT_Z * Math.max(typical.std, 1e-3));
    }
    for (const h of hits) best.set(h.chunk.id, Math.max(best.get(h.chunk.id) ?? -Infinity, h.score));
  }
  return [...best]
    .sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .slice(0, k)
    .map(([id, score]) => passages.toHit({ chunk: passages.chunks.get(id)!, score }));
}

/**
 * How similar the rest of the notes are to a vector: mean and spread, over the other notes, of
 * each note's best passage cosine. A related passage has to stand out from what every note
 * offers at best, not from all passages (most of which are unrelated filler, so any note's best
 * would look exceptional). Orthogonal notes (another script under the bilingual model) share
 * nothing to compare and are left out. Large folders are sampled evenly.
 */
function typicalNoteSimilarity(passages: PassageIndex, v: Float32Array, exclude: string | null): { mean: number; std: number; n: number } {
  const vectors = passages.vectors;
  if (!vectors) return { mean: 0, std: 0, n: 0 };
  const bestOf = new Map<string, number>();
  const stride = Math.max(1, Math.floor(passages.size / TYPICAL_SAMPLE));
  let i = 0;
  for (const c of passages.chunks.values()) {
    if (i++ % stride !== 0 || c.path === exclude) continue;
    const cos = vectors.similarity(v, c.id);
    if (cos !== null && cos > 0 && cos > (bestOf.get(c.path) ?? -Infinity)) bestOf.set(c.path, cos);
  }
  let sum = 0;
  let sumSq = 0;
  for (const x of bestOf.values()) {
    sum += x;
    sumSq += x * x;
  }
  const n = bestOf.size;
  const mean = n ? sum / n : 0;
  return { mean, std: n > 1 ? Math.sqrt(Math.max(sumSq / n - mean * mean, 0)) : 0, n };
}
