#!/usr/bin/env node
// `semantic-notes`: the engine on the command line. Every command prints JSON with --json, and
// any failure is one line on stderr and a non-zero exit, never a stack trace.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { NotesIndex, type Logger } from '../engine/index/notesIndex';
import { evalRetrieval, evalSts } from '../engine/eval/runners';
import {
  DEFAULT_CROSS_ENCODER_MODEL,
  DEFAULT_EMBEDDING_MODEL,
  DEFAULT_FILL_MASK_MODEL,
  EngineSession,
  type EngineConfig,
} from '../engine/session';
import type { FusionSettings } from '../engine/search/fusion';
import { METRICS, POOLINGS, SEARCH_MODES, type Metric, type Pooling, type SearchHit, type SearchMode } from '../engine/types';
import { ProgressBar } from './progress';
import { isDir } from '../engine/util/fsProbe';
import { nodeVersionProblem } from '../engine/util/nodeVersion';

interface ModelFlags {
  model?: string;
  modelsDir?: string;
  allowDownload?: boolean;
  fillMaskModel?: string;
  rerankModel?: string;
  json?: boolean;
}

const program = new Command();
program
  .name('semantic-notes')
  .description('Index a folder of markdown notes and search it by meaning, keywords or both — all on this machine.')
  .showHelpAfterError()
  .configureOutput({ outputError: (str, write) => write(str) });

function withModelFlags(cmd: Command): Command {
  return cmd
    .option('--model <id>', `embedding model (default ${DEFAULT_EMBEDDING_MODEL})`)
    .option('--models-dir <dir>', 'folder of local models in transformers.js layout (default: $SEMANTIC_NOTES_MODELS)')
    .option('--allow-download', 'download missing models from the Hugging Face hub into the user cache')
    .option('--json', 'print JSON');
}

function session(flags: ModelFlags, log?: Logger): EngineSession {
  const modelsDir = flags.modelsDir ?? process.env.SEMANTIC_NOTES_MODELS ?? undefined;
  if (modelsDir && !isDir(modelsDir)) throw new Error(`models folder ${modelsDir} does not exist`);
  const config: EngineConfig = {
    modelsDir: modelsDir ? path.resolve(modelsDir) : undefined,
    allowDownloads: !!flags.allowDownload,
    remoteHost: process.env.SEMANTIC_NOTES_REMOTE_HOST || undefined,
    embeddingModel: flags.model ?? DEFAULT_EMBEDDING_MODEL,
    fillMaskModel: flags.fillMaskModel ?? flags.model ?? DEFAULT_FILL_MASK_MODEL,
    crossEncoderModel: flags.rerankModel ?? DEFAULT_CROSS_ENCODER_MODEL,
    log,
    onDownload: flags.json ? undefined : downloadReporter(),
  };
  return new EngineSession(config);
}

withModelFlags(program.command('index <folder>'))
  .description('index (or update the index of) a folder of notes')
  .requiredOption('--store <dir>', 'folder for the index files')
  .option('--keyword-only', 'build only the keyword index (no embedding model needed)')
  .option('--include <glob...>', 'only files matching these globs')
  .option('--exclude <glob...>', 'leave out files matching these globs')
  .option('--max-file-size <kb>', 'skip files larger than this many KiB', positiveInt, 2048)
  .action(async (folder: string, o: ModelFlags & { store: string; keywordOnly?: boolean; include?: string[]; exclude?: string[]; maxFileSize: number }) => {
    if (!isDir(folder)) throw new Error(`no such folder: ${folder}`);
    const warnings: string[] = [];
    const s = session(o, (level, msg) => level !== 'info' && warnings.push(msg));
    if (!o.keywordOnly) await s.encoder(); // a missing model is an error here, not a silent keyword-only index
    const index = await s.openIndex(folder, o.store, {
      keywordOnly: o.keywordOnly,
      walk: { include: o.include, exclude: o.exclude, maxFileBytes: o.maxFileSize * 1024 },
    });
    const bar = o.json ? null : new ProgressBar(process.stderr);
    try {
      const report = await index.sync({ onProgress: (p) => bar?.update(p.phase, p.done, p.total) });
      bar?.done();
      for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
      const out = { files: report.files, chunks: report.chunks, embedded: report.embedded, skipped: report.skipped.map((x) => ({ path: x.path, reason: x.reason })) };
      if (o.json) print(out);
      else {
        console.log(`Indexed ${out.files} files (${out.chunks} passages, ${out.embedded} embedded now) into ${path.resolve(o.store)}`);
        if (out.skipped.length) console.log(`Skipped ${out.skipped.length}: ${out.skipped.slice(0, 10).map((x) => `${x.path} (${x.reason})`).join(', ')}${out.skipped.length > 10 ? ', …' : ''}`);
      }
    } finally {
      await index.close();
    }
  });

