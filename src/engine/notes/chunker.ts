// Splits a note into passages that follow its heading sections. Each passage keeps its heading
// path as a breadcrumb and its line range in the original file; long sections split on block
// boundaries (paragraph, list, code fence, table) to fit the model's token budget, oversized
// blocks on lines and sentences, and tiny sections merge into a neighbour. Markdown structure
// comes from markdown-it; the text embedded is cleaned of markup noise but keeps every word.
import MarkdownIt from 'markdown-it';
import type { Chunk } from '../types';
import { parseFrontMatter } from './frontMatter';

export interface ChunkOptions {
  maxTokens?: number;
  countTokens?: (text: string) => number;
  minChars?: number;
}

const md = new MarkdownIt({ html: true });
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

interface Block {
  start: number; // 1-based inclusive
  end: number;
  text: string;
}

interface Section {
  heading: string;
  start: number; // heading line (or first block)
  blocks: Block[];
}

export function chunkMarkdown(filePath: string, text: string, opts: ChunkOptions = {}): Chunk[] {
  const maxTokens = Math.max(16, opts.maxTokens ?? 256);
  // Only truly tiny sections merge: a short note section is often exactly the answer a search wants.
  const minChars = opts.minChars ?? 48;
  const real = opts.countTokens;
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
  return mergeSmall(chunks, maxTokens, minChars, count);
}

/** Splits a block over budget on lines, then sentences, then by characters. */
function fitBlock(block: Block, maxTokens: number, count: (s: string) => number): Block[] {
  if (count(block.text) <= maxTokens) return [block];
  const out: Block[] = [];
  const blockLines = block.text.split('\n');
  if (blockLines.length > 1 && block.end > block.start) {
    // Line numbers are kept exact when the block maps line for line onto the file.
    const exact = blockLines.length === block.end - block.start + 1;
    let acc: string[] = [];
    let accStart = block.start;
    let accTokens = 0;
    blockLines.forEach((line, i) => {
      const ln = exact ? block.start + i : block.start;
      const t = count(line);
      if (acc.length && accTokens + t > maxTokens) {
        out.push({ start: accStart, end: exact ? ln - 1 : block.end, text: acc.join('\n') });
        acc = [];
        accTokens = 0;
      }
      if (acc.length === 0) accStart = ln;
      acc.push(line);
      accTokens += t;
    });
    if (acc.length) out.push({ start: accStart, end: block.end, text: acc.join('\n') });
    return out.flatMap((b) => (count(b.text) > maxTokens ? splitSentences(b, maxTokens, count) : [b]));
  }
  return splitSentences(block, maxTokens, count);
}

function splitSentences(block: Block, maxTokens: number, count: (s: string) => number): Block[] {
  const sentences = block.text.match(/[^.!?。？！\n]+[.!?。？！]*\s*/gu) ?? [block.text];
  const out: Block[] = [];
  let acc = '';
  let accTokens = 0;
  const push = (s: string) => {
    if (s.trim()) out.push({ start: block.start, end: block.end, text: s.trim() });
  };
  for (const s of sentences) {
    const t = count(s);
    if (t > maxTokens) {
      push(acc);
      acc = '';
      accTokens = 0;
      // Hard split: about maxTokens estimated tokens per piece, on a space when one is near.
      const approxChars = Math.max(16, Math.floor((s.length * maxTokens) / Math.max(1, estimateTokens(s), Math.ceil(s.length / MAX_CHARS_PER_TOKEN))) - 1);
      for (let i = 0; i < s.length; ) {
        let j = Math.min(s.length, i + approxChars);
        // Looks back only half a piece: a search back to the start made a 10 MB word quadratic.
        const half = i + Math.ceil(approxChars / 2);
        const space = j < s.length ? s.slice(half, j).lastIndexOf(' ') : -1;
        if (space > 0) j = half + space;
        let piece = s.slice(i, j);
        while (piece.length > 1 && count(piece) > maxTokens) piece = piece.slice(0, Math.floor(piece.length * 0.8));
        push(piece);
        i += Math.max(1, piece.length);
      }
      continue;
    }
    // Sentences part at whitespace or punctuation, where tokenizers part too, so their counts
    // add up: recounting the growing passage for every sentence made a 10 MB line quadratic.
    if (acc && accTokens + t > maxTokens) {
      push(acc);
      acc = '';
      accTokens = 0;
    }
    acc += s;
    accTokens += t;
  }
  push(acc);
  return out;
}

/**
 * Merges a passage shorter than minChars into the next one when both fit the budget; the merged
 * passage keeps the breadcrumb the two share (the parent for siblings, the section for a child).
 */
