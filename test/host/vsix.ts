// Packages the extension as users get it, with the project's own packaging script:
// `scripts/package.sh linux-x64 <outFile> --no-build` (the tests ran `npm run build` already;
// vsce's prepublish step bundles again). It ships the esbuild bundles, media, l10n, the embedded
// models and only linux-x64's native modules (.vscodeignore + scripts/targets.js). stdin is closed so a vsce prompt
// fails instead of hanging. Also reads a package back: its entries and files.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from '../helpers/env';

export function packageVsix(extDir: string, outFile: string): Promise<void> {
  const out = path.resolve(outFile);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  return new Promise((resolve, reject) => {
    const p = spawn('bash', [path.join(extDir, 'scripts', 'package.sh'), 'linux-x64', out, '--no-build'], { cwd: extDir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_update_notifier: 'false' } });
    const log: string[] = [];
    p.stdout!.on('data', (d) => log.push(String(d)));
    p.stderr!.on('data', (d) => log.push(String(d)));
    p.on('error', (err) => reject(new Error(`could not run scripts/package.sh: ${err.message}`)));
    p.on('exit', (code, signal) => {
      if (code === 0 && fs.existsSync(out)) {
        // The size table the script prints (after vsce's own listing).
        const text = log.join('');
        console.log(text.slice(text.lastIndexOf('zipped') - 5).trimEnd());
        resolve();
      } else reject(new Error(`scripts/package.sh linux-x64 in ${extDir} failed (${code ?? signal}):\n${log.join('').slice(-4000)}`));
    });
  });
}

export interface VsixEntry {
  name: string;
  size: number;
  zipped: number;
}

interface ZipReader {
  listEntries(file: string): (VsixEntry & { method: number; offset: number })[];
  readEntry(file: string, entry: VsixEntry): Buffer;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const zip = require(path.join(repoRoot, 'scripts', 'vsix-contents.js')) as ZipReader;

/** Writes the package's `extension/` folder (what the editor installs) into `dir`. */
export function unpackVsix(file: string, dir: string): void {
  for (const e of zip.listEntries(file)) {
    if (!e.name.startsWith('extension/') || e.name.endsWith('/')) continue;
    const dest = path.join(dir, e.name.slice('extension/'.length));
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.writeFileSync(dest, zip.readEntry(file, e));
  }
}

/** A packaged .vsix: its entries (paths below `extension/`) and the text of any of them. */
export function openVsix(file: string): { entries: VsixEntry[]; text(name: string): string } {
  const all = zip.listEntries(file);
  const entries = all.filter((e) => e.name.startsWith('extension/')).map((e) => ({ ...e, name: e.name.slice('extension/'.length) }));
  return {
    entries,
    text: (name) => {
      const e = all.find((x) => x.name === `extension/${name}`);
      if (!e) throw new Error(`${name} is not in ${file}`);
      return zip.readEntry(file, e).toString('utf8');
    },
  };
}
