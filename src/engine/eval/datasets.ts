// Readers for the evaluation formats described in shared/data/README.md:
// - BEIR retrieval folders: corpus.jsonl ({"_id"|"id", "title", "text"}), queries.jsonl
//   ({"_id"|"id", "text"}) and qrels.tsv (header "query-id<TAB>corpus-id<TAB>score", then one
//   judged pair a line);
// - STS jsonl: {"id", "sentence1", "sentence2", "score"} a line.
// Each format has a streaming reader (an async generator, one record at a time; memory apart from
// the duplicate check is constant) and a loader that collects everything. Every error names
// the file and the 1-based line, and says what was expected.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';

export interface BeirDoc {
  id: string;
  title: string;
  text: string;
}

export interface BeirQuery {
  id: string;
  text: string;
}

export interface Judgement {
  queryId: string;
  docId: string;
  score: number;
}

/** query id → (document id → relevance). */
export type QrelsMap = Map<string, Map<string, number>>;

export interface BeirData {
  corpus: BeirDoc[];
  queries: BeirQuery[];
  qrels: QrelsMap;
}

export interface BeirFiles {
  corpus: string;
  queries: string;
  qrels: string;
}

export interface StsPair {
  id?: string;
  sentence1: string;
  sentence2: string;
  score: number;
}

/** Fails early, with a plain message, for a path that is missing or not a regular file. */
async function checkFile(file: string): Promise<void> {
  let st: fs.Stats;
  try {
    st = await fs.promises.stat(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? `${file} does not exist` : `${file} cannot be read (${(err as Error).message})`);
  }
  if (!st.isFile()) throw new Error(`${file} is not a file`);
}

/** Lines of a UTF-8 text file with their 1-based numbers (BOM and CR of CRLF removed). */
async function* lines(file: string): AsyncGenerator<[string, number]> {
  await checkFile(file);
  const input = fs.createReadStream(file, { encoding: 'utf8' });
  let streamError: Error | null = null;
  input.on('error', (err) => (streamError = err));
  const rl = readline.createInterface({ input, crlfDelay: Infinity });
  let n = 0;
  try {
    for await (const raw of rl) {
      n++;
      yield [n === 1 && raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw, n];
    }
  } catch (err) {
    throw new Error(`${file}: read failed after line ${n} (${(err as Error).message})`);
  } finally {
    rl.close();
    input.destroy();
  }
  if (streamError) throw new Error(`${file}: read failed after line ${n} (${(streamError as Error).message})`);
}

async function* jsonLines(file: string): AsyncGenerator<[Record<string, unknown>, string]> {
  for await (const [line, n] of lines(file)) {
    if (!line.trim()) continue;
    const where = `${file}:${n}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      throw new Error(`${where}: not valid JSON (${(err as Error).message}): ${preview(line)}`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${where}: expected a JSON object, got ${preview(line)}`);
    yield [value as Record<string, unknown>, where];
  }
}

function preview(s: string): string {
  return JSON.stringify(s.length > 80 ? `${s.slice(0, 80)}…` : s);
}

function field(obj: Record<string, unknown>, keys: string[], where: string, optional = false): string {
  for (const key of keys) {
    const v = obj[key];
    if (typeof v === 'string') return v;
    if (typeof v === 'number' && Number.isFinite(v)) return String(v);
    if (v !== undefined && v !== null) throw new Error(`${where}: "${key}" must be a string, got ${typeof v}`);
  }
  if (optional) return '';
  throw new Error(`${where}: missing "${keys.join('" or "')}"`);
}

/**
 * Tracks ids already read. A record repeated verbatim (same id, same content) is skipped, as
 * BEIR's own loader would keep one copy; the same id with different content is an error.
 */
class IdCheck {
  private seen = new Map<string, number>();
  /** True if the record is new; false for a verbatim repeat; throws on a conflicting one. */
  admit(id: string, content: string, where: string): boolean {
    if (!id) throw new Error(`${where}: empty id`);
    const h = hash(content);
    const prev = this.seen.get(id);
    if (prev === undefined) {
      this.seen.set(id, h);
      return true;
    }
    if (prev === h) return false;
    throw new Error(`${where}: duplicate id "${id}" with different content`);
  }
}

/** FNV-1a over UTF-16 code units: enough to tell a verbatim repeat from a conflicting record. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Documents of a BEIR corpus.jsonl, one at a time. */
export async function* readBeirCorpus(file: string): AsyncGenerator<BeirDoc> {
  const ids = new IdCheck();
  for await (const [o, where] of jsonLines(file)) {
    const doc = { id: field(o, ['_id', 'id'], where), title: field(o, ['title'], where, true), text: field(o, ['text'], where) };
    if (ids.admit(doc.id, `${doc.title}\u0000${doc.text}`, where)) yield doc;
  }
}

