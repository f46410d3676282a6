// Built-in knowledge of well-known models, used for the fields a model folder does not state
// itself (no semantic-notes.json, no sentence-transformers files). Values follow each model's
// upstream sentence-transformers configuration (modules.json: Normalize present or not;
// 1_Pooling/config.json; sentence_bert_config.json max_seq_length) and model card.
//
// `dtype` here is a preference: it is used when that ONNX file is present (or, for downloads,
// offered by the hub); a folder holding only another precision still loads with what it has.
import type { ScriptShares } from '../text/script';
import type { ModelKind, ModelProfile } from './profile';

/**
 * A model made of two models routed by script (embedding/routedEncoder.ts): the Hangul words of
 * a text go to `hangul`, the rest to `other`; the vector is the two parts' vectors concatenated.
 */
export interface ModelRoutes {
  hangul: string;
  other: string;
}

export interface CatalogEntry extends Partial<ModelProfile> {
  kind: ModelKind;
  /** Set for a routed model: it has no folder of its own, its parts are resolved and loaded. */
  routes?: ModelRoutes;
}

const STATIC_FUSION = Object.freeze({ method: 'convex', semanticWeight: 0.3 } as const);

export const CATALOG: Readonly<Record<string, Readonly<CatalogEntry>>> = {
  // Sentence encoders.
  'Xenova/all-MiniLM-L6-v2': { kind: 'embedding', pooling: 'mean', normalize: true, maxTokens: 256, dtype: 'q8' },
  'Xenova/paraphrase-multilingual-MiniLM-L12-v2': { kind: 'embedding', pooling: 'mean', normalize: false, maxTokens: 128, dtype: 'q8' },
  'Xenova/multilingual-e5-small': { kind: 'embedding', pooling: 'mean', normalize: true, maxTokens: 512, queryPrefix: 'query: ', passagePrefix: 'passage: ', dtype: 'q8' },
  'Xenova/bge-small-en-v1.5': { kind: 'embedding', pooling: 'cls', normalize: true, maxTokens: 512, dtype: 'q8' },
  // Korean SBERT (KR-BERT V40K vocabulary); upstream ships PyTorch only, users bring an ONNX export.
  'snunlp/KR-SBERT-V40K-klueNLI-augSTS': { kind: 'embedding', pooling: 'mean', normalize: false, maxTokens: 128 },
  // Masked language models.
  'Xenova/bert-base-uncased': { kind: 'fill-mask', maxTokens: 512, dtype: 'q8' },
  // No Korean-only fill-mask model exists in Xenova's ONNX collection; multilingual BERT *cased*
  // keeps Hangul syllables whole (the uncased variant strips accents, which NFD-splits Hangul
  // into jamo) and uses the same [MASK] token as the English default.
  'Xenova/bert-base-multilingual-cased': { kind: 'fill-mask', maxTokens: 512, dtype: 'q8' },
  'Xenova/xlm-roberta-base': { kind: 'fill-mask', maxTokens: 512, dtype: 'q8' },
  // Cross-encoders (rerankers).
  'Xenova/ms-marco-MiniLM-L-6-v2': { kind: 'cross-encoder', maxTokens: 512, dtype: 'q8' },
  // Models made for this project (see ../shared/models).
  // The static models are far weaker than BM25 on the retrieval sets here, so hybrid search gives
  // their cosine a 0.3 share (convex fusion; bench/tune.ts on SciFact train and korquad-a: 0.3 is
  // within 0.0005 nDCG@10 of each model's best weight, and hybrid ≥ keyword at every weight ≤ 0.6).
  'semantic-notes/static-en': { kind: 'embedding', pooling: 'mean', normalize: true, maxTokens: 512, dtype: 'fp32', fusion: STATIC_FUSION },
  // Bundled with the product (models/ at the package root); int8 only.
  'semantic-notes/static-en-v2': { kind: 'embedding', pooling: 'mean', normalize: true, maxTokens: 512, dtype: 'q8', fusion: STATIC_FUSION },
  'semantic-notes/static-ko': { kind: 'embedding', pooling: 'mean', normalize: true, maxTokens: 512, dtype: 'q8', fusion: STATIC_FUSION },
  // The product default: Korean words read by static-ko, everything else by static-en-v2.
  'semantic-notes/bilingual-static': { kind: 'embedding', routes: { hangul: 'semantic-notes/static-ko', other: 'semantic-notes/static-en-v2' }, fusion: STATIC_FUSION },
  'semantic-notes-test/tiny-bert': { kind: 'embedding', pooling: 'mean', normalize: true, maxTokens: 128, dtype: 'fp32' },
  'semantic-notes-test/tiny-bert-mlm': { kind: 'fill-mask', maxTokens: 128, dtype: 'fp32' },
  'semantic-notes-test/tiny-cross-encoder': { kind: 'cross-encoder', maxTokens: 128, dtype: 'fp32' },
};

/** The product's default models (kept with the client-safe constants, src/shared/choices.ts). */
export { DEFAULT_MODELS } from '../../shared/choices';

/** The routes of a routed model, or null for a model with a folder of its own. */
export function routesOf(id: string): ModelRoutes | null {
  return CATALOG[id]?.routes ?? null;
}

/** The English transformer to offer for download when a folder's notes are (almost) all English. */
export const RECOMMENDED_ENGLISH_MODEL = 'Xenova/all-MiniLM-L6-v2';
/** The multilingual transformer to offer for Korean or mixed notes (query:/passage: prefixes in the catalog). */
export const RECOMMENDED_MULTILINGUAL_MODEL = 'Xenova/multilingual-e5-small';
/**
 * Share of non-Latin letters (Hangul and other scripts) from which notes count as Korean or
 * mixed. A few Korean words in English notes (a name, a quoted phrase) do not need a multilingual
 * model; one Korean note in twenty (≈ 5 % of the letters) does.
 */
export const NON_LATIN_SHARE_FOR_MULTILINGUAL = 0.05;

/**
 * The model to recommend for download, from the script shares of a folder's notes (scriptShares
 * of their text): English notes → all-MiniLM-L6-v2; Korean or mixed notes → multilingual-e5-small.
 * Notes in other scripts (CJK, Cyrillic, …) get the multilingual model too: the English one
 * cannot read them. Notes without letters get the English one.
 */
export function recommendedModel(shares: ScriptShares): string {
  return shares.hangul + shares.other >= NON_LATIN_SHARE_FOR_MULTILINGUAL ? RECOMMENDED_MULTILINGUAL_MODEL : RECOMMENDED_ENGLISH_MODEL;
}
