// Shared value types of the engine. Plain data only: these cross the service protocol as JSON.

/** One passage of a note: a heading section, or a paragraph-aligned piece of a long section. */
export interface Chunk {
  /** Path relative to the indexed root, always with forward slashes. */
  path: string;
  /** 1-based, inclusive line range of the passage in the file. */
  startLine: number;
  endLine: number;
  /** Heading breadcrumb, e.g. "Setup › Install › Linux" ("" before the first heading). */
  heading: string;
  /** The passage text as embedded and keyword-indexed (breadcrumb not included). */
  text: string;
}

/** Why a file under the root was not indexed. */
export type SkipReason =
  | 'binary'
  | 'too-large'
  | 'unreadable'
  | 'invalid-utf8'
  | 'not-a-file'
  | 'symlink-loop'
  /** A link out of the folder, or any link in an untrusted workspace. */
  | 'symlink-refused'
  | 'empty';

export interface SkippedFile {
  path: string;
  reason: SkipReason;
  detail?: string;
}

// The lists of choices live with the client-safe constants (src/shared/choices.ts).
export { isOneOf, METRICS, POOLINGS, SEARCH_MODES, type Metric, type Pooling, type SearchMode } from '../shared/choices';

/** A search result as the CLI prints it and the extension shows it. */
export interface SearchHit {
  path: string;
  startLine: number;
  endLine: number;
  heading: string;
  score: number;
  snippet: string;
}

