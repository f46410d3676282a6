// Plain constants that the engine, the service, the CLI and the thin client all use, once: the
// lists of choices (settings, flags, protocol checks) and the product's default models. No imports,
// so the client bundle may inline it (it must never inline src/engine).

export const SEARCH_MODES = ['hybrid', 'semantic', 'keyword'] as const;
export type SearchMode = (typeof SEARCH_MODES)[number];

export const POOLINGS = ['mean', 'cls', 'max'] as const;
export type Pooling = (typeof POOLINGS)[number];

export const METRICS = ['cosine', 'euclidean', 'dot'] as const;
export type Metric = (typeof METRICS)[number];

/** Whether `v` is one of `choices` (a guard for values read from settings, flags or messages). */
export function isOneOf<T extends string>(choices: readonly T[], v: unknown): v is T {
  return typeof v === 'string' && (choices as readonly string[]).includes(v);
}

/**
 * The models the product uses unless configured otherwise (package.json states the same setting
 * defaults; test/engine/models/catalog.test.ts checks they agree).
 * - embedding: the bundled bilingual static encoder, so search by meaning works offline from the
 *   first start, in English and Korean; users who can download are offered a transformer
 *   (recommendedModel in the catalog).
 * - fillMask stays bert-base-uncased: same WordPiece vocabulary as the default embedder, the
 *   strongest English MLM of the small Xenova exports (q8 ≈ 111 MB), and the settings default.
 * - multilingualFillMask: the best Korean-capable choice available as a transformers.js export.
 */
export const DEFAULT_MODELS = {
  embedding: 'semantic-notes/bilingual-static',
  multilingualEmbedding: 'Xenova/paraphrase-multilingual-MiniLM-L12-v2',
  fillMask: 'Xenova/bert-base-uncased',
  multilingualFillMask: 'Xenova/bert-base-multilingual-cased',
  crossEncoder: 'Xenova/ms-marco-MiniLM-L-6-v2',
} as const;
