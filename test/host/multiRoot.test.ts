// A multi-root workspace in the real extension host: two folders, both indexed, one search with
// results from both, then one folder removed (see suite/multiRoot.itest.ts).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { modelsDir, repoRoot, tmpDir } from '../helpers/env';
import { FOLDER_A, FOLDER_B, writeFolder } from '../fixtures/twoFolders';
import { runExtensionTests } from './codeServer';

test('a two-folder workspace: both indexed, results from both, one removed', { timeout: 400_000 }, async () => {
  const a = writeFolder(FOLDER_A);
  const b = writeFolder(FOLDER_B);
  const workspace = path.join(tmpDir('sn-multi-'), 'notes.code-workspace');
  fs.writeFileSync(workspace, JSON.stringify({ folders: [{ path: a }, { path: b }] }));
  const shots = path.join(repoRoot, '.test-output', 'screenshots-multi-root');
  fs.rmSync(shots, { recursive: true, force: true });
  const { exitCode, logs } = await runExtensionTests({
    extensionDevelopmentPath: repoRoot,
    extensionTestsPath: path.join(repoRoot, 'out', 'test', 'host', 'suite', 'index.js'),
    workspaceFolder: workspace,
    screenshotsDir: shots,
    timeoutMs: 300_000,
    env: { SEMANTIC_NOTES_MODELS: modelsDir(), SEMANTIC_NOTES_HOST_SUITE: 'multiRoot.itest' },
    settings: { 'semanticNotes.embeddingModel': 'semantic-notes/static-en' },
  });
  assert.equal(exitCode, 0, `multi-root tests failed:\n${logs.slice(-40).join('\n')}`);
});
