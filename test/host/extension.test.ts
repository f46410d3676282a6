// Runs the extension's integration suite inside a real VS Code extension host (code-server
// 4.100.3 + Chromium) and checks its exit code and the screenshots of each view.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { modelsDir, repoRoot, tmpDir } from '../helpers/env';
import { runExtensionTests } from './codeServer';

const XSS_NOTE = `# Payload injection attempt

\`\`\`html
<script>alert('pwned')</script><img src=x onerror="alert(1)">
\`\`\`

<script>document.body.innerHTML = 'pwned'</script>
<img src=x onerror="document.title='pwned'">
[click me](javascript:alert(1)) </textarea><style>body{display:none}</style>
`;

test('extension integration suite passes in the real extension host', { timeout: 420_000 }, async () => {
  const workspace = tmpDir('sn-ws-');
  fs.cpSync(path.join(repoRoot, 'examples', 'notes'), workspace, { recursive: true });
  fs.writeFileSync(path.join(workspace, 'xss.md'), XSS_NOTE);
  const shots = path.join(repoRoot, '.test-output', 'screenshots');
  fs.rmSync(shots, { recursive: true, force: true });
  const { exitCode, logs } = await runExtensionTests({
    extensionDevelopmentPath: repoRoot,
    extensionTestsPath: path.join(repoRoot, 'out', 'test', 'host', 'suite', 'index.js'),
    workspaceFolder: workspace,
    screenshotsDir: shots,
    timeoutMs: 360_000,
    env: { SEMANTIC_NOTES_MODELS: modelsDir(), SEMANTIC_NOTES_SCREENSHOTS: shots, SEMANTIC_NOTES_HOST_SUITE: 'extension.itest' },
    settings: { 'semanticNotes.embeddingModel': 'semantic-notes/static-en', 'semanticNotes.fillMaskModel': 'semantic-notes-test/tiny-bert-mlm' },
  });
  assert.equal(exitCode, 0, `extension tests failed:\n${logs.slice(-40).join('\n')}`);
  for (const name of ['search-quick-pick', 'search-view', 'related-view', 'similarity-matrix', 'masked-word', 'xss-search-view']) {
    const file = path.join(shots, `${name}.png`);
    assert.ok(fs.existsSync(file), `screenshot ${name}`);
    const png = fs.readFileSync(file);
    assert.equal(png.subarray(1, 4).toString(), 'PNG');
    assert.ok(png.length > 20_000, `${name}.png is ${png.length} bytes`);
  }
});
