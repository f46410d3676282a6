// The plain text of markdown blocks, read from markdown-it's tokens rather than cleaned with
// regular expressions (two of those hung on markup that never closed, and they cut a link whose
// URL holds parentheses short). Link and image text are kept, URLs, tags and markers dropped.
//
// A block's text holds one line per unit of meaning — a paragraph, a list item, a table row, a
// code line — so list items no longer run together; soft-wrapped lines of a paragraph join with a
// space. `marks` keeps where each line of the file starts in that text, so any piece of the text
// maps back to the lines it came from.
import MarkdownIt from 'markdown-it';

export interface LineMark {
  /** Offset in the block's text … */
  at: number;
  /** … where this line of the file (1-based) starts. */
  line: number;
}

export interface Block {
  start: number; // 1-based inclusive
  end: number;
  text: string;
  /** Sorted by `at`; the first is at 0. */
  marks: LineMark[];
}

export const md = new MarkdownIt({ html: true });
// Only text is taken from the tokens, never a rendered link: a link to any target (javascript:,
// a base64 data: URL) parses as a link, so its text is kept and its target dropped.
md.validateLink = () => true;
type Token = ReturnType<typeof md.parse>[number];

/** Builds a block's text unit by unit, recording the file line of each piece. */
class BlockText {
  private text = '';
  private marks: LineMark[] = [];
  private unitOpen = false;

  /** Starts a new unit (a new line of text) at file line `line`. */
  unit(line: number): void {
    this.endUnit();
    this.unitOpen = true;
    this.mark(line);
  }

  /** A new file line inside the current unit (a soft break): joined with a space. */
  softLine(line: number): void {
    this.append(' ');
    this.mark(line);
  }

  /** Appends text; runs of spaces and tabs become one space unless `raw` (code). */
  append(s: string, raw = false): void {
    if (!s) return;
    s = s.replace(/[\r\n]+/g, ' ');
    if (!raw) {
      s = s.replace(/[ \t]+/g, ' ');
      if (s[0] === ' ' && (this.text.length === 0 || this.text.endsWith(' ') || this.text.endsWith('\n'))) s = s.slice(1);
    }
    this.text += s;
  }

  /** The finished block, or null when it holds no text. */
  finish(): Block | null {
    this.endUnit();
    if (this.text.endsWith('\n')) this.text = this.text.slice(0, -1);
    if (!this.text.trim()) return null;
    const marks = this.marks.filter((m, i, all) => m.at < this.text.length && (i + 1 === all.length || all[i + 1].at > m.at));
    const text = this.text;
    return { start: marks[0].line, end: lineAt(marks, text.length - 1), text, marks };
  }

  private mark(line: number): void {
    const last = this.marks[this.marks.length - 1];
    // Lines only move forward (a code span over a line break can hide one soft break). Of marks
    // at one offset (an empty unit, then the next), finish() keeps the last.
    this.marks.push({ at: this.text.length, line: last && line < last.line ? last.line : line });
  }

  private endUnit(): void {
    if (!this.unitOpen) return;
    this.unitOpen = false;
    // Drop the unit's trailing space; an empty unit leaves no line.
    let end = this.text.length;
    while (end > 0 && (this.text[end - 1] === ' ' || this.text[end - 1] === '\t')) end--;
    if (end < this.text.length) this.text = this.text.slice(0, end);
    if (this.text.length > 0 && !this.text.endsWith('\n')) this.text += '\n';
  }
}

/** The line of the file at offset `off` of a block's text. */
export function lineAt(marks: LineMark[], off: number): number {
  let lo = 0;
  let hi = marks.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (marks[mid].at <= off) lo = mid;
    else hi = mid - 1;
  }
  return marks[lo].line;
}

/** The piece [from, to) of a block, trimmed of whitespace, with its own lines; null when blank. */
export function sliceBlock(b: Block, from: number, to: number): Block | null {
  while (from < to && /\s/.test(b.text[from])) from++;
  while (to > from && /\s/.test(b.text[to - 1])) to--;
  if (from >= to) return null;
  const marks: LineMark[] = [{ at: 0, line: lineAt(b.marks, from) }];
  // Marks inside the piece, found by binary search: a 10 MB code block has a million of them.
  let i = firstMarkAfter(b.marks, from);
  for (; i < b.marks.length && b.marks[i].at < to; i++) marks.push({ at: b.marks[i].at - from, line: b.marks[i].line });
  return { start: marks[0].line, end: lineAt(b.marks, to - 1), text: b.text.slice(from, to), marks };
}

