// Run by ../multiRoot.test.ts in a workspace of two folders (test/fixtures/twoFolders.ts).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { SemanticNotesApi } from '../../../src/extension/extension';
import type { FolderHit } from '../../../src/protocol/protocol';
import { FOLDER_A, FOLDER_B, QUERY } from '../../fixtures/twoFolders';
import { driveWebview, screenshot } from './screenshot';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, fn: () => Promise<T | undefined | false> | T | undefined | false, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

describe('a multi-root workspace', function () {
  this.timeout(120_000);
  let api: SemanticNotesApi;
  const folders = () => vscode.workspace.workspaceFolders ?? [];

  before(async () => {
    api = await vscode.extensions.getExtension<SemanticNotesApi>('semantic-notes.semantic-notes')!.activate();
    await api.index.whenReady();
  });

  it('indexes both folders', async () => {
    assert.equal(folders().length, 2);
    const status = await until('two indexed folders', async () => {
      const s = await api.index.status();
      return s.length === 2 && s.every((f) => !f.indexing) ? s : undefined;
    });
    const files = Object.fromEntries(status.map((f) => [f.folderId, f.files]));
    assert.equal(files[folders()[0].uri.toString()], Object.keys(FOLDER_A).length);
    assert.equal(files[folders()[1].uri.toString()], Object.keys(FOLDER_B).length);
  });

  it('one search answers from both folders, typed in the search view', async () => {
    const hits = await vscode.commands.executeCommand<FolderHit[]>('semanticNotes.search', { query: QUERY, mode: 'hybrid' });
    assert.equal(hits[0].path, 'git.md', 'the best passage is in the second folder');
    assert.deepEqual(new Set(hits.map((h) => h.folderId)), new Set(folders().map((f) => f.uri.toString())), 'results from both folders');
    await api.searchView.reveal();
    await driveWebview('multi-search', 'search.js', [{ op: 'click', selector: 'input[type=search]' }, { op: 'press', key: 'Control+A' }, { op: 'type', text: QUERY }]);
    const shown = await until('the typed query', () => (api.searchView.shown?.query === QUERY ? api.searchView.shown : undefined));
    assert.equal(shown.hits[0].path, 'git.md');
    await screenshot('multi-root-search');
  });

  it('a removed folder leaves the results', async () => {
    const gone = folders()[1].uri.toString();
    const changed = new Promise<void>((r) => {
      const d = vscode.workspace.onDidChangeWorkspaceFolders(() => {
        d.dispose();
        r();
      });
    });
    assert.ok(vscode.workspace.updateWorkspaceFolders(1, 1));
    await changed;
    assert.equal(folders().length, 1);
    await until('one indexed folder', async () => (await api.index.status()).length === 1);
    const hits = await until('results from the first folder only', async () => {
      const h = await vscode.commands.executeCommand<FolderHit[]>('semanticNotes.search', { query: QUERY, mode: 'hybrid' });
      return h.length && h.every((x) => x.folderId !== gone) ? h : undefined;
    });
    assert.ok(hits.every((h) => Object.keys(FOLDER_A).includes(h.path)), JSON.stringify(hits.map((h) => h.path)));
  });
});
