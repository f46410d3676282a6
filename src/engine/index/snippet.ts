// A short excerpt of a passage for result lists: the window around the first query word found,
// else the start of the passage. It is cut from the passage's parsed text (chunker.ts), whose
// lines are its paragraphs, list items, table rows and code lines: they are joined with " · "
// where a line does not end a sentence, so list items do not run together.

export function makeSnippet(text: string, query: string, maxChars = 220): string {
  const flat = oneLine(text);
  if (flat.length <= maxChars) return flat;
  const lower = flat.toLowerCase();
  let at = -1;
  for (const word of query.toLowerCase().split(/[\s\p{P}]+/u)) {
    if (word.length < 2) continue;
    const i = lower.indexOf(word);
    if (i >= 0 && (at < 0 || i < at)) at = i;
  }
  let start = at < 0 ? 0 : Math.max(0, at - Math.floor(maxChars / 3));
  // Start on a word boundary when one is near.
  if (start > 0) {
    const space = flat.indexOf(' ', start);
    if (space >= 0 && space - start < 20) start = space + 1;
  }
  const end = Math.min(flat.length, start + maxChars);
  return `${start > 0 ? '…' : ''}${flat.slice(start, end).trim()}${end < flat.length ? '…' : ''}`;
}

/** Ends a sentence or clause: the next line follows after a plain space. */
const CLOSES = new Set('.!?:;,。？！…');

/** The passage's lines on one line, whitespace collapsed. */
export function oneLine(text: string): string {
  let out = '';
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\s+/g, ' ').trim();
    if (!line) continue;
    if (out) out += CLOSES.has(out[out.length - 1]) ? ' ' : ' · ';
    out += line;
  }
  return out;
}
