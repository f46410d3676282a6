// Inside the real extension host: the extension indexes the fixture workspace through its
// background service, and every user-facing feature is exercised through its command, with a
// screenshot of each view.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SemanticNotesApi } from '../../../src/extension/extension';
import type { FolderHit, MaskCandidate, SimilarityResult } from '../../../src/protocol/protocol';
import { screenshot } from './screenshot';

const root = () => vscode.workspace.workspaceFolders![0].uri.fsPath;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

const searchCmd = (query: string, mode = 'hybrid') => vscode.commands.executeCommand<FolderHit[]>('semanticNotes.search', { query, mode });

describe('Semantic Notes in the extension host', () => {
  let api: SemanticNotesApi;

  before(async () => {
    const ext = vscode.extensions.getExtension<SemanticNotesApi>('semantic-notes.semantic-notes');
    assert.ok(ext, 'extension is installed');
    const t0 = Date.now();
    api = await ext.activate();
    await api.index.whenReady();
    const status = await until('the first index', async () => {
      const s = await api.index.status();
      return s.length && s[0].files > 0 && !s[0].indexing ? s : undefined;
    });
    const firstSearchStart = Date.now();
    const hits = await searchCmd('sourdough starter');
    console.log(`activation ${api.activatedInMs} ms; indexed ${status[0].files} notes ${Date.now() - t0} ms after activate(); first search ${Date.now() - firstSearchStart} ms (${hits.length} hits)`);
  });

  it('indexed every note of the workspace with the embedding model', async () => {
    const [s] = await api.index.status();
    assert.equal(s.files, 12);
    assert.equal(s.model, 'semantic-notes/static-en');
    assert.equal(s.vectors, s.chunks);
    assert.ok(!s.store.startsWith(root()), 'the index lives in workspace storage, not in the notes');
  });

  it('Search Notes finds English and Korean by meaning and keywords', async () => {
    const git = await searchCmd('undo the last git commit');
    assert.equal(git[0].path, 'dev/git.md');
    assert.equal(git[0].heading, 'Git cheatsheet › Undo the last commit');
    const ko = await searchCmd('기차', 'keyword');
    assert.equal(ko[0].path, 'korean/travel-busan.md');
    const sem = await searchCmd('baking a loaf with wild yeast', 'semantic');
    assert.equal(sem[0].path, 'cooking/bread.md');
    await vscode.commands.executeCommand('semanticNotes.search', { query: 'how do I undo a commit', interactive: true });
    await sleep(1500);
    await screenshot('search-quick-pick');
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
  });

  it('the sidebar search view shows results', async () => {
    await api.searchView.reveal();
    await sleep(500);
    const hits = await api.searchView.query('sourdough bread baking', 'hybrid', false);
    assert.equal(hits[0].path, 'cooking/bread.md');
    await screenshot('search-view');
  });

  it('Related Notes follows the active editor', async () => {
    const doc = await vscode.workspace.openTextDocument(path.join(root(), 'cooking', 'bread.md'));
    const editor = await vscode.window.showTextDocument(doc);
    editor.selection = new vscode.Selection(11, 0, 11, 0);
    await vscode.commands.executeCommand('semanticNotes.relatedView.focus');
    const items = await until('related passages', async () => {
      const r = await api.related.refresh();
      return r.length ? r : undefined;
    });
    assert.ok(items.every((h) => h.path !== 'cooking/bread.md'));
    await sleep(300);
    await screenshot('related-view');
  });

  it('hovering a paragraph shows related passages', async () => {
    const uri = vscode.Uri.file(path.join(root(), 'dev', 'docker.md'));
    await vscode.window.showTextDocument(uri);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, new vscode.Position(4, 10));
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))).join('\n');
    assert.match(text, /Related notes/);
    assert.match(text, /command:semanticNotes\.openResult/);
  });

  it('Compare Sentences gives cosine and euclidean', async () => {
    const r = await vscode.commands.executeCommand<{ cosine: number; euclidean: number }>('semanticNotes.compareSentences', 'The weather is lovely today.', "It's so sunny outside!");
    assert.ok(Math.abs(r.cosine - 0.551) < 0.01, String(r.cosine));
    assert.ok(r.euclidean > 0 && r.euclidean < 2);
  });

  it('Similarity Matrix renders an N×N heatmap for each pooling', async () => {
    const texts = ['The weather is lovely today.', "It's so sunny outside!", 'He drove to the stadium.'];
    const mean = await vscode.commands.executeCommand<SimilarityResult>('semanticNotes.similarityMatrix', texts, 'mean', 'cosine');
    assert.equal(mean.matrix.length, 3);
    assert.ok(mean.matrix[0][1] > mean.matrix[0][2]);
    const max = await vscode.commands.executeCommand<SimilarityResult>('semanticNotes.similarityMatrix', texts, 'max', 'cosine');
    assert.notEqual(max.matrix[0][1], mean.matrix[0][1]);
    await sleep(500);
    await screenshot('similarity-matrix');
  });

  it('Masked Word Helper predicts and puts the chosen word in the editor', async () => {
    const cands = await vscode.commands.executeCommand<MaskCandidate[]>('semanticNotes.maskedWord', 'The capital of France is [MASK].');
    assert.equal(cands.length, 5);
    assert.equal(cands[0].token, 'dog'); // torch golden top-1 of the random-weight fixture
    await sleep(500);
    await screenshot('masked-word');
    const file = path.join(root(), 'mask-me.md');
    fs.writeFileSync(file, 'The capital of France is Paris.\n');
    const editor = await vscode.window.showTextDocument(vscode.Uri.file(file));
    editor.selection = new vscode.Selection(0, 26, 0, 26); // inside "Paris"
    const fromEditor = await vscode.commands.executeCommand<MaskCandidate[]>('semanticNotes.maskedWord');
    assert.equal(fromEditor.length, 5);
    assert.ok(await vscode.commands.executeCommand('semanticNotes.applyMaskCandidate', 0));
    assert.equal(editor.document.lineAt(0).text, `The capital of France is ${fromEditor[0].token}.`);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    fs.rmSync(file);
  });

  it('the index follows a created, edited and deleted note', async () => {
    const file = path.join(root(), 'zebra.md');
    fs.writeFileSync(file, '# Zebracorn\n\nThe zebracorn is a striped unicorn from my dreams.\n');
    const found = await until('the new note in the index', async () => {
      const h = await searchCmd('zebracorn', 'keyword');
      return h.length && h[0].path === 'zebra.md' ? h : undefined;
    });
    assert.equal(found[0].heading, 'Zebracorn');
    fs.writeFileSync(file, '# Zebracorn\n\nNow it is a spotted okapicorn instead.\n');
    await until('the edit', async () => (await searchCmd('okapicorn', 'keyword'))[0]?.path === 'zebra.md');
    fs.rmSync(file);
    await until('the deletion', async () => (await searchCmd('okapicorn', 'keyword')).length === 0);
  });

  it('note text with markup is shown as text in the search view', async () => {
    const hits = await api.searchView.query('payload injection attempt', 'keyword', false);
    assert.equal(hits[0].path, 'xss.md');
    assert.match(hits[0].snippet, /<script>|onerror/);
    await sleep(500);
    await screenshot('xss-search-view');
  });

  it('a crashed service is restarted and answers again', async () => {
    const before = api.service.pid;
    api.service.kill();
    const hits = await until('search after the restart', async () => {
      if (api.service.pid === before) return undefined;
      const h = await searchCmd('docker prune', 'keyword');
      return h.length ? h : undefined;
    }, 60_000);
    assert.equal(hits[0].path, 'dev/docker.md');
  });
});
