// The .vsix a user installs: packaged by scripts/package.sh, checked for what it must and must not
// hold (under 45 MB; one transformers.js; no sharp/libvips; only linux-x64's native binaries; the
// embedded models beside package.json), then installed into code-server's extensions folder and
// driven through a search inside the real extension host, and the extension's whole host suite
// (suite/extension.itest.ts, which test/host/extension.test.ts runs against the checkout) run
// against the installed package.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { modelsDir, repoRoot, tmpDir } from '../helpers/env';
import { runExtensionTests } from './codeServer';
import { openVsix, packageVsix, unpackVsix } from './vsix';

const MAX_BYTES = 45e6;
/** A class defined once in transformers.js' source: one definition per copy shipped. */
const TRANSFORMERS_MARK = /\bvar TensorOpRegistry = class\b/g;
const EMBEDDED_MODELS = ['semantic-notes/static-en-v2', 'semantic-notes/static-ko'];

test('the packaged .vsix installs into VS Code, searches and passes the host suite', { timeout: 1_100_000 }, async (t) => {
  const out = path.join(repoRoot, '.test-output');
  fs.mkdirSync(out, { recursive: true });
  const vsix = path.join(out, 'semantic-notes-linux-x64.vsix');
  await packageVsix(repoRoot, vsix);
  const size = fs.statSync(vsix).size;
  console.log(`vsix: ${(size / 1e6).toFixed(2)} MB (${size} bytes)`);

  await t.test(`under ${MAX_BYTES / 1e6} MB, with one transformers.js, no sharp, linux-x64 binaries only and the embedded models`, () => {
    assert.ok(size < MAX_BYTES, `${size} bytes`);
    const pkg = openVsix(vsix);
    const names = pkg.entries.map((e) => e.name);

    const scripts = names.filter((n) => /\.(c|m)?js$/.test(n));
    const copies = scripts.flatMap((n) => Array(pkg.text(n).match(TRANSFORMERS_MARK)?.length ?? 0).fill(n));
    assert.deepEqual(copies, ['dist/service.js'], 'transformers.js ships once, inside the service bundle');
    assert.deepEqual(names.filter((n) => n.includes('@huggingface/')), [], 'no transformers.js package files');

    assert.deepEqual(names.filter((n) => /(^|\/)(sharp|@img)\/|libvips/.test(n)), [], 'no sharp or libvips');
    assert.deepEqual(names.filter((n) => n.includes('onnxruntime-web')), [], 'no onnxruntime-web');
    const natives = names.filter((n) => /\.node$|\.so(\.\d+)*$|\.dylib$|\.dll$/.test(n)).sort();
    assert.deepEqual(natives, [
      'node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1',
      'node_modules/onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node',
    ]);

    // The bundled-model lookup walks up from dist/ to the folder holding package.json and models/.
    const manifest = JSON.parse(pkg.text('package.json')) as { main: string };
    assert.equal(manifest.main, './dist/extension.js');
    assert.ok(names.includes('dist/service.js'));
    for (const id of EMBEDDED_MODELS) {
      for (const f of ['config.json', 'tokenizer.json', 'tokenizer_config.json']) assert.ok(names.includes(`models/${id}/${f}`), `models/${id}/${f}`);
      const onnx = pkg.entries.find((e) => e.name === `models/${id}/onnx/model_quantized.onnx`);
      assert.ok(onnx && onnx.size > 1e6, `models/${id}/onnx/model_quantized.onnx (int8) ships`);
    }
    assert.deepEqual(names.filter((n) => /^(src|out|test|bench|scripts|examples)\//.test(n) || n.endsWith('.ts') || n.endsWith('.map')), [], 'no sources, tests or build output');
  });

  await t.test('the packaged service indexes and searches with only what the package holds', () => {
    // The release workflow's smoke test of every target's package, here on this machine's.
    const out = execFileSync(process.execPath, [path.join(repoRoot, 'scripts', 'smoke-package.js'), vsix], { encoding: 'utf8', timeout: 120_000 });
    assert.match(out, /the packaged service runs on/);
  });

  await t.test('installs into code-server and searches in its extension host', async () => {
    const workspace = tmpDir('sn-ws-');
    fs.cpSync(path.join(repoRoot, 'examples', 'notes'), workspace, { recursive: true });
    const { exitCode, logs } = await runExtensionTests({
      installVsix: vsix,
      // Tests run only in a development host: an empty extension provides one; Semantic Notes itself comes from the .vsix.
      extensionDevelopmentPath: path.join(repoRoot, 'test', 'host', 'fixtures', 'runner-ext'),
      extensionTestsPath: path.join(repoRoot, 'out', 'test', 'host', 'suite', 'index.js'),
      workspaceFolder: workspace,
      timeoutMs: 150_000,
      env: { SEMANTIC_NOTES_MODELS: modelsDir(), SEMANTIC_NOTES_HOST_SUITE: 'vsix.itest' },
      settings: { 'semanticNotes.embeddingModel': 'semantic-notes/static-en' },
    });
    assert.equal(exitCode, 0, logs.slice(-30).join('\n'));
  });

  await t.test('the extension\'s whole host suite passes against the installed package', async () => {
    const workspace = tmpDir('sn-ws-');
    // The suite's own fixture workspace, settings and models, as in test/host/extension.test.ts.
    fs.cpSync(path.join(repoRoot, 'test', 'host', 'fixtures', 'workspace'), workspace, { recursive: true });
    const shots = path.join(repoRoot, '.test-output', 'screenshots-vsix');
    fs.rmSync(shots, { recursive: true, force: true });
    const { exitCode, logs } = await runExtensionTests({
      installVsix: vsix,
      // Only the .vsix provides Semantic Notes: the development path is the empty runner extension.
      extensionDevelopmentPath: path.join(repoRoot, 'test', 'host', 'fixtures', 'runner-ext'),
      extensionTestsPath: path.join(repoRoot, 'out', 'test', 'host', 'suite', 'index.js'),
      workspaceFolder: workspace,
      screenshotsDir: shots,
      timeoutMs: 600_000,
      env: { SEMANTIC_NOTES_MODELS: modelsDir(), SEMANTIC_NOTES_SCREENSHOTS: shots, SEMANTIC_NOTES_HOST_SUITE: 'extension.itest' },
      // The models come from the fixture's own .vscode/settings.json (workspace settings): user
      // settings.json was once found without them in CI, and the whole suite ran on the default model.
    });
    const counts = logs.filter((l) => /^\s*\d+ (passing|failing|pending)\b/.test(l)).map((l) => l.trim());
    console.log(`[vsix] host suite against the installed package: ${counts.join(', ')}`);
    assert.equal(exitCode, 0, logs.slice(-40).join('\n'));
    assert.ok(counts.some((c) => /^[1-9]\d* passing/.test(c)), 'the suite ran');
    assert.ok(fs.existsSync(path.join(shots, 'search-view.png')), 'the installed package showed its search view');
  });

  await t.test('the same package without ONNX Runtime\'s binding: one clear error in the editor, no restart loop', async () => {
    // A package for another platform: the extension installed as is, its native addon missing.
    const ext = tmpDir('sn-vsix-broken-');
    unpackVsix(vsix, ext);
    fs.rmSync(path.join(ext, 'node_modules', 'onnxruntime-node', 'bin', 'napi-v6', process.platform, process.arch, 'onnxruntime_binding.node'));
    const shots = path.join(repoRoot, '.test-output', 'screenshots-native-missing');
    fs.rmSync(shots, { recursive: true, force: true });
    const workspace = tmpDir('sn-ws-');
    fs.cpSync(path.join(repoRoot, 'examples', 'notes'), workspace, { recursive: true });
    const { exitCode, logs } = await runExtensionTests({
      extensionDevelopmentPath: ext,
      extensionTestsPath: path.join(repoRoot, 'out', 'test', 'host', 'suite', 'index.js'),
      workspaceFolder: workspace,
      screenshotsDir: shots,
      timeoutMs: 120_000,
      env: { SEMANTIC_NOTES_MODELS: modelsDir(), SEMANTIC_NOTES_SCREENSHOTS: shots, SEMANTIC_NOTES_HOST_SUITE: 'nativeMissing.itest' },
      settings: { 'semanticNotes.embeddingModel': 'semantic-notes/static-en' },
    });
    assert.equal(exitCode, 0, logs.slice(-30).join('\n'));
  });
});
