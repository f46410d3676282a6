// Splits a note into passages that follow its heading sections. Each passage keeps its heading
// path as a breadcrumb and its line range in the original file; long sections split on block
// boundaries (paragraph, list, code fence, table) to fit the model's token budget, oversized
// blocks on lines and sentences, and tiny sections merge into a neighbour. Markdown structure
// and the plain text of each block come from markdown-it (passageText.ts).
import type { Chunk } from '../types';
import { parseFrontMatter } from './frontMatter';
import { blockText, headingText, md, plainBlock, sliceBlock, type Block } from './passageText';

/**
 * Bumped whenever the same note would be cut into different passages or text; the index cuts
 * notes of an older version again at the next sync (unchanged passages keep their vectors).
 * 2: text from markdown-it tokens, merged headings kept.
 */
export const CHUNKER_VERSION = 2;

export interface ChunkOptions {
  maxTokens?: number;
  countTokens?: (text: string) => number;
  /**
   * Token ids of a text without special tokens; counts like countTokens (which it replaces) and
   * gives each passage its ids (chunkMarkdownWithIds), so the encoder need not tokenize the
   * passage again. Only for tokenizers where ids(a + whitespace + b) = ids(a) ++ ids(b)
   * (Encoder.idsConcatenate): a passage's ids are put together from its pieces'.
   */
  tokenize?: (text: string) => readonly number[];
  minChars?: number;
}

const SEP = ' › ';
/** No real text averages more characters per token than this (English is about 4-5). */
const MAX_CHARS_PER_TOKEN = 12;

/**
 * A cheap WordPiece-sized estimate: Latin words cost about one token per 6 letters (at least
 * one), digits and punctuation one each, CJK/Hangul syllables 1.5 (Korean vocabularies split a
 * syllable into one or two pieces; erring high keeps passages inside the window).
 */
