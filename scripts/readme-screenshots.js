#!/usr/bin/env node
// Regenerates the README's and the walkthrough's pictures (media/readme/*.png) from the real
// editor: code-server + Chromium run test/host/suite/readme.itest.ts on a copy of the host tests'
// notes (English and Korean; the folders of test files left out) with the bundled bilingual model,
// and its screenshots are copied here.
// Usage: npm run build && node scripts/readme-screenshots.js
// Needs the editor host (bash scripts/setup-host.sh) and, for the masked-word picture, a fill-mask
// model under $SEMANTIC_NOTES_MODELS (default ../shared/models: semantic-notes/mini-mlm-en).
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const repo = path.join(__dirname, '..');
const harness = path.join(repo, 'out', 'test', 'host', 'codeServer.js');
if (!fs.existsSync(harness)) {
  console.error('readme-screenshots: run "npm run build" first (out/test/host/codeServer.js is missing).');
  process.exit(1);
}
const { runExtensionTests } = require(harness);
const PICTURES = ['walkthrough', 'search-view', 'search-view-ko', 'related-view', 'hover', 'similarity-matrix', 'masked-word', 'overview-dark', 'overview-high-contrast'];

(async () => {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'sn-readme-notes-'));
  const shots = fs.mkdtempSync(path.join(os.tmpdir(), 'sn-readme-shots-'));
  const fixture = path.join(repo, 'test', 'host', 'fixtures', 'workspace');
  for (const dir of ['cooking', 'dev', 'health', 'journal', 'reading', 'travel']) fs.cpSync(path.join(fixture, dir), path.join(workspace, dir), { recursive: true });
  const models = process.env.SEMANTIC_NOTES_MODELS || path.join(repo, '..', 'shared', 'models');
  try {
    const { exitCode, logs } = await runExtensionTests({
      extensionDevelopmentPath: repo,
      extensionTestsPath: path.join(repo, 'out', 'test', 'host', 'suite', 'index.js'),
      workspaceFolder: workspace,
      screenshotsDir: shots,
      timeoutMs: 400_000,
      env: { SEMANTIC_NOTES_MODELS: models, SEMANTIC_NOTES_HOST_SUITE: 'readme.itest' },
      settings: { 'semanticNotes.fillMaskModel': 'semantic-notes/mini-mlm-en', 'workbench.colorTheme': 'Default Light Modern' },
    });
    if (exitCode !== 0) {
      fs.cpSync(shots, path.join(os.tmpdir(), 'sn-readme-failed'), { recursive: true });
      console.error(`readme-screenshots: the picture suite failed (${exitCode}):\n${logs.slice(-30).join('\n')}`);
      process.exit(1);
    }
    const out = path.join(repo, 'media', 'readme');
    fs.mkdirSync(out, { recursive: true });
    for (const name of PICTURES) {
      const file = path.join(shots, `${name}.png`);
      if (!fs.existsSync(file)) throw new Error(`${name}.png was not taken`);
      fs.copyFileSync(file, path.join(out, `${name}.png`));
      console.log(`media/readme/${name}.png (${Math.round(fs.statSync(file).size / 1024)} KB)`);
    }
  } finally {
    fs.rmSync(workspace, { recursive: true, force: true });
    fs.rmSync(shots, { recursive: true, force: true });
  }
})().catch((err) => {
  console.error(`readme-screenshots: ${err.message}`);
  process.exit(1);
});
