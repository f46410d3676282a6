// The webview scripts (media/*.js, plain JavaScript) type-check against the messages the extension
// sends and accepts (src/extension/webviews/messages.ts): a page posting a field the extension does
// not know, or reading one it never sends, fails here.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { repoRoot } from '../helpers/env';

const tsc = path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');

function check(project: string): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [tsc, '-p', project], { encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

test('media/*.js type-check against the webview message types', { timeout: 150_000 }, () => {
  const r = check(path.join(repoRoot, 'media', 'jsconfig.json'));
  assert.equal(r.status, 0, r.out);
});

test('a page posting a message of the wrong shape fails the check', { timeout: 150_000 }, () => {
  // A copy of the media folder whose matrix page sends a pooling the extension does not accept.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sn-webview-types-'));
  try {
    for (const f of ['search.js', 'mask.js']) fs.copyFileSync(path.join(repoRoot, 'media', f), path.join(dir, f));
    // The same options, with the repository's type roots (the copy has no node_modules beside it).
    const config = fs.readFileSync(path.join(repoRoot, 'media', 'jsconfig.json'), 'utf8').replace('"types": ["vscode-webview"],', `"types": ["vscode-webview"], "typeRoots": [${JSON.stringify(path.join(repoRoot, 'node_modules', '@types'))}],`);
    assert.match(config, /typeRoots/);
    fs.writeFileSync(path.join(dir, 'jsconfig.json'), config);
    const matrix = fs.readFileSync(path.join(repoRoot, 'media', 'matrix.js'), 'utf8');
    const broken = matrix.replace("vscode.postMessage({ type: 'ready' });", "vscode.postMessage({ type: 'ready' }); vscode.postMessage({ type: 'compute', texts: [], pooling: 'median', metric: 'cosine' });");
    assert.notEqual(broken, matrix);
    fs.writeFileSync(path.join(dir, 'matrix.js'), broken);
    // The JSDoc imports point at ../src: keep them pointing at the repository's.
    for (const f of ['search.js', 'mask.js', 'matrix.js']) {
      const p = path.join(dir, f);
      fs.writeFileSync(p, fs.readFileSync(p, 'utf8').split("'../src/").join(`'${path.join(repoRoot, 'src')}/`));
    }
    const r = check(path.join(dir, 'jsconfig.json'));
    assert.notEqual(r.status, 0);
    assert.match(r.out, /matrix\.js.*"median"/s);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
