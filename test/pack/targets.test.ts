// Per-platform packages (issue #13): what each target's .vsix keeps, as vsce itself selects the
// files with that target's ignore list (scripts/targets.js). Every native file must be the
// target's own, told by its header; the lists are written to .test-output/targets/<target>.txt.
// ONNX Runtime is the only native module, and its npm package holds every platform's binaries,
// so any machine can build any target's package.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from '../helpers/env';

interface Targets {
  TARGETS: Record<string, string[]>;
  UNSUPPORTED: Record<string, string>;
  ORT_BIN: string;
  isNative(name: string): boolean;
  runtimeFiles(target: string): string[];
  binaryPlatform(buf: Buffer): string | null;
  checkNatives(files: { name: string; bytes(): Buffer }[], target: string): { natives: { name: string; platform: string | null }[]; foreign: { name: string; platform: string | null }[] };
  listTargetFiles(target: string): Promise<string[]>;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const targets = require(path.join(repoRoot, 'scripts', 'targets.js')) as Targets;
const ALL = Object.keys(targets.TARGETS);

test('the five targets are the platforms ONNX Runtime 1.30 ships binaries for', () => {
  assert.deepEqual(ALL.sort(), ['darwin-arm64', 'linux-arm64', 'linux-x64', 'win32-arm64', 'win32-x64']);
  const shipped = fs.readdirSync(path.join(repoRoot, targets.ORT_BIN)).flatMap((os) => fs.readdirSync(path.join(repoRoot, targets.ORT_BIN, os)).map((arch) => `${os}-${arch}`));
  assert.deepEqual(shipped.sort(), ALL.sort(), 'one package per platform that onnxruntime-node has binaries for');
});

test('the header check knows every platform of onnxruntime-node\'s real binaries', () => {
  for (const target of ALL) {
    const [os, arch] = target.split('-');
    const dir = path.join(repoRoot, targets.ORT_BIN, os, arch);
    for (const f of fs.readdirSync(dir)) assert.equal(targets.binaryPlatform(fs.readFileSync(path.join(dir, f))), target, `${os}/${arch}/${f}`);
  }
  assert.equal(targets.binaryPlatform(fs.readFileSync(path.join(repoRoot, 'package.json'))), null);
  // A linux-x64 runtime in a win32-x64 package is caught.
  const linux = targets.runtimeFiles('linux-x64').map((name) => ({ name, bytes: () => fs.readFileSync(path.join(repoRoot, name)) }));
  assert.deepEqual(targets.checkNatives(linux, 'win32-x64').foreign.map((f) => f.platform), ['linux-x64', 'linux-x64']);
  assert.deepEqual(targets.checkNatives(linux, 'linux-x64').foreign, []);
});

test('each target\'s package keeps its own ONNX Runtime only, and the same everything else', { timeout: 300_000 }, async () => {
  const lists = Object.fromEntries(await Promise.all(ALL.map(async (t) => [t, await targets.listTargetFiles(t)] as const)));
  const out = path.join(repoRoot, '.test-output', 'targets');
  fs.mkdirSync(out, { recursive: true });
  for (const t of ALL) fs.writeFileSync(path.join(out, `${t}.txt`), `${lists[t].join('\n')}\n`);

  const common = lists['linux-x64'].filter((f) => !targets.isNative(f) && !f.startsWith(targets.ORT_BIN));
  for (const t of ALL) {
    const files = lists[t];
    const natives = files.filter((f) => targets.isNative(f)).sort();
    console.log(`[targets] ${t}: ${files.length} files; native: ${natives.join(', ')}`);
    assert.deepEqual(natives, [...targets.runtimeFiles(t)].sort(), `${t} natives`);
    const [os, arch] = t.split('-');
    assert.deepEqual(files.filter((f) => f.startsWith(targets.ORT_BIN) && !f.startsWith(`${targets.ORT_BIN}/${os}/${arch}/`)), [], `${t} holds no other platform's runtime`);
    assert.deepEqual(files.filter((f) => /DirectML|dxcompiler|dxil|libonnxruntime\.1\.\d+\.\d+\.dylib/.test(f)), [], `${t}: no DirectML/DXC, no second copy of the macOS runtime`);
    for (const f of natives) {
      assert.equal(targets.binaryPlatform(fs.readFileSync(path.join(repoRoot, f))), t, `${f} in the ${t} package`);
    }
    assert.deepEqual(files.filter((f) => !targets.isNative(f) && !f.startsWith(targets.ORT_BIN)), common, `${t}: the same bundles, models and JavaScript as linux-x64`);
  }
  for (const f of ['dist/extension.js', 'dist/service.js', 'dist/noteReaderWorker.js', 'package.json', 'models/semantic-notes/static-en-v2/onnx/model_quantized.onnx', 'models/semantic-notes/static-ko/onnx/model_quantized.onnx']) assert.ok(common.includes(f), f);
});

test('scripts/package.sh refuses, in one line, a target it cannot build', () => {
  const cases: [string, RegExp][] = [
    ['darwin-x64', /^no package for darwin-x64: ONNX Runtime 1\.30 .* has no macOS x64 binary\. Supported: /],
    ['alpine-x64', /^no package for alpine-x64: .*glibc.*musl\. Supported: /],
    ['beos-x64', /^unknown target 'beos-x64'\. Supported: linux-x64, linux-arm64, darwin-arm64, win32-x64, win32-arm64\.$/],
  ];
  for (const [target, says] of cases) {
    const r = spawnSync('bash', [path.join(repoRoot, 'scripts', 'package.sh'), target, '--no-build'], { cwd: repoRoot, encoding: 'utf8' });
    assert.equal(r.status, 2, target);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
    assert.match(r.stderr.trimEnd(), says);
  }
});
