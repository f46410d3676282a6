// Hugging Face's Rust tokenizers (@anush008/tokenizers, a native module) read the same
// tokenizer.json as transformers.js about three times faster. transformers.js stays the reference:
// the Rust one is used only where it gives the same ids (test/engine/embedding/fastTokenizer.test.ts),
// and a platform without its binary (no build for win32-arm64; a package that leaves it out) falls
// back to transformers.js: the module is optional and never breaks loading a model.
import * as fs from 'node:fs';

type Native = typeof import('@anush008/tokenizers');
type NativeTokenizer = InstanceType<Native['Tokenizer']>;

// A name in a variable: esbuild leaves the require to run time (the package carries a per-platform
// .node binary, which cannot be bundled) instead of failing the build.
const MODULE = '@anush008/tokenizers';
let native: Native | null | undefined;

function nativeModule(): Native | null {
  if (native === undefined) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      native = require(MODULE) as Native;
    } catch {
      native = null;
    }
  }
  return native;
}

export interface FastTokenizer {
  /** Ids with special tokens ([CLS] … [SEP]), untruncated, one array per text. */
  encodeBatch(texts: string[]): Promise<number[][]>;
}

/**
 * The parts of tokenizer.json that decide two things: whether the Rust tokenizer may stand in for
 * transformers.js, and whether ids(a + whitespace + b) = ids(a) ++ ids(b) (so a passage's ids can
 * be put together from the ids the chunker counted).
 */
export interface TokenizerShape {
  normalizer?: { type?: string; lowercase?: boolean } | null;
  pre_tokenizer?: { type?: string } | null;
  model?: { type?: string };
}

/**
 * BERT's WordPiece: the normalizer works character by character, the pre-tokenizer splits on
 * whitespace and punctuation, and WordPiece reads each word alone — so ids of text joined at
 * whitespace are the ids of its parts joined. (BPE/Unigram with a metaspace are not.)
 */
export function idsConcatenate(shape: TokenizerShape | null): boolean {
  if (!shape) return false;
  const norm = shape.normalizer?.type;
  return (norm === undefined || norm === 'BertNormalizer') && shape.pre_tokenizer?.type === 'BertPreTokenizer' && shape.model?.type === 'WordPiece';
}

/**
 * Texts where the Rust tokenizer may differ from transformers.js. The one difference found (the
 * whole notes corpus, SciFact, KorQuAD and an edge-case list agree otherwise): JavaScript's
 * toLowerCase applies Greek final sigma (word-final Σ → ς), Rust lowercases Σ to σ everywhere.
 */
export function mayDiffer(text: string): boolean {
  return text.includes('Σ');
}

/** The Rust tokenizer for a WordPiece tokenizer.json, or null (module or binary missing, other model kinds, unreadable file). */
export function loadFastTokenizer(file: string, shape: TokenizerShape | null): FastTokenizer | null {
  // Only the WordPiece tokenizers the ids were compared on; others keep transformers.js.
  if (!idsConcatenate(shape)) return null;
  const mod = nativeModule();
  if (!mod) return null;
  let tok: NativeTokenizer;
  try {
    tok = mod.Tokenizer.fromString(fs.readFileSync(file, 'utf8'));
    // A tokenizer.json may carry its own truncation (all-MiniLM-L6-v2's: 128) and padding; the
    // encoder truncates and pads itself, as transformers.js does.
    tok.disableTruncation();
    tok.disablePadding();
  } catch {
    return null;
  }
  return {
    async encodeBatch(texts: string[]): Promise<number[][]> {
      const encs = await tok.encodeBatch(texts);
      return encs.map((e) => e.getIds());
    },
  };
}