/** Queries of a BEIR queries.jsonl, one at a time. */
export async function* readBeirQueries(file: string): AsyncGenerator<BeirQuery> {
  const ids = new IdCheck();
  for await (const [o, where] of jsonLines(file)) {
    const q = { id: field(o, ['_id', 'id'], where), text: field(o, ['text'], where) };
    if (ids.admit(q.id, q.text, where)) yield q;
  }
}

/**
 * Judgements of a BEIR qrels.tsv, one at a time. The first line is taken as the header when its
 * score column is not a number; a pair listed twice with the same score is read once, with two
 * different scores it is an error.
 */
export async function* readQrels(file: string): AsyncGenerator<Judgement> {
  const seen = new Map<string, number>();
  for await (const [line, n] of lines(file)) {
    if (!line.trim()) continue;
    const parts = line.split('\t').map((p) => p.trim());
    if (n === 1 && parts.length === 3 && !isNumber(parts[2])) continue; // header
    const where = `${file}:${n}`;
    if (parts.length !== 3) throw new Error(`${where}: expected 3 tab-separated columns (query-id, corpus-id, score), got ${parts.length}: ${preview(line)}`);
    const [queryId, docId, s] = parts;
    if (!queryId || !docId) throw new Error(`${where}: empty query or corpus id`);
    if (!isNumber(s)) throw new Error(`${where}: score ${preview(s)} is not a number`);
    const key = `${queryId}\t${docId}`;
    const score = Number(s);
    const prev = seen.get(key);
    if (prev === score) continue; // a repeated line
    if (prev !== undefined) throw new Error(`${where}: query ${queryId} and document ${docId} are judged twice, ${prev} and ${score}`);
    seen.set(key, score);
    yield { queryId, docId, score };
  }
}

function isNumber(s: string): boolean {
  return s.trim() !== '' && Number.isFinite(Number(s));
}

export async function loadQrels(file: string): Promise<QrelsMap> {
  const qrels: QrelsMap = new Map();
  for await (const j of readQrels(file)) {
    let m = qrels.get(j.queryId);
    if (!m) qrels.set(j.queryId, (m = new Map()));
    m.set(j.docId, j.score);
  }
  return qrels;
}

/**
 * The files of a BEIR folder. A split folder without its own corpus (SciFact's train/) uses the
 * corpus.jsonl of its parent.
 */
export function beirFiles(dir: string): BeirFiles {
  const own = path.join(dir, 'corpus.jsonl');
  const parent = path.join(dir, '..', 'corpus.jsonl');
  return {
    corpus: fs.existsSync(own) || !fs.existsSync(parent) ? own : parent,
    queries: path.join(dir, 'queries.jsonl'),
    qrels: path.join(dir, 'qrels.tsv'),
  };
}

/** A whole BEIR dataset in memory: `files` as paths, or a folder (see beirFiles). */
export async function loadBeir(files: BeirFiles | string): Promise<BeirData> {
  const f = typeof files === 'string' ? beirFiles(files) : files;
  const corpus: BeirDoc[] = [];
  for await (const d of readBeirCorpus(f.corpus)) corpus.push(d);
  if (corpus.length === 0) throw new Error(`${f.corpus} has no documents`);
  const queries: BeirQuery[] = [];
  for await (const q of readBeirQueries(f.queries)) queries.push(q);
  if (queries.length === 0) throw new Error(`${f.queries} has no queries`);
  const qrels = await loadQrels(f.qrels);
  if (qrels.size === 0) throw new Error(`${f.qrels} has no judgements`);
  return { corpus, queries, qrels };
}

/** Sentence pairs of an STS jsonl file, one at a time. */
export async function* readSts(file: string): AsyncGenerator<StsPair> {
  for await (const [o, where] of jsonLines(file)) {
    const score = typeof o.score === 'string' && isNumber(o.score) ? Number(o.score) : o.score;
    if (typeof score !== 'number' || !Number.isFinite(score)) throw new Error(`${where}: missing numeric "score"`);
    const id = field(o, ['id'], where, true);
    const pair: StsPair = { sentence1: field(o, ['sentence1'], where), sentence2: field(o, ['sentence2'], where), score };
    if (id) pair.id = id;
    yield pair;
  }
}

export async function loadSts(file: string): Promise<StsPair[]> {
  const pairs: StsPair[] = [];
  for await (const p of readSts(file)) pairs.push(p);
  return pairs;
}