function mergeSmall(chunks: Chunk[], maxTokens: number, minChars: number, count: (s: string) => number): Chunk[] {
  const out: Chunk[] = [];
  const join = (a: Chunk, b: Chunk): Chunk | null => {
    const text = `${a.text}\n\n${b.text}`;
    return count(text) <= maxTokens ? { ...a, endLine: b.endLine, heading: commonCrumb(a.heading, b.heading), text } : null;
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

function commonCrumb(a: string, b: string): string {
  const pa = a.split(SEP);
  const pb = b.split(SEP);
  let i = 0;
  while (i < pa.length && i < pb.length && pa[i] === pb[i]) i++;
  return pa.slice(0, i).join(SEP);
}

function textSections(lines: string[]): Section[] {
  const blocks: Block[] = [];
  let start = -1;
  for (let i = 0; i <= lines.length; i++) {
    const blank = i === lines.length || !lines[i].trim();
    if (!blank && start < 0) start = i;
    if (blank && start >= 0) {
      blocks.push({ start: start + 1, end: i, text: lines.slice(start, i).join('\n').trim() });
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
    const [s, e] = t.map;
    if (t.type === 'heading_open') {
      const level = Number(t.tag.slice(1));
      const text = clean(tokens[i + 1]?.content ?? '');
      if (level === 1) hasH1 = true;
      if (cur.blocks.length) sections.push(cur);
      while (path.length && path[path.length - 1].level >= level) path.pop();
      path.push({ level, text });
      cur = { heading: crumb(), start: s + 1, blocks: [] };
      continue;
    }
    if (t.type === 'hr') continue;
    // A fence's content starts on the line after its opening fence.
    const block =
      t.type === 'fence' ? lineBlock(s + 2, t.content.replace(/\n$/, '').split('\n'))
      : t.type === 'code_block' ? lineBlock(s + 1, t.content.replace(/\n$/, '').split('\n'))
      : lineBlock(s + 1, lines.slice(s, e).map(cleanLine));
    if (block) cur.blocks.push(block);
  }
  if (cur.blocks.length) sections.push(cur);
  // A note of front matter alone is found by its title and description.
  if (sections.length === 0 && (fm.title || fm.description)) {
    const text = [fm.title, fm.description].filter(Boolean).join('\n');
    sections.push({ heading: fm.title, start: 1, blocks: [{ start: 1, end: fmEnd, text }] });
  }
  return sections;
}

/**
 * A block of cleaned lines, one per line of the file from `start`. Blank lines at either end
 * are dropped with their line numbers, so the text still maps line for line onto the file and a
 * block split on lines never gets overlapping ranges (a line cleaned to nothing, such as the
 * closing backtick of inline code, used to break that).
 */
function lineBlock(start: number, cleaned: string[]): Block | null {
  let a = 0;
  let b = cleaned.length;
  while (a < b && !cleaned[a].trim()) a++;
  while (b > a && !cleaned[b - 1].trim()) b--;
  if (a === b) return null;
  return { start: start + a, end: start + b - 1, text: cleaned.slice(a, b).join('\n') };
}

function cleanLine(line: string): string {
  return clean(
    line
      .replace(/^\s{0,3}>\s?/, '')
      .replace(/^\s*(?:[-*+]|\d+[.)])\s+(?:\[[ xX]\]\s+)?/, '')
      .replace(/^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$/, '')
      // Table cells: split, not /\s*\|\s*/, which is quadratic in a long run of spaces.
      .split('|')
      .map((cell, i, all) => (all.length > 1 ? cell.trim() : cell))
      .join(' | ')
      .replace(/^ \| | \| $/g, ''),
  );
}

/**
 * Inline markup → plain words: link and image text kept, URLs, tags and markers dropped.
 * Every span is bounded (link text 500 characters, a URL 2048, an emphasis 500): with an open
 * `[`, `<` or `**` that never closes, an unbounded pattern rescans the rest of the line from
 * each opener, and a 1 MB line of `[a](` or `**a` took hours.
 */
function clean(s: string): string {
  return s
    .replace(/\(data:[\w/+.-]{1,100};base64,[A-Za-z0-9+/=]*\)/g, '()')
    .replace(/!\[([^\]\n]{0,500})\]\([^)\n]{0,2048}\)/g, '$1')
    .replace(/\[\[([^\]|\n]{1,500})\|([^\]\n]{1,500})\]\]/g, (_, a: string, b: string) => wikiLabel(a, b))
    .replace(/\[\[([^\]\n]{1,500})\]\]/g, '$1')
    .replace(/\[([^\]\n]{1,500})\]\([^)\n]{0,2048}\)/g, '$1')
    .replace(/\[([^\]\n]{1,500})\]\[[^\]\n]{0,500}\]/g, '$1')
    .replace(INLINE_TAG, '')
    .replace(/<\/?[A-Za-z][^>\n]{0,1000}>/g, ' ')
    .replace(/`+/g, '')
    .replace(/(\*\*|__|~~)(?=\S)(.{1,500}?)(?<=\S)\1/g, '$2')
    .replace(/(^|[\s(])[*_](?=\S)(.{1,500}?)(?<=\S)[*_](?=[\s).,!?:;]|$)/g, '$1$2')
    .replace(/[ \t]+/g, ' ')
    .trim();
}

/** Tags that style part of a word (H<sub>2</sub>O, x<sup>2</sup>): dropped without a space. */
const INLINE_TAG = /<\/?(?:sup|sub|b|i|u|s|em|strong|mark|small|span|abbr|kbd|code|ins|del)(?:\s[^>\n]{0,1000})?>/gi;

/**
 * `[[a|b]]`: Obsidian writes `[[target|label]]`, Dendron `[[label|note.id]]`. The label is the
 * part that is not a dotted note id.
 */
function wikiLabel(a: string, b: string): string {
  const isId = (s: string) => /^[\p{L}\p{N}_-]+(?:\.[\p{L}\p{N}_-]+)+(?:#[^\s]*)?$/u.test(s.trim());
  return (isId(b) && !isId(a) ? a : b).trim();
}
