// Restricted Mode inside the real extension host (see ../security.test.ts): workspace trust is on
// and the folder is not trusted. Every `restrictedConfigurations` entry of package.json is set by
// the workspace to a hostile value and must be ignored; the notes are indexed and searchable; no
// symbolic link is followed, out of the folder or inside it.
import * as assert from 'node:assert/strict';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SemanticNotesApi } from '../../../src/extension/extension';
import type { FolderHit } from '../../../src/protocol/protocol';

const EXTENSION_ID = 'semantic-notes.semantic-notes';
const folder = () => vscode.workspace.workspaceFolders![0];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const search = (query: string, mode = 'hybrid') => vscode.commands.executeCommand<FolderHit[]>('semanticNotes.search', { query, mode });

describe('Semantic Notes in Restricted Mode (workspace trust on, folder untrusted)', function () {
  let api: SemanticNotesApi;

  before(async function () {
    this.timeout(180_000);
    const ext = vscode.extensions.getExtension<SemanticNotesApi>(EXTENSION_ID);
    assert.ok(ext);
    api = await ext.activate();
    await api.index.whenReady();
  });

  it('the workspace is untrusted', () => {
    assert.equal(vscode.workspace.isTrusted, false);
  });

  it('every restricted configuration is ignored from the workspace', () => {
    const restricted = (vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as { capabilities: { untrustedWorkspaces: { restrictedConfigurations: string[] } } }).capabilities.untrustedWorkspaces.restrictedConfigurations;
    assert.ok(restricted.length >= 5, JSON.stringify(restricted));
    // The workspace's settings file is read: a setting that is not restricted takes effect from it.
    assert.equal(vscode.workspace.getConfiguration('semanticNotes').inspect('search.resultCount')?.workspaceValue, 7);
    assert.equal(vscode.workspace.getConfiguration('semanticNotes').get('search.resultCount'), 7);
    const hostile = ['/tmp/sn-untrusted-evil-models', true, 'evil-org/evil-embedding', 'evil-org/evil-fill-mask', 'evil-org/evil-cross-encoder'];
    for (const full of restricted) {
      const [section, ...rest] = full.split('.');
      const key = rest.join('.');
      const c = vscode.workspace.getConfiguration(section);
      const i = c.inspect(key);
      assert.ok(i, full);
      const expected = i.globalValue !== undefined ? i.globalValue : i.defaultValue;
      assert.deepEqual(c.get(key), expected, `${full} must come from the user or the default, not the workspace`);
      assert.ok(!hostile.includes(c.get(key) as string | boolean), `${full} = ${JSON.stringify(c.get(key))}`);
      console.log(`[restricted] ${full}: workspace ${JSON.stringify(i.workspaceValue)} ignored, in effect ${JSON.stringify(c.get(key))}`);
    }
  });

  it('the service uses the user’s models, not the workspace’s', () => {
    const e = api.models.embedding;
    assert.ok(e && e.state === 'ready', JSON.stringify(e));
    assert.equal(e.id, 'semantic-notes/static-en');
  });

  it('search works, and no symbolic link was followed (out of the folder or inside it)', async () => {
    const hits = await search('quokka island ferry');
    assert.equal(hits[0]?.path, 'notes/quokka.md', JSON.stringify(hits.map((h) => h.path)));
    assert.ok(!hits.some((h) => h.path === 'alias.md'), 'a link inside the folder is not followed in Restricted Mode');
    assert.deepEqual(await search('ZEBRAKEYMATERIAL', 'keyword'), [], 'a link out of the folder is never read');
    const cov = await api.index.coverage(folder().uri.toString());
    assert.equal(cov.indexed, 2);
    const refused = cov.skipped.filter((s) => s.reason === 'symlink-refused').map((s) => s.path).sort();
    assert.deepEqual(refused, ['alias.md', 'notes/x.md']);
    console.log(`[restricted] search ok (${hits.length} hits); links refused: ${refused.join(', ')}`);
  });

  it('thousands of files created where the walk does not go (node_modules, an ignored folder): no resync, nothing sent', async function () {
    this.timeout(120_000);
    const flushes: { changed: number; deleted: number; resync: number }[] = [];
    const sub = api.watcher.onDidFlush((e) =>
      flushes.push({ changed: e.changes.reduce((n, c) => n + c.changed.length, 0), deleted: e.changes.reduce((n, c) => n + c.deleted.length, 0), resync: e.resync.length }),
    );
    try {
      // What an npm install and a build do: folders of packages with READMEs and code.
      const root = folder().uri.fsPath;
      for (const top of ['node_modules', 'build']) {
        for (let p = 0; p < 60; p++) {
          const dir = path.join(root, top, `pkg${p}`, 'lib');
          await fsp.mkdir(dir, { recursive: true });
          await fsp.writeFile(path.join(root, top, `pkg${p}`, 'README.md'), `# pkg${p}\n`);
          await Promise.all(Array.from({ length: 15 }, (_, i) => fsp.writeFile(path.join(dir, `f${i}.js`), 'module.exports = 1;\n')));
        }
      }
      await sleep(5000); // the watcher's debounce is 0.5 s, its longest wait 3 s
      assert.equal(flushes.length, 0, `events in folders the walk skips reach neither a stat nor the service: ${JSON.stringify(flushes)}`);
      // The watcher does see the workspace: a note created where the walk goes is sent.
      await fsp.writeFile(path.join(root, 'notes', 'fresh.md'), '# Fresh\n\nA note written after the storm about wombats.\n');
      const end = Date.now() + 30_000;
      while (!flushes.some((f) => f.changed > 0) && Date.now() < end) await sleep(200);
      assert.deepEqual(flushes, [{ changed: 1, deleted: 0, resync: 0 }]);
      console.log(`[restricted] 1,920 files in node_modules/ and build/ (gitignored): no flush; then 1 note: ${JSON.stringify(flushes)}`);
    } finally {
      sub.dispose();
    }
  });
});
