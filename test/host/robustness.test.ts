// Runs the robustness suite (suite/robustness.itest.ts) in the real extension host: hostile note
// text in every view, crafted webview messages, workspace settings that try to redirect the
// models folder, 50 searches during indexing, save and git-checkout storms, and the host's event
// loop measured throughout. The workspace: test/host/fixtures/workspace-robust plus 3,570 tldr
// notes (English and Korean) from the shared corpus.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { dataDir, modelsDir, repoRoot, tmpDir } from '../helpers/env';
import { runExtensionTests } from './codeServer';

test('robustness suite passes in the real extension host', { timeout: 900_000 }, async () => {
  const workspace = tmpDir('sn-robust-ws-');
  fs.cpSync(path.join(repoRoot, 'test', 'host', 'fixtures', 'workspace-robust'), workspace, { recursive: true });
  const corpus = tmpDir('sn-robust-corpus-');
  execFileSync('tar', ['xzf', path.join(dataDir(), 'notes-corpus.tar.gz'), '-C', corpus, 'notes-corpus/tldr-en/linux', 'notes-corpus/tldr-ko/linux']);
  fs.renameSync(path.join(corpus, 'notes-corpus'), path.join(workspace, 'corpus'));
  const shots = path.join(repoRoot, '.test-output', 'screenshots-robust');
  fs.rmSync(shots, { recursive: true, force: true });
  const { exitCode, logs } = await runExtensionTests({
    extensionDevelopmentPath: repoRoot,
    extensionTestsPath: path.join(repoRoot, 'out', 'test', 'host', 'suite', 'index.js'),
    workspaceFolder: workspace,
    screenshotsDir: shots,
    timeoutMs: 840_000,
    env: { SEMANTIC_NOTES_MODELS: modelsDir(), SEMANTIC_NOTES_SCREENSHOTS: shots, SEMANTIC_NOTES_HOST_SUITE: 'robustness.itest' },
    settings: {
      'semanticNotes.embeddingModel': 'semantic-notes/static-en',
      'semanticNotes.fillMaskModel': 'semantic-notes-test/tiny-bert-mlm',
      // The built-in git extension would scan the checkout storm in the same host: not ours to measure.
      'git.enabled': false,
    },
  });
  for (const l of logs.filter((x) => /^\[(robust|event-loop|load|storm|security)\]/.test(x))) console.log(l);
  assert.equal(exitCode, 0, `robustness suite failed:\n${logs.slice(-60).join('\n')}`);
  for (const name of ['robust-search-xss', 'robust-matrix-xss', 'robust-mask-xss', 'robust-related-xss', 'robust-hover-xss']) {
    assert.ok(fs.existsSync(path.join(shots, `${name}.png`)), `screenshot ${name}`);
  }
  fs.rmSync(workspace, { recursive: true, force: true });
});