export function estimateTokens(text: string): number {
  let n = 0;
  for (const m of text.matchAll(/[\p{Script=Latin}]+|\p{N}+|[\p{Script=Hangul}\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]|[^\s\p{L}\p{N}]/gu)) {
    const s = m[0];
    if (/\p{Script=Latin}/u.test(s[0])) n += Math.max(1, Math.ceil(s.length / 6));
    else if (/\p{N}/u.test(s[0])) n += Math.ceil(s.length / 3);
    else if (s.length === 1 && /[\p{Script=Hangul}\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u.test(s)) n += 1.5;
    else n += 1;
  }
  return Math.ceil(n);
}

interface Section {
  heading: string;
  start: number; // heading line (or first block)
  blocks: Block[];
}

export function chunkMarkdown(filePath: string, text: string, opts: ChunkOptions = {}): Chunk[] {
  return chunkMarkdownWithIds(filePath, text, opts).chunks;
}

/** Passages, and with opts.tokenize the token ids of each passage's text (null where not known). */
export function chunkMarkdownWithIds(filePath: string, text: string, opts: ChunkOptions = {}): { chunks: Chunk[]; ids: (readonly number[] | null)[] } {
  const maxTokens = Math.max(16, opts.maxTokens ?? 256);
  // Only truly tiny sections merge: a short note section is often exactly the answer a search wants.
  const minChars = opts.minChars ?? 48;
  const tokenize = opts.tokenize;
  // Ids of every text counted, by text: passages are joins of counted pieces.
  const memo = new Map<string, readonly number[]>();
  const real = tokenize
    ? (s: string) => {
        let ids = memo.get(s);
        if (!ids) memo.set(s, (ids = tokenize(s)));
        return ids.length;
      }
    : opts.countTokens;
  /** Ids of texts joined at whitespace, from the parts' ids; null when a part was never tokenized. */
  const joinIds = (parts: string[]): readonly number[] | null => {
    if (!tokenize) return null;
    const all: number[] = [];
    for (const p of parts) {
      const ids = memo.get(p);
      if (!ids) return null;
      for (const id of ids) all.push(id);
    }
    return all;
  };
  // The real tokenizer is exact but slow on huge strings: estimate first, count precisely only
  // what could plausibly fit.
  // A character floor keeps passages short even where the tokenizer counts little: WordPiece
  // makes one [UNK] of any word over 100 letters, so a base64 blob would otherwise fill a
  // "254-token" passage with hundreds of kilobytes.
  const count = (s: string) => {
    const est = estimateTokens(s);
    if (!real || est > maxTokens * 4) return est;
    return Math.max(real(s), Math.ceil(s.length / MAX_CHARS_PER_TOKEN));
  };
  const lines = text.split('\n');
  const sections = /\.txt$/i.test(filePath) ? textSections(lines) : markdownSections(lines);
  const chunks: Chunk[] = [];
  for (const sec of sections) {
    let cur: Block[] = [];
    let curTokens = 0;
    const emit = () => {
      if (cur.length === 0) return;
      const body = cur.map((b) => b.text).join('\n\n').trim();
      if (body && tokenize && !memo.has(body)) {
        const ids = joinIds(cur.map((b) => b.text));
        if (ids) memo.set(body, ids);
      }
      if (body) chunks.push({ path: filePath, startLine: cur[0].start, endLine: cur[cur.length - 1].end, heading: sec.heading, text: body });
      cur = [];
      curTokens = 0;
    };
    for (const block of sec.blocks) {
      for (const piece of fitBlock(block, maxTokens, count)) {
        const t = count(piece.text);
        if (cur.length && curTokens + t > maxTokens) emit();
        cur.push(piece);
        curTokens += t;
      }
    }
    emit();
    // The first passage of a section starts at its heading line.
    const first = chunks.find((c) => c.heading === sec.heading && c.endLine >= sec.start && c.startLine >= sec.start);
    if (first && first.startLine > sec.start) first.startLine = sec.start;
  }
  const merged = mergeSmall(chunks, maxTokens, minChars, count, (text, a, b) => {
    // A merged passage's ids are its two parts' (joined by a blank line): no second tokenization.
    if (tokenize && !memo.has(text)) {
      const ids = joinIds([a, b]);
      if (ids) memo.set(text, ids);
    }
  });
  return { chunks: merged, ids: merged.map((c) => (tokenize ? (memo.get(c.text) ?? null) : null)) };
}

/** Splits a block over budget on lines of the file, then sentences, then by characters. */
function fitBlock(block: Block, maxTokens: number, count: (s: string) => number): Block[] {
  if (count(block.text) <= maxTokens) return [block];
  const marks = block.marks;
  if (marks.length < 2) return splitSentences(block, maxTokens, count);
  const out: Block[] = [];
  const push = (from: number, to: number) => {
    const piece = sliceBlock(block, from, to);
    if (piece) out.push(piece);
  };
  let from = 0;
  let to = 0;
  let accTokens = 0;
  marks.forEach((m, k) => {
    const end = k + 1 < marks.length ? marks[k + 1].at : block.text.length;
    const t = count(block.text.slice(m.at, end));
    if (to > from && accTokens + t > maxTokens) {
      push(from, to);
      from = m.at;
      accTokens = 0;
    }
    accTokens += t;
    to = end;
  });
  push(from, to);
  return out.flatMap((b) => (count(b.text) > maxTokens ? splitSentences(b, maxTokens, count) : [b]));
}

function splitSentences(block: Block, maxTokens: number, count: (s: string) => number): Block[] {
  const out: Block[] = [];
  const text = block.text;
  const push = (from: number, to: number) => {
    const piece = sliceBlock(block, from, to);
    if (piece) out.push(piece);
  };
  let accFrom = 0;
  let accTo = 0;
  let accTokens = 0;
  for (const m of text.matchAll(/[^.!?。？！\n]+[.!?。？！]*\s*/gu)) {
    const sFrom = m.index;
    const s = m[0];
    const t = count(s);
    if (t > maxTokens) {
      push(accFrom, accTo);
      accTokens = 0;
      // Hard split: about maxTokens estimated tokens per piece, on a space when one is near.
      const approxChars = Math.max(16, Math.floor((s.length * maxTokens) / Math.max(1, estimateTokens(s), Math.ceil(s.length / MAX_CHARS_PER_TOKEN))) - 1);
      for (let i = 0; i < s.length; ) {
        let j = Math.min(s.length, i + approxChars);
        // Looks back only half a piece: a search back to the start made a 10 MB word quadratic.
        const half = i + Math.ceil(approxChars / 2);
        const space = j < s.length ? s.slice(half, j).lastIndexOf(' ') : -1;
        if (space > 0) j = half + space;
        let len = j - i;
        while (len > 1 && count(s.slice(i, i + len)) > maxTokens) len = Math.floor(len * 0.8);
        push(sFrom + i, sFrom + i + len);
        i += Math.max(1, len);
      }
      accFrom = accTo = sFrom + s.length;
      continue;
    }
    // Sentences part at whitespace or punctuation, where tokenizers part too, so their counts
    // add up: recounting the growing passage for every sentence made a 10 MB line quadratic.
    if (accTo > accFrom && accTokens + t > maxTokens) {
      push(accFrom, accTo);
      accFrom = sFrom;
      accTokens = 0;
    }
    if (accTo <= accFrom) accFrom = sFrom;
    accTokens += t;
    accTo = sFrom + s.length;
  }
  push(accFrom, accTo);
  return out;
}

/**
 * Merges a passage shorter than minChars into the next one when both fit the budget. The merged
 * passage's breadcrumb is the part the two share followed by what each adds ("Note › A + B" for
 * two sibling sections), so neither section's heading is lost to search or to the reader.
 */
function mergeSmall(chunks: Chunk[], maxTokens: number, minChars: number, count: (s: string) => number, joined: (text: string, a: string, b: string) => void): Chunk[] {
  const out: Chunk[] = [];
  const join = (a: Chunk, b: Chunk): Chunk | null => {
    const text = `${a.text}\n\n${b.text}`;
    joined(text, a.text, b.text);
    return count(text) <= maxTokens ? { ...a, endLine: b.endLine, heading: mergedCrumb(a.heading, b.heading), text } : null;
  };
  for (const c of chunks) {
    const prev = out[out.length - 1];
    const merged = prev && prev.text.length < minChars ? join(prev, c) : null;
    if (merged) out[out.length - 1] = merged;
    else out.push({ ...c });
  }
  // A small last passage joins the one before it.
  if (out.length > 1 && out[out.length - 1].text.length < minChars) {
    const merged = join(out[out.length - 2], out[out.length - 1]);
    if (merged) out.splice(out.length - 2, 2, merged);
  }
  return out;
}

const MERGED = ' + ';

function mergedCrumb(a: string, b: string): string {
  if (a === b) return a;
  const pa = a.split(SEP);
  const pb = b.split(SEP);
  let i = 0;
  while (i < pa.length && i < pb.length && pa[i] === pb[i]) i++;
  const own = [pa.slice(i).join(SEP), pb.slice(i).join(SEP)].filter(Boolean);
  return [...pa.slice(0, i), own.join(MERGED)].filter(Boolean).join(SEP);
}

function textSections(lines: string[]): Section[] {
  const blocks: Block[] = [];
  let start = -1;
  for (let i = 0; i <= lines.length; i++) {
    const blank = i === lines.length || !lines[i].trim();
    if (!blank && start < 0) start = i;
    if (blank && start >= 0) {
      const block = plainBlock(lines.slice(start, i), start + 1);
      if (block) blocks.push(block);
      start = -1;
    }
  }
  return blocks.length ? [{ heading: '', start: blocks[0].start, blocks }] : [];
}

function markdownSections(lines: string[]): Section[] {
  const fm = parseFrontMatter(lines);
  const fmEnd = fm.lines;
  const title = fm.title;
  const src = lines.map((l, i) => (i < fmEnd ? '' : l)).join('\n');
  const tokens = md.parse(src, {});
  const sections: Section[] = [];
  const path: { level: number; text: string }[] = [];
  let hasH1 = false;
  let cur: Section = { heading: title, start: fmEnd + 1, blocks: [] };
  const crumb = () => {
    const parts = path.map((p) => p.text);
    if (title && !hasH1) parts.unshift(title);
    return parts.join(SEP);
  };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.level !== 0 || !t.map || t.nesting === -1) continue;
    if (t.type === 'heading_open') {
      const level = Number(t.tag.slice(1));
      const text = headingText(tokens[i + 1]);
      if (level === 1) hasH1 = true;
      if (cur.blocks.length) sections.push(cur);
      while (path.length && path[path.length - 1].level >= level) path.pop();
      path.push({ level, text });
      cur = { heading: crumb(), start: t.map[0] + 1, blocks: [] };
      continue;
    }
    if (t.type === 'hr') continue;
    // A block runs from its open token to the close token at the same level.
    let end = i;
    if (t.nesting === 1) while (end + 1 < tokens.length && !(tokens[end].level === 0 && tokens[end].nesting === -1)) end++;
    const block = blockText(tokens, i, end);
    if (block) cur.blocks.push(block);
    i = end;
  }
  if (cur.blocks.length) sections.push(cur);
  // A note of front matter alone is found by its title and description.
  if (sections.length === 0 && (fm.title || fm.description)) {
    const text = [fm.title, fm.description].filter(Boolean).join('\n');
    sections.push({ heading: fm.title, start: 1, blocks: [{ start: 1, end: fmEnd, text, marks: [{ at: 0, line: 1 }] }] });
  }
  return sections;
}
