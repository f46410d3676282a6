// Runs against the extension installed from the packaged .vsix (no development path): it must
// activate, start its bundled service from the extensions folder, index the workspace with the
// runtime shipped in the package and answer a search.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SemanticNotesApi } from '../../../src/extension/extension';
import type { FolderHit } from '../../../src/protocol/protocol';

describe('the installed .vsix', () => {
  it('activates from the extensions folder, indexes and searches', async () => {
    const ext = vscode.extensions.getExtension<SemanticNotesApi>('semantic-notes.semantic-notes');
    assert.ok(ext, 'installed');
    assert.ok(!ext.extensionPath.includes('/work/main') || ext.extensionPath.includes('extensions'), ext.extensionPath);
    const api = await ext.activate();
    await api.index.whenReady();
    const hits = await vscode.commands.executeCommand<FolderHit[]>('semanticNotes.search', { query: 'undo the last git commit', mode: 'hybrid' });
    assert.equal(hits[0].path, 'dev/git.md');
    const [s] = await api.index.status();
    assert.equal(s.model, 'semantic-notes/static-en');
    assert.equal(s.vectors, s.chunks);
    // The service that answered is the package's bundle, not a build in the checkout.
    const pid = api.service.pid;
    assert.ok(pid, 'service running');
    const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    assert.ok(argv.includes(path.join(ext.extensionPath, 'dist', 'service.js')), argv.join(' '));
  });
});
