// Readers for the evaluation formats (see shared/data/README.md): BEIR retrieval folders and STS
// jsonl. Errors name the file and line.
import * as fs from 'node:fs';
import * as readline from 'node:readline';

export interface BeirData {
  corpus: { id: string; title: string; text: string }[];
  queries: { id: string; text: string }[];
  qrels: Map<string, Map<string, number>>;
}

export interface StsPair {
  sentence1: string;
  sentence2: string;
  score: number;
}

async function* jsonLines(file: string): AsyncGenerator<[Record<string, unknown>, number]> {
  if (!fs.existsSync(file)) throw new Error(`${file} does not exist`);
  const rl = readline.createInterface({ input: fs.createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let n = 0;
  for await (const line of rl) {
    n++;
    if (!line.trim()) continue;
    try {
      yield [JSON.parse(line) as Record<string, unknown>, n];
    } catch {
      throw new Error(`${file}:${n}: not valid JSON`);
    }
  }
}

function str(obj: Record<string, unknown>, key: string, where: string, optional = false): string {
  const v = obj[key];
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  if (optional && (v === undefined || v === null)) return '';
  throw new Error(`${where}: missing "${key}"`);
}

export async function loadBeir(files: { corpus: string; queries: string; qrels: string }): Promise<BeirData> {
  const corpus: BeirData['corpus'] = [];
  for await (const [o, n] of jsonLines(files.corpus)) {
    const where = `${files.corpus}:${n}`;
    corpus.push({ id: str(o, '_id' in o ? '_id' : 'id', where), title: str(o, 'title', where, true), text: str(o, 'text', where) });
  }
  const queries: BeirData['queries'] = [];
  for await (const [o, n] of jsonLines(files.queries)) {
    const where = `${files.queries}:${n}`;
    queries.push({ id: str(o, '_id' in o ? '_id' : 'id', where), text: str(o, 'text', where) });
  }
  if (!fs.existsSync(files.qrels)) throw new Error(`${files.qrels} does not exist`);
  const qrels = new Map<string, Map<string, number>>();
  fs.readFileSync(files.qrels, 'utf8').split('\n').forEach((line, i) => {
    if (!line.trim() || (i === 0 && /query/i.test(line))) return;
    const parts = line.split('\t');
    const score = Number(parts[2]);
    if (parts.length < 3 || !Number.isFinite(score)) throw new Error(`${files.qrels}:${i + 1}: expected query-id, corpus-id, score separated by tabs`);
    const m = qrels.get(parts[0]) ?? new Map<string, number>();
    m.set(parts[1], score);
    qrels.set(parts[0], m);
  });
  return { corpus, queries, qrels };
}

export async function loadSts(file: string): Promise<StsPair[]> {
  const pairs: StsPair[] = [];
  for await (const [o, n] of jsonLines(file)) {
    const where = `${file}:${n}`;
    const score = Number(o.score);
    if (!Number.isFinite(score)) throw new Error(`${where}: missing numeric "score"`);
    pairs.push({ sentence1: str(o, 'sentence1', where), sentence2: str(o, 'sentence2', where), score });
  }
  return pairs;
}
