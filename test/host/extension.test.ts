// Runs the extension's integration suite inside a real VS Code extension host (code-server
// 4.100.3 + Chromium) and checks its exit code and the screenshots of each view.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { modelsDir, repoRoot, tmpDir } from '../helpers/env';
import { runExtensionTests } from './codeServer';

test('extension integration suite passes in the real extension host', { timeout: 600_000 }, async () => {
  const workspace = tmpDir('sn-ws-');
  // The fixture workspace: English and Korean notes, one full of markup, ignored and excluded files.
  fs.cpSync(path.join(repoRoot, 'test', 'host', 'fixtures', 'workspace'), workspace, { recursive: true });
  const shots = path.join(repoRoot, '.test-output', 'screenshots');
  fs.rmSync(shots, { recursive: true, force: true });
  const { exitCode, logs } = await runExtensionTests({
    extensionDevelopmentPath: repoRoot,
    extensionTestsPath: path.join(repoRoot, 'out', 'test', 'host', 'suite', 'index.js'),
    workspaceFolder: workspace,
    screenshotsDir: shots,
    timeoutMs: 540_000,
    env: { SEMANTIC_NOTES_MODELS: modelsDir(), SEMANTIC_NOTES_SCREENSHOTS: shots, SEMANTIC_NOTES_HOST_SUITE: 'extension.itest' },
    // The models come from the fixture's own .vscode/settings.json (workspace settings): user
    // settings.json was once found without them in CI, and the whole suite ran on the default model.
  });
  assert.equal(exitCode, 0, `extension tests failed:\n${logs.slice(-40).join('\n')}`);
  const views = ['coverage-report', 'search-quick-pick', 'search-quick-pick-rerank-missing', 'search-view', 'search-view-xss', 'search-view-rerank-missing', 'related-view', 'hover', 'compare-sentences', 'similarity-matrix', 'masked-word', 'indexing-progress', 'model-missing-prompt', 'model-upgrading', 'service-restarted', 'walkthrough', 'search-view-keyboard', 'similarity-matrix-driven', 'masked-word-driven'];
  for (const name of views) {
    const file = path.join(shots, `${name}.png`);
    assert.ok(fs.existsSync(file), `screenshot ${name}`);
    const png = fs.readFileSync(file);
    assert.equal(png.subarray(1, 4).toString(), 'PNG');
    assert.ok(png.length > 20_000, `${name}.png is ${png.length} bytes`);
  }
});
