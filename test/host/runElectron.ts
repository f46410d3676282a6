// The same extension-host suite (out/test/host/suite/index.js → every *.itest.js) through
// @vscode/test-electron's runTests, for machines that can download VS Code (a developer laptop,
// CI with internet). NOT run here: these machines reach no VS Code download server
// (ENOTFOUND update.code.visualstudio.com), so `npm test` uses code-server instead (codeServer.ts).
// Under Electron the Playwright side is absent, so suite/screenshot.ts resolves with '' (no picture).
// Usage: npm run build && node out/test/host/runElectron.js [workspace-folder]
//   env: SEMANTIC_NOTES_HOST_SUITE=<path substring> runs only matching *.itest.js files;
//        SEMANTIC_NOTES_MODELS=<dir> (default ../shared/models); VSCODE_VERSION (default 1.100.3).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';

async function main(): Promise<void> {
  const repoRoot = path.resolve(__dirname, '..', '..', '..');
  const workspace = path.resolve(process.argv[2] ?? path.join(repoRoot, 'examples', 'notes'));
  const userData = fs.mkdtempSync(path.join(os.tmpdir(), 'sn-electron-'));
  const extensionTestsEnv: Record<string, string> = {
    SEMANTIC_NOTES_MODELS: process.env.SEMANTIC_NOTES_MODELS ?? path.join(repoRoot, '..', 'shared', 'models'),
  };
  if (process.env.SEMANTIC_NOTES_HOST_SUITE) extensionTestsEnv.SEMANTIC_NOTES_HOST_SUITE = process.env.SEMANTIC_NOTES_HOST_SUITE;
  try {
    await runTests({
      version: process.env.VSCODE_VERSION ?? '1.100.3', // = code-server 4.100.3 used on offline machines
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: path.join(repoRoot, 'out', 'test', 'host', 'suite', 'index.js'),
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--user-data-dir', userData],
      extensionTestsEnv,
    });
  } finally {
    fs.rmSync(userData, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(`extension tests failed: ${(err as Error).message ?? err}`);
  process.exit(1);
});
