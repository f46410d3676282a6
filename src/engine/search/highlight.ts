// Which words of a result to highlight for a query: whole words only (never "sleep" inside
// "asleep"), matched the way keyword search matches them: each word goes through the keyword
// index's own tokenizer (stopwords dropped, English Porter stems, Korean particles stripped and
// bigrams), so "Bake" lights up for "baking" and "기차가" for "기차". The last query word also
// matches as a prefix, as it does while the query is being typed. No vscode import: unit-tested
// headless. The service computes the ranges with each search hit, so the editor never runs the
// tokenizer; the search view only paints them.
import { tokenize } from './tokenize';

/** [start, end) offsets in UTF-16 code units, ascending, not overlapping. */
export type Range = [number, number];

const WORD = /[\p{L}\p{M}\p{N}]+(?:['’][\p{L}\p{M}]+)*/gu;
/** A last word shorter than this is too unspecific to light up every word it starts. */
const MIN_PREFIX = 3;

export interface QueryMatcher {
  /** Whole-word ranges of `text` that match the query. */
  ranges(text: string): Range[];
}

export function queryMatcher(query: string): QueryMatcher {
  const terms = new Set(tokenize(query));
  const words = query.toLowerCase().match(WORD) ?? [];
  // A query still being typed ends in a word; one that ends in a space or punctuation does not.
  const last = words.length && /[\p{L}\p{M}\p{N}]$/u.test(query) ? words[words.length - 1] : '';
  const prefix = last.length >= MIN_PREFIX ? last : '';
  const cache = new Map<string, boolean>();
  const matches = (word: string): boolean => {
    let hit = cache.get(word);
    if (hit === undefined) {
      const lower = word.toLowerCase();
      hit = (prefix !== '' && lower.startsWith(prefix)) || tokenize(word).some((t) => terms.has(t));
      cache.set(word, hit);
    }
    return hit;
  };
  return {
    ranges(text: string): Range[] {
      const out: Range[] = [];
      if (!terms.size && !prefix) return out;
      for (const m of text.matchAll(WORD)) {
        if (matches(m[0])) out.push([m.index!, m.index! + m[0].length]);
      }
      return out;
    },
  };
}