withFusionFlags(withModelFlags(program.command('search <query>')))
  .description('search an index')
  .requiredOption('--store <dir>', 'folder of the index')
  .addOption(new Option('--mode <mode>', 'ranking').choices([...SEARCH_MODES]).default('hybrid'))
  .option('--rerank', 'rerank the top results with the cross-encoder')
  .option('--rerank-model <id>', `cross-encoder for --rerank (default ${DEFAULT_CROSS_ENCODER_MODEL})`)
  .option('-k, --top <n>', 'number of results', positiveInt, 10)
  .action(async (query: string, o: ModelFlags & FusionFlags & { store: string; mode: SearchMode; rerank?: boolean; top: number }) => {
    if (!query.trim()) throw new Error('the query is empty');
    const { index, s } = await openStored(o, o.mode === 'keyword');
    try {
      const reranker = o.rerank ? await s.crossEncoder() : null;
      const r = await NotesIndex.searchMany([index], query, { mode: o.mode, k: o.top, reranker, fusion: fusionFlags(o) });
      if (r.notice) process.stderr.write(`semantic-notes: ${r.notice}\n`);
      printHits(r.hits.map(({ source: _source, ...h }) => h), o.json);
    } finally {
      await index.close();
    }
  });

withModelFlags(program.command('related <file>'))
  .description('passages of other notes nearest to a note')
  .requiredOption('--store <dir>', 'folder of the index')
  .option('--line <n>', 'only the passage at this line', positiveInt)
  .option('-k, --top <n>', 'number of results', positiveInt, 10)
  .action(async (file: string, o: ModelFlags & { store: string; line?: number; top: number }) => {
    const { index } = await openStored(o, false);
    try {
      const root = index.opts.root;
      const rel = toPosix(path.isAbsolute(file) || fs.existsSync(file) ? path.relative(root, path.resolve(file)) : file);
      if (!index.hasFile(rel)) throw new Error(`${file} is not in the index of ${root}`);
      printHits(await index.related({ path: rel, line: o.line }, o.top), o.json);
    } finally {
      await index.close();
    }
  });

withModelFlags(program.command('similarity <texts...>'))
  .description('similarity matrix of two or more texts')
  .addOption(new Option('--pooling <mode>', 'pooling').choices([...POOLINGS]))
  .addOption(new Option('--metric <metric>', 'similarity metric').choices([...METRICS]).default('cosine'))
  .action(async (texts: string[], o: ModelFlags & { pooling?: Pooling; metric: Metric }) => {
    if (texts.some((t) => !t.trim())) throw new Error('every text must be non-empty');
    const r = await session(o).similarity(texts, o.metric, o.pooling);
    if (o.json) print({ texts, matrix: r.matrix, model: r.model, pooling: r.pooling, metric: o.metric });
    else {
      console.log(`${r.model}, ${r.pooling} pooling, ${o.metric}`);
      r.matrix.forEach((row, i) => console.log(`${row.map((x) => x.toFixed(3).padStart(7)).join(' ')}  ${texts[i]}`));
    }
  });

withModelFlags(program.command('mask <text>'))
  .description('suggest the word for [MASK]')
  .option('-k, --top <n>', 'number of candidates', positiveInt, 5)
  .action(async (text: string, o: ModelFlags & { top: number }) => {
    const s = session({ ...o, fillMaskModel: o.model });
    const lists = await s.mask(text, o.top);
    const shaped = lists.map((l) => l.map((c) => ({ token: c.token, score: round(c.score), sequence: c.sequence })));
    if (o.json) print(shaped.length === 1 ? shaped[0] : shaped);
    else shaped.forEach((l, i) => {
      if (shaped.length > 1) console.log(`mask ${i + 1}:`);
      for (const c of l) console.log(`${(c.score * 100).toFixed(1).padStart(5)}%  ${c.token.padEnd(16)} ${c.sequence}`);
    });
  });

