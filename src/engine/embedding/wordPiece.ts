// BERT's tokenizer (BertNormalizer → BertPreTokenizer → WordPiece), read from tokenizer.json and
// written for speed: the same steps as transformers.js' (the reference: test/engine/embedding/
// wordPiece.test.ts checks equal ids on English and Korean corpora), but each normalization step
// is one regular-expression pass over the text instead of a test per character, and words seen
// before come from a cache. Texts holding an added token ([CLS], [MASK]…) go to transformers.js,
// which splits them out first.

export interface WordPieceJson {
  normalizer?: { type?: string; clean_text?: boolean; handle_chinese_chars?: boolean; lowercase?: boolean; strip_accents?: boolean | null } | null;
  pre_tokenizer?: { type?: string } | null;
  model?: { type?: string; vocab?: Record<string, number>; unk_token?: string; continuing_subword_prefix?: string; max_input_chars_per_word?: number };
  added_tokens?: { content: string }[];
}

// transformers.js' BertNormalizer.is_control: Cc, Cf, Co, Cs but tab, newline, carriage return;
// and it drops U+0000 and U+FFFD.
const CONTROL = /(?![\t\n\r])[\p{Cc}\p{Cf}\p{Co}\p{Cs}]|\uFFFD/gu;
const WHITESPACE = /\s/g;
// Its is_chinese_char reads UTF-16 units, so only the BMP ranges can match.
const CJK = /[\u4E00-\u9FFF\u3400-\u4DBF\uF900-\uFAFF]/g;
const MARKS = /\p{Mn}/gu;
const PUNCTUATION = '\\p{P}\\u0021-\\u002F\\u003A-\\u0040\\u005B-\\u0060\\u007B-\\u007E';
const WORDS = new RegExp(`[^\\s${PUNCTUATION}]+|[${PUNCTUATION}]`, 'gu');
const CACHE_LIMIT = 100_000;

export class WordPiece {
  private readonly vocab: Map<string, number>;
  private readonly unk: number;
  private readonly prefix: string;
  private readonly maxChars: number;
  private readonly clean: boolean;
  private readonly chinese: boolean;
  private readonly lowercase: boolean;
  private readonly stripAccents: boolean;
  private readonly added: string[];
  private readonly cache = new Map<string, number[]>();

  private constructor(json: Required<Pick<WordPieceJson, 'model'>> & WordPieceJson) {
    const m = json.model;
    this.vocab = new Map(Object.entries(m.vocab ?? {}));
    this.unk = this.vocab.get(m.unk_token ?? '[UNK]') ?? 0;
    this.prefix = m.continuing_subword_prefix ?? '##';
    this.maxChars = m.max_input_chars_per_word ?? 100;
    const n = json.normalizer;
    this.clean = n?.clean_text ?? false;
    this.chinese = n?.handle_chinese_chars ?? false;
    this.lowercase = n?.lowercase ?? false;
    // transformers.js strips accents when lowercasing unless strip_accents is false, else only when true.
    this.stripAccents = this.lowercase ? n?.strip_accents !== false : n?.strip_accents === true;
    this.added = (json.added_tokens ?? []).map((t) => t.content).filter(Boolean);
  }

  /** A tokenizer for a BERT WordPiece tokenizer.json, or null for any other kind. */
  static from(json: WordPieceJson | null): WordPiece | null {
    if (!json?.model || json.model.type !== 'WordPiece' || !json.model.vocab) return null;
    if (json.pre_tokenizer?.type !== 'BertPreTokenizer') return null;
    if (json.normalizer && json.normalizer.type !== 'BertNormalizer') return null;
    return new WordPiece(json as Required<Pick<WordPieceJson, 'model'>> & WordPieceJson);
  }

  /** Ids without special tokens, or null when transformers.js must tokenize (an added token in the text). */
  encode(text: string): number[] | null {
    const norm = this.normalize(text);
    for (const a of this.added) if (text.includes(a) || norm.includes(a)) return null;
    const out: number[] = [];
    for (const word of norm.trim().match(WORDS) ?? []) {
      const id = this.vocab.get(word);
      if (id !== undefined) {
        out.push(id);
        continue;
      }
      let ids = this.cache.get(word);
      if (!ids) {
        ids = this.pieces(word);
        if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
        this.cache.set(word, ids);
      }
      for (const x of ids) out.push(x);
    }
    return out;
  }

  private normalize(text: string): string {
    let t = text;
    if (this.clean) t = t.replace(CONTROL, '').replace(WHITESPACE, ' ');
    if (this.chinese) t = t.replace(CJK, ' $& ');
    if (this.lowercase) t = t.toLowerCase();
    if (this.stripAccents) t = t.normalize('NFD').replace(MARKS, '');
    return t;
  }

  /** Greedy longest-match-first over code points; one unknown piece makes the word [UNK]. */
  private pieces(word: string): number[] {
    const chars = [...word];
    if (chars.length > this.maxChars) return [this.unk];
    const ids: number[] = [];
    let start = 0;
    while (start < chars.length) {
      let end = chars.length;
      let found: number | undefined;
      while (start < end) {
        const sub = (start > 0 ? this.prefix : '') + chars.slice(start, end).join('');
        found = this.vocab.get(sub);
        if (found !== undefined) break;
        end--;
      }
      if (found === undefined) return [this.unk];
      ids.push(found);
      start = end;
    }
    return ids;
  }
}
