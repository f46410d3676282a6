// The front matter block at the top of a note (YAML `---` or TOML `+++`): not passage text, but
// its title and description name the note. Dendron and many templates create notes that hold
// nothing else.

export interface FrontMatter {
  /** How many lines the block spans, fences included (0 when the note has none). */
  lines: number;
  title: string;
  description: string;
}

export function parseFrontMatter(lines: string[]): FrontMatter {
  const none = { lines: 0, title: '', description: '' };
  const fence = lines[0]?.trimEnd();
  if (fence !== '---' && fence !== '+++') return none;
  // YAML may also close with `...`.
  let close = -1;
  for (let i = 1; i < lines.length; i++) {
    const l = lines[i].trimEnd();
    if (l === fence || (fence === '---' && l === '...')) {
      close = i;
      break;
    }
  }
  if (close < 0) return none;
  const body = lines.slice(1, close);
  return { lines: close + 1, title: field(body, 'title'), description: field(body, 'desc') || field(body, 'description') };
}

function field(body: string[], name: string): string {
  const re = new RegExp(`^${name}\\s*[:=]\\s*`, 'i');
  const line = body.find((l) => re.test(l));
  return line ? line.replace(re, '').replace(/^(["'])(.*)\1$/, '$2').trim() : '';
}