const evalCmd = program.command('eval').description('measure retrieval or similarity quality');
withFusionFlags(withModelFlags(evalCmd.command('retrieval')))
  .requiredOption('--data <dir>', 'BEIR-style folder: corpus.jsonl, queries.jsonl, qrels.tsv')
  .option('--corpus <file>', 'corpus.jsonl when it is not in --data (default: --data or its parent)')
  .addOption(new Option('--mode <mode>', 'ranking').choices([...SEARCH_MODES]).default('hybrid'))
  .option('--rerank', 'rerank with the cross-encoder')
  .option('--rerank-model <id>', 'cross-encoder for --rerank')
  .action(async (o: ModelFlags & FusionFlags & { data: string; corpus?: string; mode: SearchMode; rerank?: boolean }) => {
    if (!isDir(o.data)) throw new Error(`no such folder: ${o.data}`);
    const s = session(o);
    const encoder = o.mode === 'keyword' ? null : await s.encoder();
    const reranker = o.rerank ? await s.crossEncoder() : null;
    const r = await evalRetrieval(o.data, { mode: o.mode, encoder, reranker, corpus: o.corpus, fusion: fusionFlags(o) });
    print(o.json ? r : { ...r });
  });
withModelFlags(evalCmd.command('sts'))
  .requiredOption('--data <file>', 'STS jsonl: sentence1, sentence2, score')
  .addOption(new Option('--pooling <mode>', 'pooling').choices([...POOLINGS]))
  .action(async (o: ModelFlags & { data: string; pooling?: Pooling }) => {
    if (!fs.existsSync(o.data)) throw new Error(`no such file: ${o.data}`);
    const r = await evalSts(o.data, await session(o).encoder(), o.pooling);
    print(r);
  });

interface FusionFlags {
  fusion?: 'convex' | 'rrf';
  semanticWeight?: number;
}

/** Hybrid fusion overrides; without them the model's own fusion settings apply. */
function withFusionFlags(cmd: Command): Command {
  return cmd
    .addOption(new Option('--fusion <method>', 'hybrid fusion (default: the model\'s own)').choices(['convex', 'rrf']))
    .option('--semantic-weight <w>', 'share of meaning in hybrid search, 0 (keywords alone) to 1 (default: the model\'s own)', unitInterval);
}

function fusionFlags(o: FusionFlags): Partial<FusionSettings> | undefined {
  if (o.fusion === undefined && o.semanticWeight === undefined) return undefined;
  return { ...(o.fusion ? { method: o.fusion } : {}), ...(o.semanticWeight !== undefined ? { semanticWeight: o.semanticWeight } : {}) };
}

function unitInterval(v: string): number {
  const n = Number(v);
  if (!(v.trim() !== '' && n >= 0 && n <= 1)) throw new InvalidArgumentError('give a number from 0 to 1');
  return n;
}

async function openStored(o: ModelFlags & { store: string }, keywordOnly: boolean): Promise<{ index: NotesIndex; s: EngineSession }> {
  const info = NotesIndex.describeStore(o.store);
  const s = session({ ...o, model: o.model ?? info.model ?? undefined });
  const encoder = keywordOnly || !info.model ? null : await s.encoder();
  return { index: NotesIndex.openStored(o.store, encoder), s };
}

function printHits(hits: SearchHit[], json?: boolean): void {
  if (json) return print(hits);
  if (hits.length === 0) console.log('No results.');
  for (const h of hits) {
    console.log(`${h.score.toFixed(4)}  ${h.path}:${h.startLine}-${h.endLine}${h.heading ? `  ${h.heading}` : ''}`);
    console.log(`        ${h.snippet}`);
  }
}

function downloadReporter(): EngineConfig['onDownload'] {
  const bar = new ProgressBar(process.stderr);
  return (e) => bar.update(`download ${e.model}/${e.file}`, e.loaded, e.total);
}

function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('must be a positive whole number');
  return n;
}


function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

const oldNode = nodeVersionProblem();
if (oldNode !== null) {
  process.stderr.write(`semantic-notes: ${oldNode}\n`);
  process.exitCode = 1;
} else {
  program.parseAsync(process.argv).catch((err: unknown) => {
    const msg = err instanceof Error ? err.message : String(err);
    process.stderr.write(`semantic-notes: ${msg.split('\n')[0]}\n`);
    process.exitCode = 1;
  });
}
