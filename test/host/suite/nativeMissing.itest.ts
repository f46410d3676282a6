// Runs against the packaged extension with ONNX Runtime's binding removed (what a package
// built for another platform looks like): activation succeeds, the service answers every request
// with why it cannot run, the editor shows that one error once and never restarts the service.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { SemanticNotesApi } from '../../../src/extension/extension';
import { Requests } from '../../../src/protocol/protocol';
import { inspectDom, screenshot } from './screenshot';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a package whose native module does not load', () => {
  it('shows one clear error and stops, with no restart loop and no stack trace', async () => {
    const ext = vscode.extensions.getExtension<SemanticNotesApi>('semantic-notes.semantic-notes');
    assert.ok(ext, 'installed');
    const api = await ext.activate();
    const states: string[] = [];
    api.service.onDidChangeState((s) => states.push(s));
    const failure = await api.service.request(Requests.status).then(
      () => null,
      (err: Error) => err,
    );
    assert.ok(failure, 'a request fails');
    assert.match(failure.message, /Semantic Notes cannot start: its native module onnxruntime-node does not load on linux-x64 \(.+\)\. Install the Semantic Notes package built for linux-x64\./);
    assert.doesNotMatch(failure.message, /\n\s+at /);
    // Well past the first restart delay (1 s): the same service process, never restarted.
    const pid = api.service.pid;
    assert.ok(pid);
    await sleep(3_000);
    assert.equal(api.service.pid, pid);
    assert.ok(!states.includes('restarting'), states.join(' → '));
    // What the user sees: the one error, once.
    await screenshot('native-missing');
    const text = (await inspectDom('native-missing')).map((f) => f.text).join('\n');
    // One toast (the workbench also repeats it, prefixed "Error: ", in its screen-reader alert).
    const toasts = text.split('\n').filter((l) => l.startsWith('Semantic Notes cannot start: its native module onnxruntime-node'));
    assert.equal(toasts.length, 1, `the error is shown once:\n${text.slice(0, 2000)}`);
    assert.doesNotMatch(text, /background service stopped and is restarting/);
  });
});
