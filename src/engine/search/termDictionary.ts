// The surface words the keyword index has seen, each mapped to the term it indexes as
// ("references" → "refer"), for matching typo'd and half-typed query words: a typo is made in the
// word as written, so it is matched against written words, not against Porter stems.
//
// Lookups walk MiniSearch's SearchableMap, a radix tree whose fuzzyGet() keeps one Levenshtein
// row per tree level (Hanov's trie walk), so a fuzzy lookup visits only the branches still
// within the edit budget instead of scanning every word; atPrefix() is a subtree. MiniSearch is
// MIT-licensed, dependency-free, small (the map is one 19 KB module, 904 KB unpacked for the package) and maintained; writing a
// radix tree by hand would add code to keep without measurably better speed. Levenshtein has no
// transposition, which is among the commonest typos (Damerau), so transpositions of the query
// word are looked up exactly as well: n − 1 hash lookups, no tree walk.
//
// The exact word → term map is the source of truth (cheap to add to while indexing); the tree is
// built from it a slice at a time when the index is idle (buildStep), or all at once on the first
// tolerant lookup if that comes sooner, and kept in step after that. Removals may leave
// words whose term no longer occurs anywhere: callers skip terms with df 0, and the index drops
// such words when it sweeps (remove()).
import SearchableMap from 'minisearch/SearchableMap';

export interface DictionaryMatch {
  surface: string;
  term: string;
  /** Edit distance to the query word (0 for a prefix completion). */
  distance: number;
}

export class TermDictionary {
  private termOf = new Map<string, string>();
  private tree: SearchableMap<string> | null = null;
  /** A tree being built by buildStep(): the words it has still to take, from `at` on. */
  private building: { tree: SearchableMap<string>; words: string[]; at: number } | null = null;

  get size(): number {
    return this.termOf.size;
  }

  has(surface: string): boolean {
    return this.termOf.has(surface);
  }

  get(surface: string): string | undefined {
    return this.termOf.get(surface);
  }

  add(surface: string, term: string): void {
    if (this.termOf.get(surface) === term) return;
    this.termOf.set(surface, term);
    this.tree?.set(surface, term);
    this.building?.tree.set(surface, term);
  }

  remove(surface: string): void {
    if (!this.termOf.delete(surface)) return;
    this.tree?.delete(surface);
    this.building?.tree.delete(surface);
  }

  clear(): void {
    this.termOf = new Map();
    this.tree = null;
    this.building = null;
  }

  /**
   * Puts up to `words` more words into the lookup tree; true once it is complete. Words added or
   * removed meanwhile go to the tree being built at once, and a word removed before its turn is
   * skipped then, so the finished tree holds exactly the dictionary.
   */
  buildStep(words: number): boolean {
    if (this.tree) return true;
    const b = (this.building ??= { tree: new SearchableMap<string>(), words: [...this.termOf.keys()], at: 0 });
    const end = Math.min(b.words.length, b.at + words);
    for (; b.at < end; b.at++) {
      const surface = b.words[b.at];
      const term = this.termOf.get(surface);
      if (term !== undefined) b.tree.set(surface, term);
    }
    if (b.at < b.words.length) return false;
    this.tree = b.tree;
    this.building = null;
    return true;
  }

  entries(): IterableIterator<[string, string]> {
    return this.termOf.entries();
  }

  /** Words within `maxDistance` edits of `word` (Levenshtein, plus one adjacent transposition). */
  fuzzy(word: string, maxDistance: number): DictionaryMatch[] {
    const out: DictionaryMatch[] = [];
    if (maxDistance < 1 || this.termOf.size === 0) return out;
    const found = this.searchTree().fuzzyGet(word, maxDistance);
    for (const [surface, [term, distance]] of found) if (distance > 0) out.push({ surface, term, distance });
    // A swap of two neighbours costs 2 in Levenshtein; count it as one edit.
    for (let i = 0; i + 1 < word.length; i++) {
      if (word[i] === word[i + 1]) continue;
      const swapped = word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2);
      const term = this.termOf.get(swapped);
      if (term === undefined) continue;
      const seen = found.get(swapped);
      if (seen && seen[1] <= 1) continue;
      if (seen) {
        const at = out.findIndex((m) => m.surface === swapped);
        if (at >= 0) out.splice(at, 1);
      }
      out.push({ surface: swapped, term, distance: 1 });
    }
    return out;
  }

  /** Words that begin with `prefix` and are longer than it. */
  completions(prefix: string): DictionaryMatch[] {
    const out: DictionaryMatch[] = [];
    if (prefix.length === 0 || this.termOf.size === 0) return out;
    for (const [surface, term] of this.searchTree().atPrefix(prefix)) if (surface.length > prefix.length) out.push({ surface, term, distance: 0 });
    return out;
  }

  private searchTree(): SearchableMap<string> {
    if (!this.tree) this.buildStep(Infinity);
    return this.tree!;
  }
}
