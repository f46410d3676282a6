// Runs the Restricted Mode suite (suite/security.itest.ts) in the real extension host with
// workspace trust ON and the folder untrusted: the workspace's settings try every restricted
// configuration, and the folder holds a link to a "private key" outside it and a link inside it.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { modelsDir, repoRoot, tmpDir } from '../helpers/env';
import { runExtensionTests } from './codeServer';

test('Restricted Mode: restricted settings come from the user only, links are not followed, search works', { timeout: 600_000 }, async () => {
  const workspace = tmpDir('sn-untrusted-ws-');
  fs.cpSync(path.join(repoRoot, 'test', 'host', 'fixtures', 'workspace-untrusted'), workspace, { recursive: true });
  const home = tmpDir('sn-untrusted-home-');
  fs.writeFileSync(path.join(home, 'id_rsa.md'), '# key\n\nZEBRAKEYMATERIAL private key of the user\n');
  fs.symlinkSync(path.join(home, 'id_rsa.md'), path.join(workspace, 'notes', 'x.md'));
  fs.symlinkSync(path.join(workspace, 'notes', 'quokka.md'), path.join(workspace, 'alias.md'));
  const { exitCode, logs } = await runExtensionTests({
    extensionDevelopmentPath: repoRoot,
    extensionTestsPath: path.join(repoRoot, 'out', 'test', 'host', 'suite', 'index.js'),
    workspaceFolder: workspace,
    workspaceTrust: true,
    timeoutMs: 540_000,
    env: { SEMANTIC_NOTES_MODELS: modelsDir(), SEMANTIC_NOTES_HOST_SUITE: 'security.itest' },
    settings: { 'semanticNotes.embeddingModel': 'semantic-notes/static-en', 'semanticNotes.fillMaskModel': 'semantic-notes-test/tiny-bert-mlm' },
  });
  for (const l of logs.filter((x) => /^\[restricted\]/.test(x))) console.log(l);
  assert.equal(exitCode, 0, `Restricted Mode suite failed:\n${logs.slice(-40).join('\n')}`);
  fs.rmSync(workspace, { recursive: true, force: true });
  fs.rmSync(home, { recursive: true, force: true });
});
