// The same extension-host suite through @vscode/test-electron, for machines that can download
// VS Code (a developer's laptop, a CI with internet). Not run here: these machines reach no
// VS Code download server, so npm test uses code-server instead (see codeServer.ts).
// Usage: npm run build && node out/test/host/runElectron.js [workspace-folder]
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';

async function main(): Promise<void> {
  const repoRoot = path.resolve(__dirname, '..', '..', '..');
  const workspace = process.argv[2] ?? path.join(repoRoot, 'examples', 'notes');
  await runTests({
    version: '1.100.3',
    extensionDevelopmentPath: repoRoot,
    extensionTestsPath: path.join(repoRoot, 'out', 'test', 'host', 'suite', 'index.js'),
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
    extensionTestsEnv: { SEMANTIC_NOTES_HOST_SUITE: 'extension.itest', SEMANTIC_NOTES_MODELS: process.env.SEMANTIC_NOTES_MODELS ?? path.join(repoRoot, '..', 'shared', 'models') },
  });
}

main().catch((err) => {
  console.error(`extension tests failed: ${(err as Error).message}`);
  process.exit(1);
});