function firstMarkAfter(marks: LineMark[], off: number): number {
  let lo = 0;
  let hi = marks.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (marks[mid].at <= off) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Plain text of one top-level markdown block: tokens[from..to] (the open token to its close). */
export function blockText(tokens: readonly Token[], from: number, to: number): Block | null {
  const out = new BlockText();
  let rowOpen = false;
  let cells = 0;
  for (let i = from; i <= to; i++) {
    const t = tokens[i];
    switch (t.type) {
      case 'fence':
      case 'code_block': {
        // A fence's content starts on the line after its opening fence.
        const first = t.map![0] + (t.type === 'fence' ? 2 : 1);
        t.content.replace(/\n$/, '').split('\n').forEach((line, k) => {
          out.unit(first + k);
          out.append(line.trimEnd(), true);
        });
        break;
      }
      case 'html_block':
        t.content.replace(/\n$/, '').split('\n').forEach((line, k) => {
          out.unit(t.map![0] + 1 + k);
          out.append(withoutTags(line));
        });
        break;
      case 'tr_open':
        rowOpen = true;
        cells = 0;
        out.unit(t.map![0] + 1);
        break;
      case 'tr_close':
        rowOpen = false;
        break;
      case 'inline':
        if (rowOpen) {
          if (cells++ > 0) out.append(' | ');
          inlineText(t.children ?? [], out, null);
        } else {
          const line = t.map ? t.map[0] + 1 : 1;
          out.unit(line);
          // A task list item: `- [ ] do this` reads "do this".
          const inItem = tokens[i - 2]?.type === 'list_item_open';
          inlineText(t.children ?? [], out, line, inItem, t.content);
        }
        break;
      default:
        break;
    }
  }
  return out.finish();
}

/**
 * The text of a heading's inline token, on one line (for breadcrumbs). A breadcrumb is a label
 * shown in hovers and result lists: markup quoted in a code span is read as markup there too, so
 * `<img onerror…>` or `[run](command:…)` in a heading leaves "run", not a tag or a command link.
 */
export function headingText(inline: Token | undefined): string {
  const out = new BlockText();
  out.unit(1);
  inlineText(inline?.children ?? [], out, null, false, '', true);
  return out.finish()?.text.replace(/\n/g, ' ') ?? '';
}

/**
 * Appends inline tokens. `line` is the file line of the first token, or null to keep everything on
 * one line (table cells, headings).
 */
function inlineText(children: Token[], out: BlockText, line: number | null, taskItem = false, raw = '', label = false): void {
  let cursor = 0; // in `raw`, past the last code span found there
  children.forEach((c, k) => {
    switch (c.type) {
      case 'text': {
        let s = cleanText(c.content);
        if (taskItem && k === 0) s = s.replace(/^\[[ xX]\]\s+/, '');
        out.append(s);
        break;
      }
      case 'code_inline': {
        if (label) {
          inlineText(md.parseInline(c.content, {})[0]?.children ?? [], out, null);
          break;
        }
        // markdown-it turns a code span's line breaks into spaces: find the span in the source to
        // keep the lines after it in step with the file.
        const span = line !== null && raw.includes('\n') ? findCodeSpan(raw, cursor, c.markup, c.content) : null;
        if (!span) {
          out.append(c.content);
          break;
        }
        cursor = span.end;
        span.inner.split('\n').forEach((part, n) => {
          if (n > 0) out.softLine(++line!);
          out.append(part);
        });
        break;
      }
      case 'image':
        inlineText(c.children ?? [], out, null);
        break;
      case 'softbreak':
      case 'hardbreak':
        if (line === null) out.append(' ');
        else out.softLine(++line);
        break;
      case 'html_inline':
        // Tags that style part of a word (H<sub>2</sub>O) go without a space; others part words.
        out.append(INLINE_TAG.test(c.content) ? '' : ' ');
        break;
      default:
        break;
    }
  });
}

/** Where a code span whose text is `content` sits in an inline token's source, from `from` on. */
function findCodeSpan(raw: string, from: number, markup: string, content: string): { inner: string; end: number } | null {
  let p = raw.indexOf(markup, from);
  // A few candidates at most: an escaped or unmatched backtick run can come first.
  for (let tries = 0; p >= 0 && tries < 8; tries++) {
    const innerStart = p + markup.length;
    const close = raw.indexOf(markup, innerStart);
    if (close < 0) return null;
    const inner = raw.slice(innerStart, close);
    let flat = inner.replace(/\n/g, ' ');
    if (flat.length > 2 && flat.startsWith(' ') && flat.endsWith(' ') && flat.trim()) flat = flat.slice(1, -1);
    if (flat === content) return { inner, end: close + markup.length };
    p = raw.indexOf(markup, p + markup.length);
  }
  return null;
}

/**
 * Text tokens may still hold what markdown-it does not parse: wiki links. Every span is bounded,
 * so no pattern rescans a long line.
 */
function cleanText(s: string): string {
  if (!s.includes('[[')) return s;
  return s
    .replace(/\[\[([^\]|\n]{1,500})\|([^\]\n]{1,500})\]\]/g, (_, a: string, b: string) => wikiLabel(a, b))
    .replace(/\[\[([^\]\n]{1,500})\]\]/g, '$1');
}

/** Tags that style part of a word (H<sub>2</sub>O, x<sup>2</sup>): dropped without a space. */
const INLINE_TAG = /^<\/?(?:sup|sub|b|i|u|s|em|strong|mark|small|span|abbr|kbd|code|ins|del)(?:\s[^>\n]{0,1000})?>$/i;

function withoutTags(line: string): string {
  return line.replace(/<\/?[A-Za-z][^>\n]{0,1000}>/g, ' ').replace(/<!--[^\n]{0,1000}?-->/g, ' ');
}

/**
 * `[[a|b]]`: Obsidian writes `[[target|label]]`, Dendron `[[label|note.id]]`. The label is the
 * part that is not a dotted note id.
 */
function wikiLabel(a: string, b: string): string {
  const isId = (s: string) => /^[\p{L}\p{N}_-]+(?:\.[\p{L}\p{N}_-]+)+(?:#[^\s]*)?$/u.test(s.trim());
  return (isId(b) && !isId(a) ? a : b).trim();
}

/** A plain-text block: one unit per line of the file. */
export function plainBlock(lines: string[], start: number): Block | null {
  const out = new BlockText();
  lines.forEach((l, k) => {
    out.unit(start + k);
    out.append(l.trim(), true);
  });
  return out.finish();
}
