// Proves the extension-host harness (codeServer.ts) with a tiny fixture extension: a passing
// suite gives exit code 0 (with env passed through and a real screenshot), a deliberately failing
// one gives 1, and a hanging one is stopped at timeoutMs. Needs `bash scripts/setup-host.sh`.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkHostInstalled, repoRoot, runExtensionTests, TIMEOUT_EXIT_CODE, type HostRunOptions } from './codeServer';

const extensionDevelopmentPath = path.join(repoRoot, 'test', 'host', 'fixtures', 'hello-ext');
const extensionTestsPath = path.join(repoRoot, 'out', 'test', 'host', 'fixtures', 'hello-suite', 'index.js');

function options(suite: string, extra: Partial<HostRunOptions> = {}): HostRunOptions {
  const workspaceFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'sn-hello-ws-'));
  fs.writeFileSync(path.join(workspaceFolder, 'note.md'), '# Hello\n');
  return { extensionDevelopmentPath, extensionTestsPath, workspaceFolder, timeoutMs: 60_000, env: { SEMANTIC_NOTES_HOST_SUITE: suite, SN_HARNESS_PROBE: 'probe-42' }, ...extra };
}

test('code-server and Chromium are installed', () => {
  checkHostInstalled(); // throws "... Run \"bash scripts/setup-host.sh\" first."
});

test('a passing suite exits 0 and can take screenshots', { timeout: 90_000 }, async () => {
  checkHostInstalled();
  const shots = fs.mkdtempSync(path.join(os.tmpdir(), 'sn-hello-shots-'));
  const { exitCode, logs } = await runExtensionTests(options('pass', { screenshotsDir: shots }));
  assert.equal(exitCode, 0, logs.slice(-30).join('\n'));
  assert.ok(logs.some((l) => l.includes('4 passing')), 'mocha summary in the forwarded logs');
  const png = fs.readFileSync(path.join(shots, 'hello-notification.png'));
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
  assert.equal(png.readUInt32BE(16), 1400, 'width');
  assert.equal(png.readUInt32BE(20), 900, 'height');
  assert.ok(png.length > 20_000, `screenshot is only ${png.length} bytes`);
  fs.rmSync(shots, { recursive: true, force: true });
});

test('a failing assertion exits 1', { timeout: 90_000 }, async () => {
  checkHostInstalled();
  const { exitCode, logs } = await runExtensionTests(options('fail'));
  assert.equal(exitCode, 1, logs.slice(-30).join('\n'));
  assert.ok(logs.some((l) => l.includes('deliberate failure')), 'the assertion message is forwarded');
});

test('a hung suite is stopped at timeoutMs', { timeout: 90_000 }, async () => {
  checkHostInstalled();
  const t0 = Date.now();
  const { exitCode, logs } = await runExtensionTests(options('hang', { timeoutMs: 12_000 }));
  assert.equal(exitCode, TIMEOUT_EXIT_CODE);
  assert.ok(logs.some((l) => l.includes('TIMEOUT')), 'a clear timeout message');
  assert.ok(Date.now() - t0 < 25_000, `took ${Date.now() - t0} ms`);
});
