// The extensionTestsPath entry: VS Code loads this inside the extension host and awaits run().
// Like VS Code's sample runner it runs mocha (BDD) over every compiled *.itest.js below this
// folder (out/test/host/suite/**/*.itest.js). SEMANTIC_NOTES_HOST_SUITE, when set, keeps only the
// files whose path (relative to the folder) contains one of its comma-separated substrings.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

function findTests(dir: string): string[] {
  const found: string[] = [];
  (function walk(d: string): void {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.name.endsWith('.itest.js')) found.push(full);
    }
  })(dir);
  return found.sort();
}

/** Runs mocha over dir/**\/*.itest.js; rejects when any test fails (the host then exits with 1). */
export function runSuite(dir: string): Promise<void> {
  // SEMANTIC_NOTES_HOST_GREP (a regular expression) runs only the tests whose full title matches: for working on one test.
  const grep = process.env.SEMANTIC_NOTES_HOST_GREP;
  const mocha = new Mocha({ ui: 'bdd', timeout: 120_000, color: false, reporter: 'spec', ...(grep ? { grep: new RegExp(grep) } : {}) });
  const filters = (process.env.SEMANTIC_NOTES_HOST_SUITE ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const files = findTests(dir).filter((f) => filters.length === 0 || filters.some((s) => path.relative(dir, f).includes(s)));
  if (files.length === 0) {
    return Promise.reject(new Error(`no *.itest.js under ${dir}${filters.length ? ` matching ${filters.join(', ')}` : ''}`));
  }
  for (const f of files) mocha.addFile(f);
  return new Promise((resolve, reject) => {
    try {
      mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} extension test(s) failed`)) : resolve()));
    } catch (err) {
      reject(err);
    }
  });
}

export function run(): Promise<void> {
  return runSuite(__dirname);
}
