// npm run bench [-- --quick] [-- part ...]: runs the benchmark parts in order, prints a table
// for each and writes JSON under bench/results/, then regenerates the README's Performance part.
import * as embedding from './embedding';
import * as indexing from './indexing';
import * as keyword from './keyword';
import * as models from './models';
import * as peers from './peers';
import { quick } from './lib';
import * as quality from './quality';
import { writeReport } from './report';
import * as scale from './scale';

const PARTS: Record<string, { run: () => Promise<void> }> = { embedding, keyword, indexing, scale, quality, models, peers };

async function main(): Promise<void> {
  const asked = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const names = asked.length ? asked : Object.keys(PARTS);
  for (const n of names) {
    if (!PARTS[n]) throw new Error(`unknown part ${n}; parts: ${Object.keys(PARTS).join(', ')}`);
    const t = Date.now();
    console.log(`\n## ${n}${quick ? ' (quick)' : ''}`);
    await PARTS[n].run();
    console.log(`(${((Date.now() - t) / 1000).toFixed(0)} s)`);
  }
  writeReport();
}

main().catch((err) => {
  console.error(`bench: ${(err as Error).stack ?? err}`);
  process.exit(1);
});
