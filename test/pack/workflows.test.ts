// The GitHub workflows: valid YAML, one release job per packaged target on a runner of that
// platform, and every job runs the project's own scripts, the ones CI runs (.ci/run and what it
// calls), which must exist and parse.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isSupportedNode } from '../../src/engine/util/nodeVersion';
import { repoRoot } from '../helpers/env';

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}
interface Job {
  'runs-on': string;
  container?: string;
  needs?: string[];
  strategy?: { matrix: { include: { target: string; os: string }[] } };
  steps: Step[];
}
interface Workflow {
  name: string;
  on: Record<string, unknown>;
  jobs: Record<string, Job>;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const yaml = require('js-yaml') as { load(text: string, opts?: { filename?: string }): unknown };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { TARGETS } = require(path.join(repoRoot, 'scripts', 'targets.js')) as { TARGETS: Record<string, string[]> };

function load(name: string): Workflow {
  const file = path.join(repoRoot, '.github', 'workflows', name);
  // js-yaml throws on a syntax error and on a duplicated key.
  return yaml.load(fs.readFileSync(file, 'utf8'), { filename: file }) as Workflow;
}

const runs = (job: Job) => job.steps.filter((s) => s.run).map((s) => s.run!.trim());
/** Project scripts a command line calls: `bash <file>`, `node <file>`, `.ci/run`. */
const scriptsIn = (line: string) => [...line.matchAll(/(?:bash|node)\s+(\S+\.(?:sh|js)|\.ci\/run)\b/g)].map((m) => m[1]);

/** GitHub-hosted runner labels and the platform each runs on. */
const RUNNERS: Record<string, string> = {
  'ubuntu-24.04': 'linux-x64',
  'ubuntu-24.04-arm': 'linux-arm64',
  'macos-15': 'darwin-arm64',
  'windows-2025': 'win32-x64',
  'windows-11-arm': 'win32-arm64',
};

test('release.yml: valid YAML; one job per target, each on its own platform\'s runner, packaging and smoke-testing that target', () => {
  const wf = load('release.yml');
  assert.deepEqual(wf.on.push, { tags: ['v*'] });
  const built: string[] = [];
  const linux = wf.jobs['linux-x64'];
  assert.equal(RUNNERS[linux['runs-on']], 'linux-x64');
  assert.equal(linux.container, 'node:20-bookworm', 'the machine CI runs on: Debian 12, Node 20');
  built.push('linux-x64');
  const matrix = wf.jobs.package.strategy!.matrix.include;
  for (const { target, os } of matrix) {
    assert.equal(RUNNERS[os], target, `${target} is built on a ${target} runner (${os}), never cross-built`);
    built.push(target);
  }
  assert.deepEqual(built.sort(), Object.keys(TARGETS).sort(), 'every packaged target, once');

  for (const [id, job, target] of [['linux-x64', linux, 'linux-x64'], ['package', wf.jobs.package, '${{ matrix.target }}']] as const) {
    const lines = runs(job);
    const vsix = `packages/semantic-notes-${target}.vsix`;
    assert.ok(lines.some((l) => l === `bash scripts/package.sh ${target} "${vsix}" --no-build`), `${id} packages ${target}`);
    assert.ok(lines.some((l) => l.includes('node scripts/smoke-package.js') && l.includes(vsix)), `${id} smoke-tests the package`);
    const upload = job.steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'));
    assert.equal(upload?.with?.path, vsix, `${id} uploads the package`);
  }
  const setupNode = wf.jobs.package.steps.find((s) => s.uses?.startsWith('actions/setup-node@'));
  assert.ok(isSupportedNode(`${String(setupNode?.with?.['node-version'])}.0`), 'a Node the project supports');
  assert.deepEqual(wf.jobs.publish.needs, ['linux-x64', 'package']);
});

test('the workflows run the scripts CI runs, and those scripts exist and parse', () => {
  const ciRun = fs.readFileSync(path.join(repoRoot, '.ci', 'run'), 'utf8');
  assert.match(ciRun, /^bash scripts\/ci\/install\.sh$/m, '.ci/run installs with scripts/ci/install.sh');
  assert.match(ciRun, /^npm test$/m);
  const ci = load('ci.yml');
  assert.ok(runs(ci.jobs.ci).includes('bash .ci/run'), 'ci.yml runs .ci/run');
  assert.equal(ci.jobs.ci.container, 'node:20-bookworm');

  const release = load('release.yml');
  assert.ok(runs(release.jobs['linux-x64']).includes('bash .ci/run'), 'the linux-x64 release job runs all of CI');
  const pkg = runs(release.jobs.package);
  // The other targets: CI's install, then the headless part of CI's tests.
  assert.ok(pkg.includes('bash scripts/ci/install.sh'));
  assert.ok(pkg.includes('bash scripts/ci/test-headless.sh'));

  const called = new Set<string>(scriptsIn(ciRun));
  for (const wf of [ci, release]) {
    for (const job of Object.values(wf.jobs)) {
      for (const line of runs(job)) for (const s of scriptsIn(line)) called.add(s);
      for (const s of job.steps) if (s.uses) assert.match(s.uses, /^[\w-]+\/[\w-]+@v\d+$/, `${s.uses}: a released major version`);
    }
  }
  assert.ok(called.size >= 6, [...called].join(', '));
  for (const s of called) {
    const file = path.join(repoRoot, s);
    assert.ok(fs.existsSync(file), `${s} exists`);
    const check = s.endsWith('.js') ? spawnSync(process.execPath, ['--check', file], { encoding: 'utf8' }) : spawnSync('bash', ['-n', file], { encoding: 'utf8' });
    assert.equal(check.status, 0, `${s}: ${check.stderr}`);
  }
});

test('a broken workflow file is caught: the parser rejects bad YAML and duplicated keys', () => {
  assert.throws(() => yaml.load('jobs:\n  a:\n    steps: [\n'), /unexpected end|flow collection/);
  assert.throws(() => yaml.load('jobs:\n  a: 1\n  a: 2\n'), /duplicated mapping key/);
});
