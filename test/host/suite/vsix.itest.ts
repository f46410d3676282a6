// Runs against the extension installed from the packaged .vsix (no development path): it must
// activate, index the workspace with its bundled runtime and answer a search.
import * as assert from 'node:assert/strict';
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
  });
});
