// The .vsix a user installs: packaged, installed into code-server's extensions folder, and
// driven through a search inside the real extension host.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { modelsDir, repoRoot, tmpDir } from '../helpers/env';
import { runExtensionTests } from './codeServer';
import { packageVsix } from './vsix';

test('the packaged .vsix installs into VS Code and searches', { timeout: 400_000 }, async () => {
  const out = path.join(repoRoot, '.test-output');
  fs.mkdirSync(out, { recursive: true });
  const vsix = path.join(out, 'semantic-notes-linux-x64.vsix');
  await packageVsix(repoRoot, vsix);
  const size = fs.statSync(vsix).size;
  console.log(`vsix: ${(size / 1e6).toFixed(1)} MB`);
  assert.ok(size > 10e6 && size < 90e6, `${size} bytes`);
  const workspace = tmpDir('sn-ws-');
  fs.cpSync(path.join(repoRoot, 'examples', 'notes'), workspace, { recursive: true });
  const { exitCode, logs } = await runExtensionTests({
    installVsix: vsix,
    // Tests run only in a development host: an empty extension provides one; Semantic Notes itself comes from the .vsix.
    extensionDevelopmentPath: path.join(repoRoot, 'test', 'host', 'fixtures', 'runner-ext'),
    extensionTestsPath: path.join(repoRoot, 'out', 'test', 'host', 'suite', 'index.js'),
    workspaceFolder: workspace,
    timeoutMs: 150_000,
    env: { SEMANTIC_NOTES_MODELS: modelsDir(), SEMANTIC_NOTES_HOST_SUITE: 'vsix' },
    settings: { 'semanticNotes.embeddingModel': 'semantic-notes/static-en' },
  });
  assert.equal(exitCode, 0, logs.slice(-30).join('\n'));
});
