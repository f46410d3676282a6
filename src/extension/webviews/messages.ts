// The messages between the extension and each webview page, as types. The pages (media/*.js,
// plain JavaScript with // @ts-check) import them in JSDoc and are type-checked against them by
// `tsc -p media/jsconfig.json` (test/extension/webviewTypes.test.ts). Types only: no runtime code,
// no vscode import, so the pages' check pulls in nothing else.
import type { Metric, Pooling, SearchMode, SimilarityResult } from '../../protocol/protocol';
import type { Range } from '../../engine/search/highlight';

/** What every page reports after it rendered text from notes or models (see html.ts RenderReport). */
export type Rendered = { type: 'rendered'; injected: number; text: string; detail?: string };
export type Ready = { type: 'ready' };

/** One result as the search page shows it. */
export interface ShownHit {
  path: string;
  startLine: number;
  heading: string;
  snippet: string;
  /** Relevance next to the best hit, 1..5, its word, and the tooltip with the raw score. */
  level: number;
  label: string;
  tip: string;
  headingMarks: Range[];
  snippetMarks: Range[];
}

export type ToSearchPage =
  | { type: 'results'; query: string; mode: SearchMode; rerank: boolean; notice: string; hits: ShownHit[] }
  | { type: 'setQuery'; query: string }
  | { type: 'error'; message: string };
export type FromSearchPage = { type: 'search'; query: string; mode: SearchMode; rerank: boolean } | { type: 'open'; index: number } | Rendered | Ready;

export type ToMatrixPage =
  | { type: 'setTexts'; texts: string[] }
  | { type: 'busy'; texts: string[]; pooling: Pooling | ''; metric: Metric }
  /** chosen: the pooling asked for ('' = the model's own); result.pooling is the one used. */
  | { type: 'result'; result: SimilarityResult; chosen: Pooling | '' }
  | { type: 'error'; message: string };
export type FromMatrixPage = { type: 'compute'; texts: string[]; pooling: Pooling | ''; metric: Metric } | Rendered | Ready;

/** A candidate in the user's own sentence: before + token + after. */
export interface ShownCandidate {
  token: string;
  score: number;
  before: string;
  after: string;
}

export type ToMaskPage =
  | { type: 'setText'; text: string }
  | { type: 'result'; text: string; candidates: ShownCandidate[]; hint: string }
  | { type: 'modelMissing'; text: string; detail: string }
  | { type: 'error'; text?: string; message: string }
  | { type: 'downloading' }
  | { type: 'downloadFailed' }
  | { type: 'applied'; index: number; word: string };
export type FromMaskPage = { type: 'predict'; text: string } | { type: 'apply'; index: number } | { type: 'download' } | Rendered | Ready;
