// The front matter block at the top of a note (YAML `---` or TOML `+++`): not passage text, but
// its title and description name the note. Dendron and many templates create notes that hold
// nothing else. YAML is read by js-yaml (quoting, escapes, folded and literal blocks, comments);
// TOML's `key = "value"` lines are simple enough to read here.
import { JSON_SCHEMA, load as loadYaml } from 'js-yaml';

export interface FrontMatter {
  /** How many lines the block spans, fences included (0 when the note has none). */
  lines: number;
  title: string;
  description: string;
}

/** A larger block is not front matter a person wrote: read by lines only, never parsed. */
const MAX_YAML_CHARS = 64 * 1024;

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
  const yaml = fence === '---' ? readYaml(body) : null;
  if (yaml) return { lines: close + 1, title: text(key(yaml, 'title')), description: text(key(yaml, 'desc')) || text(key(yaml, 'description')) };
  return { lines: close + 1, title: field(body, 'title'), description: field(body, 'desc') || field(body, 'description') };
}

/** The block's top-level mapping, or null when it is not valid YAML (then read by lines). */
function readYaml(body: string[]): Record<string, unknown> | null {
  const src = body.join('\n');
  if (src.length > MAX_YAML_CHARS) return null;
  try {
    // The JSON schema: plain values only (no dates, no custom tags).
    const data = loadYaml(src, { schema: JSON_SCHEMA });
    return data && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** A top-level value by key, any case (`Title:` names a note as well as `title:`). */
function key(data: Record<string, unknown>, name: string): unknown {
  if (name in data) return data[name];
  const k = Object.keys(data).find((x) => x.toLowerCase() === name);
  return k === undefined ? undefined : data[k];
}

function text(v: unknown): string {
  if (typeof v === 'string') return v.replace(/\s+/g, ' ').trim();
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return '';
}

function field(body: string[], name: string): string {
  const re = new RegExp(`^${name}\\s*[:=]\\s*`, 'i');
  const line = body.find((l) => re.test(l));
  return line ? line.replace(re, '').replace(/^(["'])(.*)\1$/, '$2').trim() : '';
}
