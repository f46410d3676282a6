// Built-in knowledge of well-known models, used when a model folder carries no profile of its
// own (no semantic-notes.json, no sentence-transformers pooling config).
import type { ModelProfile } from './profile';

export const CATALOG: Record<string, Partial<ModelProfile>> = {
  'Xenova/all-MiniLM-L6-v2': { pooling: 'mean', normalize: true, maxTokens: 256 },
  'Xenova/paraphrase-multilingual-MiniLM-L12-v2': { pooling: 'mean', normalize: true, maxTokens: 128 },
  'Xenova/multilingual-e5-small': { pooling: 'mean', normalize: true, maxTokens: 512, queryPrefix: 'query: ', passagePrefix: 'passage: ' },
  'Xenova/bge-small-en-v1.5': { pooling: 'cls', normalize: true, maxTokens: 512 },
  'Xenova/bge-m3': { pooling: 'cls', normalize: true, maxTokens: 512 },
  'Xenova/bert-base-uncased': { maxTokens: 512 },
  'Xenova/ms-marco-MiniLM-L-6-v2': { maxTokens: 512 },
  'semantic-notes/static-en': { pooling: 'mean', normalize: true, maxTokens: 512, dtype: 'fp32' },
  'semantic-notes-test/tiny-bert': { pooling: 'mean', normalize: true, maxTokens: 128, dtype: 'fp32' },
};
