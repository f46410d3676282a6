// Built-in knowledge of well-known models, used for the fields a model folder does not state
// itself (no semantic-notes.json, no sentence-transformers files). Values follow each model's
// upstream sentence-transformers configuration (modules.json: Normalize present or not;
// 1_Pooling/config.json; sentence_bert_config.json max_seq_length) and model card.
//
// `dtype` here is a preference: it is used when that ONNX file is present (or, for downloads,
// offered by the hub); a folder holding only another precision still loads with what it has.
import type { ModelKind, ModelProfile } from './profile';

export interface CatalogEntry extends Partial<ModelProfile> {
  kind: ModelKind;
}

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
  'semantic-notes/static-en': { kind: 'embedding', pooling: 'mean', normalize: true, maxTokens: 512, dtype: 'fp32' },
  'semantic-notes-test/tiny-bert': { kind: 'embedding', pooling: 'mean', normalize: true, maxTokens: 128, dtype: 'fp32' },
  'semantic-notes-test/tiny-bert-mlm': { kind: 'fill-mask', maxTokens: 128, dtype: 'fp32' },
  'semantic-notes-test/tiny-cross-encoder': { kind: 'cross-encoder', maxTokens: 128, dtype: 'fp32' },
};

/**
 * The models the product uses unless configured otherwise.
 * - fillMask stays bert-base-uncased: same WordPiece vocabulary as the default embedder, the
 *   strongest English MLM of the small Xenova exports (q8 ≈ 111 MB), and the settings default.
 * - multilingualFillMask: the best Korean-capable choice available as a transformers.js export.
 */
export const DEFAULT_MODELS = {
  embedding: 'Xenova/all-MiniLM-L6-v2',
  multilingualEmbedding: 'Xenova/paraphrase-multilingual-MiniLM-L12-v2',
  fillMask: 'Xenova/bert-base-uncased',
  multilingualFillMask: 'Xenova/bert-base-multilingual-cased',
  crossEncoder: 'Xenova/ms-marco-MiniLM-L-6-v2',
} as const;
