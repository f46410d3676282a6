// The extensionTestsPath entry: VS Code loads this inside the extension host and awaits run().
// It runs mocha over the compiled *.itest.js files next to it (SEMANTIC_NOTES_HOST_SUITE limits
// them to names containing that text).
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 120_000, color: false, reporter: 'spec' });
  const only = process.env.SEMANTIC_NOTES_HOST_SUITE;
  for (const f of fs.readdirSync(__dirname).sort()) {
    if (f.endsWith('.itest.js') && (!only || f.includes(only))) mocha.addFile(path.join(__dirname, f));
  }
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} extension test(s) failed`)) : resolve()));
  });
}
